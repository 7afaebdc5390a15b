package rustsrc

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/diagnostics/rustsrc/internal/syntax"
	"github.com/rustko/rustko-lsp/module"

	"github.com/rustko/rustko-lsp/internal/testtree"
)

func TestCfgDisables(t *testing.T) {
	known := kernelCfg("none", []string{"zeroed"})
	for _, tc := range []struct {
		attr string
		set  *CfgSet
		off  bool
	}{
		{`#[cfg(test)]`, nil, true},
		{`#[cfg(not(test))]`, nil, false},
		{`#[cfg(test)]`, known, true},
		{`#[cfg(target_arch = "x86_64")]`, known, false},
		{`#[cfg(target_arch = "arm")]`, known, true},
		{`#[cfg(target_arch = "arm")]`, nil, false}, // nothing decided without a module
		{`#[cfg(target_os = "linux")]`, known, true},
		{`#[cfg(target_os = "linux")]`, kernelCfg("", nil), false}, // mode not known
		{`#[cfg(feature = "zeroed")]`, known, false},
		{`#[cfg(feature = "tracing")]`, known, true},
		{`#[cfg(all(feature = "zeroed", target_arch = "arm"))]`, known, true},
		{`#[cfg(any(feature = "tracing", debug_assertions))]`, known, false}, // undecidable
		{`#[cfg(any(feature = "tracing", target_pointer_width = "32"))]`, known, true},
		{`#[cfg(not(any(target_arch = "x86_64")))]`, known, true},
		{`#[cfg(all())]`, known, false},
		{`#[cfg(any())]`, known, true},
		{`#[cfg(feature = tracing)]`, known, false}, // not a cfg rustc accepts: analysed
		{`#[cfg_attr(test, allow(dead_code))]`, known, false},
	} {
		src := tc.attr + "\nfn f() {}\n"
		tr, err := syntax.ParseTree(syntax.Rust, []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		var fn *syntax.Node
		tr.Root.Walk(func(n *syntax.Node) bool {
			if n.Kind == "function_item" && fn == nil {
				fn = n
			}
			return true
		})
		if fn == nil {
			t.Fatalf("%s: no function parsed", tc.attr)
		}
		if got := cfgOff(fn, tc.set); got != tc.off {
			t.Errorf("%s (set %v): off = %v, want %v", tc.attr, tc.set != nil, got, tc.off)
		}
	}
}

// TestModuleSources: crate roots from [lib] path and the default, path
// dependencies in each spelling (inline, dotted table, target-specific,
// workspace = true), features each dependent asks for, no build- or
// dev-dependencies, a virtual workspace's staticlib members, kbuild's C
// objects.
func TestModuleSources(t *testing.T) {
	for _, tc := range []struct {
		name     string
		files    map[string]string
		rust     []string // relative
		c        []string
		features map[string][]string // file -> features its cfg set enables
		listed   []string            // RUST_FILES, relative
	}{
		{"package and path dependencies", map[string]string{
			"Cargo.toml": `[package]
name = "m"
[lib]
path = "rs/root.rs"
crate-type = ["staticlib"]
[features]
default = ["a"]
a = ["b"]
b = []
c = []
[dependencies]
one = { path = "one", features = ["x"], default-features = false }
[dependencies.two]
path = "two"
[target.'cfg(target_os = "none")'.dependencies]
three = { path = "three" }
[dev-dependencies]
dev = { path = "dev" }
[build-dependencies]
bd = { path = "bd" }
[workspace]
members = ["one", "two"]
[workspace.dependencies]
four = { path = "four" }
`,
			"rs/root.rs":       "mod a;\n",
			"rs/a.rs":          "",
			"one/Cargo.toml":   "[package]\nname = \"one\"\n[features]\ndefault = [\"d\"]\nd = []\nx = []\n[dependencies]\nfour = { workspace = true }\n",
			"one/src/lib.rs":   "",
			"two/Cargo.toml":   "[package]\nname = \"two\"\n[lib]\npath = \"lib.rs\"\n",
			"two/lib.rs":       "",
			"three/Cargo.toml": "[package]\nname = \"three\"\n",
			"three/src/lib.rs": "",
			"four/Cargo.toml":  "[package]\nname = \"four\"\n",
			"four/src/lib.rs":  "",
			"dev/Cargo.toml":   "[package]\nname = \"dev\"\n",
			"dev/src/lib.rs":   "",
			"bd/Cargo.toml":    "[package]\nname = \"bd\"\n",
			"bd/src/lib.rs":    "",
			"Kbuild":           "obj-m := m.o\nm-objs := shim/a.o \\\n  shim/b.o lib$(NAME).a # comment b.o\nm-y += c.o\n",
			"shim/a.c":         "",
			"shim/b.c":         "",
			"c.c":              "",
			"unlisted.c":       "",
		}, []string{"rs/root.rs", "rs/a.rs", "one/src/lib.rs", "four/src/lib.rs", "three/src/lib.rs", "two/lib.rs"},
			[]string{"shim/a.c", "shim/b.c", "c.c"},
			map[string][]string{"rs/a.rs": {"a", "b", "default"}, "one/src/lib.rs": {"x"}, "two/lib.rs": nil}, nil},
		{"rustko's runtime crate is rustko's code", map[string]string{
			"Cargo.toml":           "[package]\nname = \"hello\"\n[dependencies]\nrustko = { path = \"rustko\" }\nmine = { path = \"mine\" }\n",
			"src/lib.rs":           "",
			"rustko/Cargo.toml":    "[package]\nname = \"rustko\"\n",
			"rustko/src/lib.rs":    "",
			"rustko/c/rustko_rt.c": "",
			"mine/Cargo.toml":      "[package]\nname = \"rustko\"\n", // the name alone is not enough
			"mine/src/lib.rs":      "",
		}, []string{"src/lib.rs", "mine/src/lib.rs"}, nil, nil, nil},
		{"virtual workspace", map[string]string{
			"Cargo.toml":                 "[workspace]\nmembers = [\n  \"crates/*\",\n]\n",
			"crates/ko/Cargo.toml":       "[package]\nname = \"ko\"\n[lib]\ncrate-type = [\"staticlib\"]\n",
			"crates/ko/src/lib.rs":       "#[cfg(target_arch = \"aarch64\")]\nmod arm;\nmod x86;\n",
			"crates/ko/src/arm.rs":       "",
			"crates/ko/src/x86/mod.rs":   "mod inner;\n",
			"crates/ko/src/x86/inner.rs": "",
			"crates/tool/Cargo.toml":     "[package]\nname = \"tool\"\n",
			"crates/tool/src/lib.rs":     "",
		}, []string{"crates/ko/src/lib.rs", "crates/ko/src/x86/mod.rs", "crates/ko/src/x86/inner.rs"}, nil, nil, nil},
		// rust.ko's RUST_FILES are make prerequisites: a kernel-roulette-era
		// Makefile lists Cargo.lock, and a stale entry names a file gone.
		{"RUST_FILES: the Rust files that exist", map[string]string{
			"Cargo.toml":   "[package]\nname = \"m\"\n",
			"Cargo.lock":   "",
			"src/lib.rs":   "",
			"src/extra.rs": "",
		}, []string{"src/lib.rs", "src/extra.rs"}, nil, nil, []string{"src/lib.rs", "src/extra.rs", "src/gone.rs", "Cargo.lock", "Cargo.toml"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := testtree.Write(t, tc.files, "markers")
			m := &module.Module{Root: dir}
			for _, f := range tc.listed {
				m.Vars.RustFiles = append(m.Vars.RustFiles, filepath.Join(dir, f))
			}
			s, err := ModuleSources(m)
			if err != nil {
				t.Fatal(err)
			}
			rel := func(ps []string) []string {
				var out []string
				for _, p := range ps {
					r, _ := filepath.Rel(dir, p)
					out = append(out, filepath.ToSlash(r))
				}
				return out
			}
			if got := rel(s.Rust); !slices.Equal(got, tc.rust) {
				t.Errorf("Rust files %q, want %q", got, tc.rust)
			}
			if got := rel(s.C); !slices.Equal(got, tc.c) {
				t.Errorf("C files %q, want %q", got, tc.c)
			}
			for f, want := range tc.features {
				got := s.Cfg(filepath.Join(dir, f)).Values["feature"]
				if strings.Join(got, ",") != strings.Join(want, ",") {
					t.Errorf("%s: features %q, want %q", f, got, want)
				}
			}
		})
	}
}
