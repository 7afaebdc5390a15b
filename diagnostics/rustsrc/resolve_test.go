package rustsrc

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/bindings/index"
)

// refsOf resolves src against the fixture index and returns each reference
// as "line:col name via role item-kind".
func refsOf(t *testing.T, src string, paths ...string) []string {
	t.Helper()
	env := &Env{Index: fixtureIndex(t), BindingsPaths: paths}
	f, err := ParseWith("/m/src/lib.rs", []byte(src), env)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range f.refs {
		kind := index.Kind("-")
		if r.Item != nil {
			kind = r.Item.Kind
		}
		role := "code"
		if r.role != roleCode {
			role = "decl"
		}
		out = append(out, fmt.Sprintf("%d:%d %s %s %s %s", r.Range.Start.Line, r.Range.Start.Column, r.Name, r.Via, role, kind))
	}
	return out
}

func TestResolve(t *testing.T) {
	for _, tc := range []struct {
		name  string
		src   string
		paths []string
		want  []string
	}{
		{"path", "fn f() { bindings::kfree(p); crate::bindings::kfree(p); }", nil,
			[]string{"1:20 kfree path code function", "1:47 kfree path code function"}},
		{"rust.ko re-exports", "use std::os::kernel;\nfn f() { kernel::__kmalloc(1, 2); os::kernel::kfree(p); }", nil,
			[]string{"2:18 __kmalloc path code function", "2:47 kfree path code function"}},
		{"configured path", "fn f() { ffi::kfree(p); bindings::kfree(p); }", []string{"ffi"},
			[]string{"1:15 kfree path code function"}},
		{"use list and alias", "use bindings::{kmalloc, kfree as free};\nfn f() { free(kmalloc(1, 2)); }", nil,
			[]string{"1:16 kmalloc use decl inline-function", "1:25 kfree use decl function", "2:10 kfree use code function", "2:15 kmalloc use code inline-function"}},
		{"module alias", "use crate::bindings as b;\nfn f() { b::kfree(p); }", nil,
			[]string{"2:13 kfree path code function"}},
		{"glob, shadowed by locals", "use bindings::*;\nfn kfree() {}\nfn f(msleep: u32) { kfree(); __kmalloc(1, GFP_KERNEL); let do_exit = 1; do_exit; }", nil,
			[]string{"3:30 __kmalloc glob code function", "3:43 GFP_KERNEL glob code macro"}},
		{"extern block with link_name", "extern \"C\" {\n    #[link_name = \"__kmalloc\"]\n    fn alloc(n: usize, f: u32) -> *mut u8;\n}\nfn f() { alloc(1, 0); }", nil,
			[]string{"3:8 __kmalloc extern decl function", "5:10 __kmalloc extern code function"}},
		{"types", "fn f(p: *mut bindings::file, q: bindings::gfp_t) {}", nil,
			[]string{"1:24 file path code struct", "1:43 gfp_t path code typedef"}},
		{"macro tokens", "fn f() { my_log!(bindings::_printk(x), y.kfree); }", nil,
			[]string{"1:28 _printk path code function"}},
		{"unknown name", "fn f() { bindings::nope(); }", nil,
			[]string{"1:20 nope path code -"}},
		{"rust ABI extern is not C", "extern \"Rust\" { fn kfree(p: *const u8); }\nfn f() { kfree(p); }", nil, nil},
		{"broken code still resolves", "fn f() { bindings::kfree(p\nfn g() { bindings::msleep(", nil,
			[]string{"1:20 kfree path code function", "2:20 msleep path code function"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := refsOf(t, tc.src, tc.paths...)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tc.want, "\n  "))
			}
		})
	}
}

// TestRefAtCursor: a cursor at an identifier's start, inside it or just
// after it (where editors put the cursor after typing) finds the resolver's
// reference, the way hover and definition ask (identAt, then refAt).
func TestRefAtCursor(t *testing.T) {
	src := "use bindings::kfree;\nfn f() {\n    kfree(p); bindings::msleep(1);\n}\n"
	lines := strings.SplitAfter(src, "\n")
	at := func(f *File, line, col int) *cRef {
		off := -1 // no such line: nothing under the cursor
		if line >= 1 && line <= len(lines) {
			off = len(strings.Join(lines[:line-1], "")) + col - 1
		}
		id, ok := identAt(src, off)
		if !ok {
			return nil
		}
		return f.refAt(id.start)
	}
	f, err := ParseWith("/m/src/lib.rs", []byte(src), &Env{Index: fixtureIndex(t)})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		line, col int
		want      string
	}{
		{3, 5, "kfree"}, {3, 7, "kfree"}, {3, 10, "kfree"}, // start, middle, just after
		{3, 11, ""}, {3, 15, ""}, {3, 25, "msleep"}, {3, 30, "msleep"},
		{1, 15, "kfree"}, {2, 1, ""}, {99, 1, ""}, {0, 0, ""},
	} {
		got := ""
		if r := at(f, tc.line, tc.col); r != nil {
			got = r.Name
		}
		if got != tc.want {
			t.Errorf("ref at %d:%d = %q, want %q", tc.line, tc.col, got, tc.want)
		}
	}
	if r := at(f, 3, 5); r == nil || r.Item == nil || r.Item.Pos.Line == 0 || r.Via != viaUse {
		t.Errorf("kfree resolved without its item or via: %+v", r)
	}
	// Without an environment the paths are still found, without items.
	pf, err := ParseWith("/m/src/lib.rs", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	if r := at(pf, 3, 25); r == nil || r.Item != nil || r.Name != "msleep" {
		t.Errorf("without an environment: got %+v", r)
	}
}
