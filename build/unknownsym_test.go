package build

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/internal/testkernel"
	"github.com/rustko/rustko-lsp/module"
)

func TestSymbolSearchFind(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string { return writeIn(t, dir, name, text) }
	lib := write("lib.rs", "// crc32c in a comment\nfn f() {}\n")
	shim := write("shim.c", "#include <linux/crc32c.h>\n/* crc32c */\nu32 sum(const u8 *p, size_t n)\n{\n\treturn crc32c(0, p, n);\n}\n")
	rustCall := write("call.rs", "extern \"C\" { fn crc32c(crc: u32, p: *const u8, n: usize) -> u32; }\nfn g() { unsafe { crc32c(0, core::ptr::null(), 0); } }\n")
	for _, tc := range []struct {
		name       string
		rust       []string
		file       string
		line, col  int
		wantOthers int
	}{
		{"only the C shim calls it", []string{lib}, shim, 5, 9, 0},
		{"a Rust call comes first", []string{lib, rustCall}, rustCall, 2, 19, 2},
		{"nobody names it", []string{lib}, "", 0, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := []string{shim}
			if tc.file == "" {
				c = nil
			}
			use := (&symbolSearch{rustFiles: tc.rust, cFiles: c}).find("crc32c")
			if p := use.Primary; p.File != tc.file || p.Range.Start.Line != tc.line || p.Range.Start.Column != tc.col {
				t.Errorf("find = %s:%d:%d, want %s:%d:%d", p.File, p.Range.Start.Line, p.Range.Start.Column, tc.file, tc.line, tc.col)
			}
			if len(use.Related) != tc.wantOthers {
				t.Errorf("others %+v, want %d", use.Related, tc.wantOthers)
			}
		})
	}
}

