package rustsrc

import (
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/bindings/index"
	"github.com/rustko/rustko-lsp/diagnostics"
)

// hoverIndex is a tiny index in the shape bindings/ writes, to test
// rendering and resolution on their own; the server's acceptance tests use
// the real 6.1 headers.
func hoverIndex() *index.Index {
	const hdr = "/k/include/linux/fs.h"
	return &index.Index{Version: index.Version, Kernel: "test", Items: []*index.Item{
		{Name: "file_operations", Kind: index.Struct, Decl: "struct file_operations {\n\tstruct module *owner;\n\tssize_t (*read)(void);\n}",
			Pos: index.Pos{File: hdr, Line: 2, Column: 8}, Rust: "file_operations", RustDecl: "#[repr(C)]\npub struct file_operations { ... }",
			Size: 280, Align: 8, Fields: []index.Field{
				{Name: "owner", RustName: "owner", CType: "struct module *", Offset: 0},
				{Name: "read", RustName: "read", CType: "ssize_t (*)(void)", Offset: 8, Decl: "ssize_t (*read)(void)", Pos: index.Pos{File: hdr, Line: 4, Column: 12}},
			}},
		{Name: "GFP_KERNEL", Kind: index.Macro, Decl: "#define GFP_KERNEL (__GFP_RECLAIM | __GFP_IO | __GFP_FS)",
			Pos: index.Pos{File: hdr, Line: 6, Column: 9}, Rust: "GFP_KERNEL", RustDecl: "pub const GFP_KERNEL: gfp_t = 0xcc0;",
			Value: "0xcc0", ValueType: "gfp_t", Expansion: "(__GFP_RECLAIM | __GFP_IO | __GFP_FS)"},
		{Name: "kmalloc", Kind: index.InlineFunction, Decl: "static inline void *kmalloc(size_t size, gfp_t flags)",
			Pos: index.Pos{File: hdr, Line: 1, Column: 1}, Why: "static inline: no symbol to link",
			Verdict: &index.Verdict{Class: "inline", Advice: "add kmalloc to KERNEL_HELPERS to get a C wrapper", Target: "__kmalloc"}},
		{Name: "msleep", Kind: index.Function, Decl: "void msleep(unsigned int msecs)",
			Pos: index.Pos{File: "/k/include/linux/delay.h", Line: 3, Column: 6}, Rust: "msleep", Export: index.Exported},
	}}
}

const hoverSrc = `use bindings::msleep as nap;
use bindings::file_operations as Fops;
static EMPTY: Fops = Fops { owner: core::ptr::null_mut(), ..ZERO };
extern "C" {
    #[link_name = "msleep"]
    fn sleep_ms(ms: u32);
}
static mut FOPS: bindings::file_operations = bindings::file_operations {
    read: None,
    ..EMPTY
};
fn f(o: &bindings::file_operations) {
    let p = bindings::kmalloc(8, bindings::GFP_KERNEL);
    let r = o.read;
    nap(1);
    unsafe { sleep_ms(1) };
}
`

