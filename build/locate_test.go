package build

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLocateSymbol(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	lib := write("lib.rs", "// crc32c in a comment\nfn f() {}\n")
	shim := write("shim.c", "#include <linux/crc32c.h>\n/* crc32c */\nu32 sum(const u8 *p, size_t n)\n{\n\treturn crc32c(0, p, n);\n}\n")
	rustCall := write("call.rs", "extern \"C\" { fn crc32c(crc: u32, p: *const u8, n: usize) -> u32; }\nfn g() { unsafe { crc32c(0, core::ptr::null(), 0); } }\n")
	for _, tc := range []struct {
		name       string
		rust       []string
		file       string
		line, col  int
		ok         bool
		wantOthers int
	}{
		{"only the C shim calls it", []string{lib}, shim, 5, 9, true, 0},
		{"a Rust call comes first", []string{lib, rustCall}, rustCall, 2, 19, true, 2},
		{"nobody names it", []string{lib}, "", 0, 0, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := []string{shim}
			if !tc.ok {
				c = nil
			}
			p, others, ok := LocateSymbol(tc.rust, c, "", "crc32c")
			if ok != tc.ok || p.File != tc.file || p.Range.Start.Line != tc.line || p.Range.Start.Column != tc.col {
				t.Errorf("LocateSymbol = %s:%d:%d %v, want %s:%d:%d %v", p.File, p.Range.Start.Line, p.Range.Start.Column, ok, tc.file, tc.line, tc.col, tc.ok)
			}
			if len(others) != tc.wantOthers {
				t.Errorf("others %+v, want %d", others, tc.wantOthers)
			}
		})
	}
}