// The kernel names no line for an unknown symbol: the finding moves to the
// module's use of it and says who exports it, read from the tree's
// Module.symvers (crc32c is libcrc32c's on Debian's 6.1).
func TestPlaceUnknownSymbols(t *testing.T) {
	root := t.TempDir()
	if err := copyTree(filepath.Join("testdata", "modules", "base"), root); err != nil {
		t.Fatal(err)
	}
	shim := filepath.Join(root, "src", "fixture.c")
	text := "#include <linux/crc32c.h>\nu32 sum(const u8 *p, size_t n)\n{\n\treturn crc32c(0, p, n); /* UNKNOWN-SYMBOL */\n}\n"
	if err := os.WriteFile(shim, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := module.Load(context.Background(), root, nil)
	if err != nil {
		t.Fatal(err)
	}
	crate := filepath.Join(root, "src", "lib.rs")
	failed := func(msg string) diagnostics.Finding {
		return diagnostics.Finding{File: crate, Range: diagnostics.Point(1, 1), Severity: diagnostics.Error,
			Code: diagnostics.CodeModuleRunFailed, Source: "kernel", Message: msg}
	}
	in := []diagnostics.Finding{
		failed("insmod failed: Unknown symbol crc32c (err -2); Unknown symbol no_such_export (err -2)"),
		failed("the module did not unload"),
	}
	read := 0
	moduleOf := func() *module.Module { read++; return m }
	out := PlaceUnknownSymbols(in, moduleOf, testkernel.Dir(t))
	if len(out) != 3 {
		t.Fatalf("got %d findings, want 3: %+v", len(out), out)
	}
	if f := out[0]; f.File != shim || f.Range.Start.Line != 4 || f.Range.Start.Column != 9 ||
		!strings.Contains(f.Message, "Unknown symbol crc32c (err -2): `crc32c` is exported by the module lib/libcrc32c, which was not loaded") {
		t.Errorf("crc32c: %s:%d:%d %q", f.File, f.Range.Start.Line, f.Range.Start.Column, f.Message)
	}
	if f := out[1]; f.File != crate || !strings.Contains(f.Message, "this kernel does not export `no_such_export`") {
		t.Errorf("an unexported name nobody uses stays at the crate root with the reason: %s %q", f.File, f.Message)
	}
	if out[2].Message != "the module did not unload" {
		t.Errorf("other failures are left alone: %q", out[2].Message)
	}
	if f := PlaceUnknownSymbols(in[:1], moduleOf, "")[0]; !strings.HasSuffix(f.Message, "nothing loaded exports `crc32c`") || f.File != shim {
		t.Errorf("without Module.symvers: %s %q", f.File, f.Message)
	}

	// Nothing is read when the kernel refused no symbol, and without a
	// module the findings stay where they are.
	read = 0
	if out := PlaceUnknownSymbols(in[1:], moduleOf, testkernel.Dir(t)); read != 0 || len(out) != 1 || out[0].Message != in[1].Message {
		t.Errorf("no unknown symbol: module read %d times, %+v", read, out)
	}
	if out := PlaceUnknownSymbols(in, func() *module.Module { return nil }, testkernel.Dir(t)); len(out) != 2 || out[0].File != crate {
		t.Errorf("no module: %+v", out)
	}
}

// Where the search puts a symbol, beyond TestSymbolSearchFind's: what is
// not a use in either language, a #[link_name] rename, a static.
func TestSymbolSearchPlaces(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string { return writeIn(t, dir, name, text) }
	rustText := write("text.rs", "// crc32c(0)\n/// crc32c(0)\n/* crc32c(\n */\nfn f() -> &'static str { \"crc32c(1)\" }\nconst R: &str = r#\"crc32c\"#;\n")
	cText := write("text.c", "/* crc32c(0) */\n// crc32c(0);\nstatic const char *s = \"crc32c(1)\";\nstatic char c = 'c';\n")
	renamed := write("renamed.rs", "extern \"C\" {\n    #[link_name = \"rust_helper_crc32c\"]\n    fn crc32c(crc: u32, p: *const u8, n: usize) -> u32;\n}\n"+
		"fn g(p: *const u8) -> u32 {\n    unsafe { crc32c(0, p, 1) }\n}\n")
	static := write("static.rs", "extern \"C\" {\n    static mut jiffies_64: u64;\n}\nfn now() -> u64 {\n    unsafe { jiffies_64 }\n}\n")
	for _, tc := range []struct {
		name       string
		rust, c    []string
		sym        string
		file       string
		line, col  int
		declInRust bool
		inC        bool
		related    []string // "line:col message" of the others
	}{
		{"a Rust comment, doc comment or string is not a use", []string{rustText}, nil, "crc32c", "", 0, 0, false, false, nil},
		{"a C comment or string is not a use", nil, []string{cText}, "crc32c", "", 0, 0, false, false, nil},
		{"#[link_name] leads to the Rust name's call", []string{renamed}, nil, "rust_helper_crc32c", renamed, 6, 14, true, false,
			[]string{"3:8 declared here"}},
		{"a static mut is reported where it is declared", []string{static}, nil, "jiffies_64", static, 2, 16, true, false,
			[]string{"5:14 used here"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			use := (&symbolSearch{rustFiles: tc.rust, cFiles: tc.c}).find(tc.sym)
			if p := use.Primary; p.File != tc.file || p.Range.Start.Line != tc.line || p.Range.Start.Column != tc.col {
				t.Errorf("find = %s:%d:%d, want %s:%d:%d", p.File, p.Range.Start.Line, p.Range.Start.Column, tc.file, tc.line, tc.col)
			}
			if use.DeclaredInRust != tc.declInRust || use.InC != tc.inC {
				t.Errorf("declared in Rust %v, in C %v; want %v, %v", use.DeclaredInRust, use.InC, tc.declInRust, tc.inC)
			}
			var rel []string
			for _, r := range use.Related {
				rel = append(rel, fmt.Sprintf("%d:%d %s", r.Range.Start.Line, r.Range.Start.Column, r.Message))
			}
			if !slices.Equal(rel, tc.related) {
				t.Errorf("related %q, want %q", rel, tc.related)
			}
		})
	}
}

// A use in a module file the crate root reaches through `mod` declarations
// (src/net/mod.rs, then src/net/proto.rs) is where an unknown symbol lands.
func TestPlaceUnknownSymbolsNestedModule(t *testing.T) {
	root := t.TempDir()
	if err := copyTree(filepath.Join("testdata", "modules", "base"), root); err != nil {
		t.Fatal(err)
	}
	lib := filepath.Join(root, "src", "lib.rs")
	text, err := os.ReadFile(lib)
	if err != nil {
		t.Fatal(err)
	}
	writeIn(t, root, filepath.Join("src", "lib.rs"), string(text)+"\nmod net;\n")
	if err := os.MkdirAll(filepath.Join(root, "src", "net"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeIn(t, root, filepath.Join("src", "net", "mod.rs"), "mod proto;\n")
	proto := writeIn(t, root, filepath.Join("src", "net", "proto.rs"),
		"// crc32c over the header\nextern \"C\" {\n    fn crc32c(crc: u32, p: *const u8, n: usize) -> u32;\n}\n"+
			"pub fn sum(p: *const u8) -> u32 {\n    unsafe { crc32c(0, p, 4) }\n}\n")
	m, err := module.Load(context.Background(), root, nil)
	if err != nil {
		t.Fatal(err)
	}
	in := []diagnostics.Finding{{File: lib, Range: diagnostics.Point(1, 1), Severity: diagnostics.Error,
		Code: diagnostics.CodeModuleRunFailed, Source: "kernel", Message: "insmod failed: Unknown symbol crc32c (err -2)"}}
	out := PlaceUnknownSymbols(in, func() *module.Module { return m }, "")
	if len(out) != 1 {
		t.Fatalf("got %d findings, want 1: %+v", len(out), out)
	}
	if f := out[0]; f.File != proto || f.Range.Start.Line != 6 || f.Range.Start.Column != 14 || len(f.Related) != 1 || f.Related[0].Range.Start.Line != 3 {
		t.Errorf("crc32c: %s:%d:%d related %+v, want %s:6:14 with the declaration on line 3", f.File, f.Range.Start.Line, f.Range.Start.Column, f.Related, proto)
	}
}

// modpost's undefined symbol gets objcheck's reasons, told apart by where
// the module names it.
func TestUndefinedMessage(t *testing.T) {
	for _, tc := range []struct {
		sym  string
		use  symbolUse
		want []string
	}{
		{"kmalloc", symbolUse{DeclaredInRust: true, InC: true}, []string{`"kmalloc" is not exported by the kernel`,
			"the module declares it in an extern block. If it is a static inline function or a macro"}},
		{"crc32c", symbolUse{InC: true}, []string{"cannot load. The C shim calls it: check its spelling"}},
		{"__adddf3", symbolUse{InC: true}, []string{"It is a floating-point routine"}},
		{"_ZN4core9panicking18panic_bounds_check17h0123456789abcdefE", symbolUse{},
			[]string{`"core::panicking::panic_bounds_check" is not exported`, "It is a panic path from core"}},
		// With the kernel's exports known, a macro around an export is named.
		{"printk", symbolUse{DeclaredInRust: true}, []string{"The kernel exports `_printk`: `printk` is likely a macro"}},
	} {
		msg := undefinedMessage(tc.sym, tc.use, func(s string) bool { return s == "_printk" })
		for _, w := range tc.want {
			if !strings.Contains(msg, w) {
				t.Errorf("undefinedMessage(%s, %+v) = %q, want %q in it", tc.sym, tc.use, msg, w)
			}
		}
	}
}
