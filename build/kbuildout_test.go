package build

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/diagnostics"
)

// The testdata files are real kbuild output (6.1 headers, gcc 12; the gcc
// one from a UTF-8 locale, hence its quotes) except objtool.txt, which follows objtool's message format: no module here
// makes objtool complain on demand.

const kdir61 = "/usr/src/linux-headers-6.1.0-56-amd64"

func kbuildParser(t *testing.T, root, kbuildDir string, sources map[string]string) *kbuildOutput {
	t.Helper()
	mod, err := filepath.Abs("testdata/kbuild/module")
	if err != nil {
		t.Fatal(err)
	}
	return &kbuildOutput{
		root: root, kdir: kdir61, kbuildDir: kbuildDir, sources: sources,
		shim: filepath.Join(mod, "src", "fixture.c"),
		symbols: &symbolSearch{
			rustFiles: []string{filepath.Join(mod, "src", "lib.rs")},
			cFiles:    []string{filepath.Join(mod, "src", "fixture.c")},
			crateRoot: filepath.Join(mod, "src", "lib.rs"),
		},
	}
}

func TestParseKbuildOutput(t *testing.T) {
	mod, _ := filepath.Abs("testdata/kbuild/module")
	lib := filepath.Join(mod, "src", "lib.rs")
	shim := filepath.Join(mod, "src", "fixture.c")
	type want struct {
		file      string
		line, col int
		sev       diagnostics.Severity
		source    string
		code      string
		msg       string
		related   []string // "file:line" of each related place, in order (file as a suffix)
	}
	tests := []struct {
		name      string
		file      string
		root      string
		kbuildDir string
		sources   map[string]string
		want      []want
		syms      []string
	}{
		{
			name: "gcc errors in the C shim, a warning from a kernel macro re-homed to the call", file: "gcc-shim-errors.txt",
			root: "/tmp/proto/hello", kbuildDir: "/tmp/proto/build/kbuild",
			sources: map[string]string{"/tmp/proto/build/kbuild/hello-c.c": "/tmp/proto/hello/src/hello.c"},
			want: []want{
				{file: "/tmp/proto/hello/src/hello.c", line: 10, col: 9, sev: diagnostics.Warning, source: diagnostics.SourceGCC, code: "-Wformat=",
					msg: "format ‘%d’ expects a matching ‘int’ argument", related: []string{
						"include/linux/kern_levels.h:5", "asm-generic/bug.h:22", "asm/bug.h:87", "asm/alternative.h:8", "asm/barrier.h:5",
						"linux/list.h:11", "linux/module.h:12", "src/hello.c:1",
						"linux/printk.h:429", "linux/printk.h:530", "linux/kern_levels.h:14", "linux/printk.h:530"}},
				{file: "/tmp/proto/hello/src/hello.c", line: 11, col: 9, sev: diagnostics.Error, source: diagnostics.SourceGCC,
					msg: "too few arguments to function ‘kmalloc’", related: []string{"include/linux/slab.h:549"}},
				{file: "/tmp/proto/hello/src/hello.c", line: 12, col: 20, sev: diagnostics.Error, source: diagnostics.SourceGCC, msg: "expected ‘;’ before ‘return’"},
				{file: "/tmp/proto/hello/src/hello.c", line: 14, col: 1, sev: diagnostics.Error, source: diagnostics.SourceGCC, code: "-Werror=return-type", msg: "no return statement"},
			},
		},
		{
			name: "modpost: missing licence, undefined symbols mapped to Rust", file: "modpost-undefined.txt",
			root: mod, kbuildDir: "/tmp/proto/inl/build/kbuild",
			want: []want{
				{file: shim, line: 1, col: 1, sev: diagnostics.Error, source: diagnostics.SourceModpost, msg: "missing MODULE_LICENSE() in fixture.o; add MODULE_LICENSE"},
				// Named nowhere in the module's text: the crate root.
				{file: lib, line: 1, col: 1, sev: diagnostics.Error, source: diagnostics.SourceModpost, code: "undefined-symbol", msg: `"gpl_only_thing" is not exported`},
				{file: lib, line: 13, col: 17, sev: diagnostics.Error, source: diagnostics.SourceModpost, code: "undefined-symbol",
					msg: "static inline", related: []string{"src/lib.rs:6"}},
			},
			syms: []string{"", "gpl_only_thing", "kmalloc"},
		},
		{
			name: "modpost: GPL-only symbol in a non-GPL module", file: "modpost-gpl.txt",
			root: mod, kbuildDir: "/tmp/proto/inl/build/kbuild",
			want: []want{
				{file: lib, line: 28, col: 14, sev: diagnostics.Error, source: diagnostics.SourceModpost, code: "gpl-only-symbol", msg: "GPL-compatible modules only", related: []string{"src/lib.rs:32"}},
				{file: lib, line: 13, col: 17, sev: diagnostics.Error, source: diagnostics.SourceModpost, code: "undefined-symbol", related: []string{"src/lib.rs:6"}},
			},
			syms: []string{"ktime_get", "kmalloc"},
		},
		{
			name: "objtool warnings on the C shim's object", file: "objtool.txt",
			root: mod, kbuildDir: "/tmp/proto/inl/build/kbuild",
			sources: map[string]string{"/tmp/proto/inl/build/kbuild/fixture-c.o": shim},
			want: []want{
				{file: shim, line: 8, col: 1, sev: diagnostics.Warning, source: sourceObjtool, msg: "fixture_init: call to rust_main() with UACCESS enabled"},
				{file: shim, line: 1, col: 1, sev: diagnostics.Warning, source: sourceObjtool, msg: ".text: unexpected end of section"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "kbuild", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			sources := tt.sources
			if sources == nil {
				sources = map[string]string{}
			}
			p := kbuildParser(t, tt.root, tt.kbuildDir, sources)
			got := p.parse(data)
			if len(got) != len(tt.want) {
				for _, f := range got {
					t.Log(f)
				}
				t.Fatalf("%d findings, want %d", len(got), len(tt.want))
			}
			for i, w := range tt.want {
				f := got[i]
				if f.File != w.file || f.Range.Start.Line != w.line || f.Range.Start.Column != w.col || f.Severity != w.sev ||
					f.Source != w.source || f.Code != w.code || !strings.Contains(f.Message, w.msg) {
					t.Errorf("finding %d = %s (%s), want %s:%d:%d %s [%s] %q", i, f, f.Source, w.file, w.line, w.col, w.sev, w.code, w.msg)
				}
				var rel []string
				for _, r := range f.Related {
					rel = append(rel, r.File+":"+strconv.Itoa(r.Range.Start.Line))
				}
				if len(rel) != len(w.related) {
					t.Errorf("finding %d related %v, want %v", i, rel, w.related)
					continue
				}
				for j := range rel {
					if !strings.HasSuffix(rel[j], w.related[j]) {
						t.Errorf("finding %d related[%d] = %s, want …%s", i, j, rel[j], w.related[j])
					}
				}
			}
			for i, s := range tt.syms {
				if i >= len(p.syms) && s != "" || i < len(p.syms) && p.syms[i] != s {
					t.Errorf("syms = %q, want %q", p.syms, tt.syms)
					break
				}
			}
		})
	}
}

func TestSymbolSearch(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string { return writeIn(t, dir, name, text) }
	lib := write("lib.rs", `// kmalloc( in a comment
/* kmalloc( in
   a block comment */
mod bindings;
extern "C" {
    #[link_name = "rust_helper_spin_lock"]
    fn spin_lock(l: *mut u8);
}
fn f() {
    let p = my_kmalloc(1);
    spin_lock(p);
    bindings::printk(b"x\0".as_ptr());
}
`)
	bind := write("bindings.rs", "extern \"C\" {\n    pub fn printk(fmt: *const u8, ...) -> i32;\n}\n")
	shim := write("shim.c", "int helper_only_in_c(int x)\n{\n\treturn x;\n}\nstatic int f(void) { return helper_only_in_c(1); }\n")
	s := &symbolSearch{rustFiles: []string{lib, bind}, bindings: bind, cFiles: []string{shim}, crateRoot: lib}
	tests := []struct {
		sym        string
		file       string
		line, col  int
		declInRust bool
		inC        bool
	}{
		{"kmalloc", "", 0, 0, false, false}, // only in comments and inside another word
		{"rust_helper_spin_lock", lib, 11, 5, true, false},
		{"printk", lib, 12, 15, false, false},
		{"helper_only_in_c", shim, 5, 29, false, true},
	}
	for _, tt := range tests {
		u := s.find(tt.sym)
		if u.Primary.File != tt.file || u.Primary.Range.Start.Line != tt.line || u.Primary.Range.Start.Column != tt.col ||
			u.DeclaredInRust != tt.declInRust || u.InC != tt.inC {
			t.Errorf("find(%q) = %+v", tt.sym, u)
		}
	}
}

func FuzzParseKbuildOutput(f *testing.F) {
	files, _ := filepath.Glob("testdata/kbuild/*.txt")
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("x.c:0:0: error: \n from y.h:99999999999999999999:\nERROR: modpost: \"\" [] undefined!\n.o: warning: objtool: +0x: \n"))
	mod, _ := filepath.Abs("testdata/kbuild/module")
	f.Fuzz(func(t *testing.T, data []byte) {
		p := &kbuildOutput{root: mod, kdir: kdir61, kbuildDir: "/k", sources: map[string]string{},
			symbols: &symbolSearch{rustFiles: []string{filepath.Join(mod, "src", "lib.rs")}, crateRoot: filepath.Join(mod, "src", "lib.rs")}}
		for _, fd := range p.parse(data) {
			checkFinding(t, fd)
		}
	})
}

// writeIn writes one test file into dir and returns its path.
func writeIn(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
