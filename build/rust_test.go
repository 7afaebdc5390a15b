package build

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/module"
	"github.com/rustko/rustko-lsp/targets"
	"github.com/rustko/rustko-lsp/workspace"
)

func TestSplitWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"  --offline   -Zfoo ", []string{"--offline", "-Zfoo"}},
		{`-C 'link-arg=a b' "x y" z\ w`, []string{"-C", "link-arg=a b", "x y", "z w"}},
		{`"a\"b" ''`, []string{`a"b`, ""}},
		{`unterminated "quote`, []string{"unterminated", "quote"}},
		// rust.ko's shell would expand these; rustko passes them as written.
		{`--config $HOME/x.toml -C link-arg=-L${PWD} "$(pwd)" -C link-arg=*.o`, []string{"--config", "$HOME/x.toml", "-C", "link-arg=-L${PWD}", "$(pwd)", "-C", "link-arg=*.o"}},
		{"-Z a \\\n  --locked # why", []string{"-Z", "a", "--locked"}},
	}
	for _, tt := range tests {
		got := splitWords(tt.in)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
			t.Errorf("splitWords(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func testBuilder(mode Mode, v module.Vars) *builder {
	v.KernelModule = "hello"
	m := &module.Module{Root: "/m", Vars: v}
	return &builder{
		w: &workspace.Module{Module: m}, m: m, mode: mode, verbose: v.Verbose,
		tc:       &targets.Toolchain{Root: "/usr", Path: "/usr/bin/rustc", Cargo: "/usr/bin/cargo"},
		buildDir: "/m/build", kbuildDir: "/m/build/kbuild", cargoDir: "/m/build/cargo",
		rustObj: "/m/build/kbuild/hello-rust.o", rustko: "/opt/rustko-lsp",
		cargoTarget: map[Mode]string{ModeHost: "x86_64-unknown-linux-gnu", ModeRustSrc: "/m/build/target/x86_64-unknown-none-gnu.json"}[mode],
		sysroot:     &sysroot{Dir: "/cache/sysroot/x-1"},
	}
}

// TestRustCommand pins how the rust.ko variables reach cargo: CARGOFLAGS
// before "--", RCFLAGS after it (the crate only), RELEASE as --release, V as
// -v, and the kernel's flags through RUSTFLAGS (every crate).
func TestRustCommand(t *testing.T) {
	tests := []struct {
		name      string
		mode      Mode
		vars      module.Vars
		args      string
		rustflags string
	}{
		{"rust-src", ModeRustSrc, module.Vars{},
			"rustc --lib --message-format=json --manifest-path /m/Cargo.toml --target /m/build/target/x86_64-unknown-none-gnu.json -- --emit obj=/m/build/kbuild/hello-rust.o",
			"--sysroot /cache/sysroot/x-1"},
		{"host, release, verbose, extra flags", ModeHost, module.Vars{Release: true, Verbose: true, CargoFlags: "--offline --locked", RCFlags: "-C debug-assertions=off"},
			"rustc --lib --message-format=json --manifest-path /m/Cargo.toml --target x86_64-unknown-linux-gnu --release -v --offline --locked -- --emit obj=/m/build/kbuild/hello-rust.o -C debug-assertions=off",
			strings.Join(hostFlags, " ")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := testBuilder(tt.mode, tt.vars)
			c := b.rustCommand()
			if got := strings.Join(c.Args, " "); got != tt.args {
				t.Errorf("args\n got %s\nwant %s", got, tt.args)
			}
			if c.Name != "/usr/bin/cargo" || c.Dir != "/m" {
				t.Errorf("runs %s in %s", c.Name, c.Dir)
			}
			for k, want := range map[string]string{"RUSTFLAGS": tt.rustflags, "RUSTC": "/usr/bin/rustc", "CARGO_TARGET_DIR": "/m/build/cargo", "CARGO_ENCODED_RUSTFLAGS": ""} {
				if got := envValue(c.Env, k); got != want {
					t.Errorf("%s=%q, want %q", k, got, want)
				}
			}
		})
	}
}

// TestKbuildRustRule pins the rule kbuild runs for the Rust object: a
// subshell (so a compile error fails the rule), the fingerprint reset when
// the object is missing, the same cargo command without JSON, and host
// mode's call back into rustko.
func TestKbuildRustRule(t *testing.T) {
	b := testBuilder(ModeHost, module.Vars{Verbose: true})
	rule := b.kbuildRustRule()
	for _, want := range []string{
		"(cd /m && { test -e /m/build/kbuild/hello-rust.o || rm -rf /m/build/cargo/*/*/.fingerprint; } && env ",
		"/usr/bin/cargo rustc --lib --manifest-path /m/Cargo.toml --target x86_64-unknown-linux-gnu -- --emit obj=/m/build/kbuild/hello-rust.o",
		"&& test -e /m/build/kbuild/hello-rust.o && /opt/rustko-lsp build --relax-got /m/build/kbuild/hello-rust.o)",
	} {
		if !strings.Contains(rule, want) {
			t.Errorf("rule %s\nlacks %s", rule, want)
		}
	}
	if strings.Contains(rule, "json") || strings.Contains(rule, " -v ") {
		t.Errorf("rule prints for machines or depends on V=1: %s", rule)
	}
	if got := makeEscape(`a $x #y`); got != `a $$x $(pound)y` {
		t.Errorf("makeEscape = %q", got)
	}
}

