package rustsrc

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// Where a Rust file names a linker symbol, as the build places modpost's
// and insmod's symbol errors: "line:col" plus d (declaration) or c (call).
func TestSymbolUses(t *testing.T) {
	tests := []struct {
		name      string
		src       string
		sym, word string
		want      []string
	}{
		{"a call, a path call, a turbofish and a plain reference",
			"fn f() {\n    kmalloc(1);\n    bindings::kmalloc(2);\n    let p = kmalloc::<u8>;\n    let g = kmalloc;\n}\n",
			"kmalloc", "kmalloc", []string{"2:5 c", "3:15 c", "4:13 c", "5:13"}},
		{"comments and strings are not uses",
			"// kmalloc(1)\n/* kmalloc(\n kmalloc( */\n/// kmalloc(\nfn f() {\n    let s = \"kmalloc(1)\";\n    let r = r#\"kmalloc(\"#;\n    let b = b\"kmalloc\";\n    let c = 'k';\n}\n",
			"kmalloc", "kmalloc", nil},
		{"attributes and fields are not uses, nor longer words",
			"#[cfg(kmalloc)]\nfn f(p: &S) {\n    p.kmalloc;\n    my_kmalloc(1);\n    kmalloc_x(1);\n}\n",
			"kmalloc", "kmalloc", nil},
		{"#[link_name] gives the symbol a Rust name",
			"extern \"C\" {\n    #[link_name = \"rust_helper_spin_lock\"]\n    fn spin_lock(l: *mut u8);\n}\nfn f(p: *mut u8) {\n    unsafe { spin_lock(p) }\n}\n",
			"rust_helper_spin_lock", "rust_helper_spin_lock", []string{"3:8 d", "6:14 c"}},
		{"#[link_name] for another symbol renames nothing",
			"extern \"C\" {\n    #[link_name = \"other\"]\n    fn spin_lock(l: *mut u8);\n}\n",
			"rust_helper_spin_lock", "rust_helper_spin_lock", nil},
		{"the symbol's own name comes before its #[link_name] alias",
			"fn f() { alias(); sym(); }\nextern \"C\" {\n    #[link_name = \"sym\"]\n    static alias: u32;\n}\n",
			"sym", "sym", []string{"1:19 c", "1:10 c", "4:12 d"}},
		{"a static mut declaration, read in code",
			"extern \"C\" {\n    static mut jiffies_64: u64;\n}\nfn now() -> u64 {\n    unsafe { jiffies_64 }\n}\n",
			"jiffies_64", "jiffies_64", []string{"2:16 d", "5:14"}},
		{"a function definition and its calls",
			"#[no_mangle]\npub extern \"C\" fn rust_main() {}\nfn g() { rust_main() }\n",
			"rust_main", "rust_main", []string{"2:19 d", "3:10 c"}},
		{"inside a macro's tokens",
			"fn f() {\n    pr_info!(\"{}\", crc32c(0, p, n));\n    m!(crc32c::<u8>, x.crc32c, crc32c);\n}\n",
			"crc32c", "crc32c", []string{"2:20 c", "3:8 c", "3:32"}},
		{"a core symbol by its last path segment",
			"fn f() { panic_bounds_check(1, 2) }\n",
			"_ZN4core9panicking18panic_bounds_check17h0123456789abcdefE", "panic_bounds_check", []string{"1:10 c"}},
		{"code that does not parse still has its uses",
			"fn f( {\n    kmalloc(1);\n",
			"kmalloc", "kmalloc", []string{"2:5 c"}},
		{"a file that never names it", "fn f() {}\n", "kmalloc", "kmalloc", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			uses, err := SymbolUses([]byte(tt.src), tt.sym, tt.word)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, u := range uses {
				s := fmt.Sprintf("%d:%d", u.Range.Start.Line, u.Range.Start.Column)
				switch {
				case u.Decl:
					s += " d"
				case u.Call:
					s += " c"
				}
				if u.Range.End.Line != u.Range.Start.Line || u.Range.End.Column-u.Range.Start.Column != len(u.Name) {
					t.Errorf("%s: range %v does not cover %q", s, u.Range, u.Name)
				}
				got = append(got, s)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("uses = %q, want %q", got, tt.want)
			}
		})
	}
}

// Whatever the text, the uses are identifiers spelled as asked, on the
// text's lines.
func FuzzSymbolUses(f *testing.F) {
	f.Add("extern \"C\" {\n    #[link_name = \"s\"]\n    fn a();\n}\nfn f() { m!(a(), x.s, s::<u8>); bindings::s(); }\n", "s")
	f.Add("fn f( { s(", "s")
	f.Fuzz(func(t *testing.T, src, sym string) {
		uses, err := SymbolUses([]byte(src), sym, sym)
		if err != nil {
			t.Skip(err)
		}
		lines := strings.Split(src, "\n")
		for _, u := range uses {
			l := u.Range.Start.Line
			if l < 1 || l > len(lines) || u.Range.Start.Column < 1 || u.Range.End.Column-1 > len(lines[l-1]) ||
				lines[l-1][u.Range.Start.Column-1:u.Range.End.Column-1] != u.Name {
				t.Fatalf("use %+v is not %q in the text", u, u.Name)
			}
		}
	})
}