func TestHoverAndDefinition(t *testing.T) {
	ix := hoverIndex()
	f, err := ParseWith("/m/src/lib.rs", []byte(hoverSrc), &Env{Index: ix})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		at       string // the cursor is on the first byte of the first occurrence
		markdown bool
		want     []string
		def      diagnostics.Position // zero: no definition
		byName   bool                 // spelling alone finds it too
	}{
		{"record, markdown", "file_operations {", true, []string{"**struct file_operations** (kernel C)", "```c\nstruct file_operations {", "size 280 bytes, align 8", "```rust\n#[repr(C)]", "[/k/include/linux/fs.h:2](file:///k/include/linux/fs.h#L2)"}, diagnostics.Position{Line: 2, Column: 8}, true},
		{"literal field, at its own declarator", "read:", true, []string{"field read of struct file_operations", "```c\nssize_t (*read)(void);\n```", "offset 8 bytes", "(size 280, align 8)", "fs.h:4]"}, diagnostics.Position{Line: 4, Column: 12}, true},
		{"x.field, the one record with it", "read;", false, []string{"field read of struct file_operations", "offset 8 bytes"}, diagnostics.Position{Line: 4, Column: 12}, true},
		{"macro, plain text", "GFP_KERNEL)", false, []string{"macro GFP_KERNEL (kernel C)", "value 0xcc0 (C type gfp_t)", "expands to (__GFP_RECLAIM | __GFP_IO | __GFP_FS)", "    pub const GFP_KERNEL", "declared in /k/include/linux/fs.h:6\n"}, diagnostics.Position{Line: 6, Column: 9}, true},
		{"inline function verdict", "kmalloc(", true, []string{"inline-function kmalloc", "inline: add kmalloc to KERNEL_HELPERS to get a C wrapper (use __kmalloc)", "no Rust item: static inline"}, diagnostics.Position{Line: 1, Column: 1}, true},
		// Only the analysis's resolver knows these names.
		{"renamed import", "nap(", true, []string{"**function msleep**", "exported to modules"}, diagnostics.Position{Line: 3, Column: 6}, false},
		{"link_name", "sleep_ms(1)", true, []string{"**function msleep**"}, diagnostics.Position{Line: 3, Column: 6}, false},
		{"field of a renamed record", "owner:", false, []string{"field owner of struct file_operations", "offset 0 bytes"}, diagnostics.Position{Line: 2, Column: 8}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			off := strings.Index(hoverSrc, tc.at)
			if off < 0 {
				t.Fatalf("%q not in the source", tc.at)
			}
			for _, file := range []*File{f, nil} {
				c := Cursor{Src: hoverSrc, Offset: off, File: file, Index: ix}
				h, ok := Hover(c, tc.markdown)
				if file == nil && !tc.byName {
					if ok {
						t.Errorf("by spelling alone: %q, want nothing", h.Text)
					}
					continue
				}
				if !ok {
					t.Fatalf("no hover (analysed: %v)", file != nil)
				}
				for _, w := range tc.want {
					if !strings.Contains(h.Text, w) {
						t.Errorf("hover lacks %q:\n%s", w, h.Text)
					}
				}
				if !tc.markdown && strings.Contains(h.Text, "```") {
					t.Errorf("plain-text hover contains markdown:\n%s", h.Text)
				}
				if name := strings.TrimRight(tc.at, " {(:;)1"); hoverSrc[h.Start:h.End] != name {
					t.Errorf("range covers %q, want %q", hoverSrc[h.Start:h.End], name)
				}
				locs := Definition(c)
				if len(locs) != 1 || locs[0].Range.Start != tc.def || locs[0].Range.End != tc.def {
					t.Errorf("definition = %+v, want %+v", locs, tc.def)
				}
			}
		})
	}
}

func TestHoverOnNothing(t *testing.T) {
	src := "fn main() { let local = 1; }\n"
	for _, off := range []int{0, 3, 16, 28, 500} {
		if h, ok := Hover(Cursor{Src: src, Offset: off, Index: hoverIndex()}, true); ok {
			t.Errorf("hover at %d = %q, want none", off, h.Text)
		}
	}
	if _, ok := Hover(Cursor{Src: hoverSrc, Offset: strings.Index(hoverSrc, "kmalloc")}, true); ok {
		t.Error("a hover without an index")
	}
}

func TestItemNamed(t *testing.T) {
	ix := hoverIndex()
	ix.Items = append(ix.Items, &index.Item{Name: "stat", Kind: index.Function}, &index.Item{Name: "stat", Kind: index.Struct})
	if it := ItemNamed(ix, "stat"); it == nil || it.Kind != index.Struct {
		t.Errorf("ItemNamed(stat) = %+v, want the struct", it)
	}
	if it := ItemNamed(ix, "nothing"); it != nil {
		t.Errorf("ItemNamed(nothing) = %+v", it)
	}
}