func TestKbuildFiles(t *testing.T) {
	root := t.TempDir()
	src := filepath.Join(root, "src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	b := testBuilder(ModeRustSrc, module.Vars{CFiles: []string{filepath.Join(src, "hello.c"), filepath.Join(src, "hello-c.c")}})
	b.m.Root = root
	b.buildDir = filepath.Join(root, "build")
	b.kbuildDir = filepath.Join(b.buildDir, "kbuild")
	b.kernel = &module.Kernel{Dir: "/k"}
	b.helpersC = filepath.Join(src, "rustko_helpers.c")
	sources, err := b.kbuildFiles([]string{filepath.Join(src, "lib.rs")})
	if err != nil {
		t.Fatal(err)
	}
	kb, err := os.ReadFile(filepath.Join(b.kbuildDir, "Kbuild"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"obj-m := hello.o\nhello-y := hello-c.o hello-c-c.o rustko_helpers-c.o hello-rust.o\n",
		"$(obj)/hello-rust.o: " + filepath.Join(src, "lib.rs") + " FORCE\n\t$(call if_changed,rustko_rust)\n",
		"-fdiagnostics-column-unit=byte",
	} {
		if !strings.Contains(string(kb), want) {
			t.Errorf("Kbuild lacks %q:\n%s", want, kb)
		}
	}
	w := filepath.Join(b.kbuildDir, "hello-c-c.c")
	if sources[w] != filepath.Join(src, "hello-c.c") || sources[filepath.Join(b.kbuildDir, "hello-c-c.o")] != filepath.Join(src, "hello-c.c") {
		t.Errorf("sources %v", sources)
	}
	text, _ := os.ReadFile(w)
	if !strings.HasPrefix(string(text), `#include "`+filepath.Join(src, "hello-c.c")+`"`) {
		t.Errorf("wrapper %q", text)
	}
	st, _ := os.Stat(filepath.Join(b.kbuildDir, "Kbuild"))
	if _, err := b.kbuildFiles([]string{filepath.Join(src, "lib.rs")}); err != nil {
		t.Fatal(err)
	}
	if st2, _ := os.Stat(filepath.Join(b.kbuildDir, "Kbuild")); !st2.ModTime().Equal(st.ModTime()) {
		t.Error("an unchanged Kbuild was rewritten")
	}
	b.m.Vars.CFiles = []string{filepath.Join(root, "my src", "x.c")}
	if _, err := b.kbuildFiles(nil); err == nil || !strings.Contains(err.Error(), "kbuild (make) cannot handle") {
		t.Errorf("a C file path with a blank: %v", err)
	}
}

func TestChooseMode(t *testing.T) {
	withSrc := &targets.Toolchain{Root: "/usr", Release: targets.Version{Major: 1, Minor: 63}, Host: "x86_64-unknown-linux-gnu", CoreSrc: "/usr/lib/rustlib/src/rust/library/core"}
	noSrc := &targets.Toolchain{Root: "/r", Release: targets.Version{Major: 1, Minor: 95}, Host: "x86_64-unknown-linux-gnu", Sysroot: "/r/tc"}
	arm := &targets.Toolchain{Root: "/a", Release: targets.Version{Major: 1, Minor: 95}, Host: "aarch64-unknown-linux-gnu", Sysroot: "/a/tc"}
	tests := []struct {
		want Mode
		tc   *targets.Toolchain
		got  Mode
		err  string
	}{
		{ModeAuto, withSrc, ModeRustSrc, ""},
		{ModeAuto, noSrc, ModeHost, ""},
		{ModeHost, withSrc, ModeHost, ""},
		{ModeRustSrc, noSrc, "", "apt-get install rustc rust-src cargo"},
		{ModeAuto, arm, "", "host mode needs a toolchain whose host is x86_64"},
		{"bogus", withSrc, "", "unknown build mode"},
	}
	for _, tt := range tests {
		got, reason, err := chooseMode(tt.want, tt.tc, "x86_64")
		if got != tt.got || (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) || (err == nil && reason == "") {
			t.Errorf("chooseMode(%s, %s) = %s, %q, %v", tt.want, tt.tc.Root, got, reason, err)
		}
	}
}

func TestParseDepInfo(t *testing.T) {
	got := parseDepInfo("/t/libhello.a: /m/src/lib.rs /m/src/my\\ file.rs\n\n/m/src/lib.rs:\n")
	if strings.Join(got, "|") != "/m/src/lib.rs|/m/src/my file.rs" {
		t.Errorf("parseDepInfo = %q", got)
	}
}