func TestIdentAt(t *testing.T) {
	src := `static mut FOPS: bindings::file_operations = bindings::file_operations {
    owner: core::ptr::null_mut(),
    read: None,
    ..EMPTY
};
fn f(p: *mut bindings::file) { let n = unsafe { (*p).f_flags }; let g = bindings::GFP_KERNEL; }`
	tests := []struct {
		at     string // first occurrence of this text; the cursor is on its first byte
		name   string
		field  bool
		record string
		path   []string
	}{
		{"file_operations =", "file_operations", false, "", []string{"bindings"}},
		{"owner", "owner", true, "file_operations", nil},
		{"read", "read", true, "file_operations", nil},
		{"f_flags", "f_flags", true, "", nil},
		{"GFP_KERNEL", "GFP_KERNEL", false, "", []string{"bindings"}},
		{"null_mut", "null_mut", false, "", []string{"core", "ptr"}},
	}
	for _, tc := range tests {
		off := strings.Index(src, tc.at)
		id, ok := identAt(src, off)
		if !ok {
			t.Errorf("%q: no identifier", tc.at)
			continue
		}
		if id.name != tc.name || id.field != tc.field || id.record != tc.record || strings.Join(id.path, "::") != strings.Join(tc.path, "::") {
			t.Errorf("%q: got %+v, want name %s field %v record %q path %v", tc.at, id, tc.name, tc.field, tc.record, tc.path)
		}
	}
	if _, ok := identAt(src, strings.Index(src, "unsafe")); ok {
		t.Error("a keyword was taken for an identifier")
	}
	if id, ok := identAt("abc", 3); !ok || id.name != "abc" {
		t.Errorf("cursor after the last letter: %+v %v", id, ok)
	}
}

func TestClipLines(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{
		{"a\nb\n", 2, "a\nb"},
		{"a\nb\nc", 2, "a\nb\n… (1 more lines)"},
		{"a", 1, "a"},
	} {
		if got := clipLines(tc.s, tc.n); got != tc.want {
			t.Errorf("clipLines(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}

// TestHoverOnRustNames: a name the analysis resolved to nothing is Rust's own
// (a parameter, a local, another crate's macro) even when a kernel item is
// spelled the same, so it gets no kernel hover or definition; in a comment,
// where the resolver does not look, and in text not analysed yet, spelling
// still answers, except through a path that is not the bindings module.
func TestHoverOnRustNames(t *testing.T) {
	const src = `fn open(msleep: u32, file_operations: u32) -> u32 {
    let kmalloc = msleep + file_operations;
    rustko::kmalloc!("{}", kmalloc);
    // msleep(1) would sleep.
    kmalloc
}
`
	ix := hoverIndex()
	f, err := ParseWith("/m/src/lib.rs", []byte(src), &Env{Index: ix})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		at                 string // the cursor is on the first byte of the first occurrence
		analysed, unparsed bool   // a hover with and without the analysis
	}{
		{"msleep:", false, true},
		{"file_operations:", false, true},
		{"kmalloc =", false, true},
		{"kmalloc!", false, false},
		{"kmalloc);", false, true},
		{"msleep(1)", true, true},
	}
	for _, tc := range tests {
		off := strings.Index(src, tc.at)
		for _, file := range []*File{f, nil} {
			want := tc.unparsed
			if file != nil {
				want = tc.analysed
			}
			c := Cursor{Src: src, Offset: off, File: file, Index: ix}
			h, ok := Hover(c, false)
			if ok != want {
				t.Errorf("%q (analysed: %v): hover %v, want %v: %+v", tc.at, file != nil, ok, want, h)
			}
			if locs := Definition(c); (len(locs) > 0) != want {
				t.Errorf("%q (analysed: %v): definition %+v, want one: %v", tc.at, file != nil, locs, want)
			}
		}
	}
}
