package syntax

import (
	"context"
	"fmt"
	"strings"
	"testing"

	sitter "github.com/smacker/go-tree-sitter"
	"github.com/smacker/go-tree-sitter/c"
	"github.com/smacker/go-tree-sitter/rust"

	"github.com/rustko/rustko-lsp/internal/cputime"
)

const sample = `use bindings::{kmalloc, kfree as free};
macro_rules! m { ($x:expr) => { bindings::_printk($x.y) }; }
extern "C" {
    fn printk(fmt: *const c_char, ...) -> c_int;
}
#[no_mangle]
pub fn rust_main() {
    let x: f64 = 1.5 * y; // naïve comment with UTF-8
    unsafe { kernel::__kmalloc(64, 0x90); }
    broken(
}
`

// TestMatchesGoBinding checks the C mirror against go-tree-sitter's own Go
// walk node by node: same kinds, fields, byte ranges and points, punctuation
// tokens left out (unless tree-sitter inserted them as MISSING).
func TestMatchesGoBinding(t *testing.T) {
	for _, tc := range []struct {
		name string
		lang *Language
		ref  *sitter.Language
		src  string
	}{
		{"rust", Rust, rust.GetLanguage(), sample},
		{"c", CLang, c.GetLanguage(), "#include <linux/module.h>\nextern void rust_main(void);\nstatic int __init hello_init(void) { rust_main(); return 0; }\nmodule_init(hello_init);\n"},
		{"empty", Rust, rust.GetLanguage(), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root, err := Parse(tc.lang, []byte(tc.src))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			root.Walk(func(n *Node) bool {
				got = append(got, describe(n.Kind, n.Field, n.Start, n.End, n.Line, n.Col, n.EndLine, n.EndCol, n.Named))
				return true
			})
			want := goWalk(tc.ref, []byte(tc.src))
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("flattened tree differs from go-tree-sitter's:\n got: %v\nwant: %v", got, want)
			}
		})
	}
}

func describe(kind, field string, s, e, l, c, el, ec int, named bool) string {
	return fmt.Sprintf("%s/%s [%d,%d) %d:%d-%d:%d %v", kind, field, s, e, l, c, el, ec, named)
}

func goWalk(lang *sitter.Language, src []byte) []string {
	root, err := sitter.ParseCtx(context.Background(), src, lang)
	if err != nil {
		panic(err)
	}
	var out []string
	var rec func(n *sitter.Node, field string)
	rec = func(n *sitter.Node, field string) {
		if p := n.Parent(); p != nil && !n.IsNamed() && !n.IsMissing() && isPunctuation(n.Type()) && !keepsPunctuation[p.Type()] {
			return
		}
		sp, ep := n.StartPoint(), n.EndPoint()
		out = append(out, describe(n.Type(), field, int(n.StartByte()), int(n.EndByte()), int(sp.Row)+1, int(sp.Column)+1, int(ep.Row)+1, int(ep.Column)+1, n.IsNamed()))
		for i := 0; i < int(n.ChildCount()); i++ {
			rec(n.Child(i), n.FieldNameForChild(i))
		}
	}
	rec(root, "")
	return out
}

func TestIsPunctuation(t *testing.T) {
	for name, want := range map[string]bool{
		"(": true, "::": true, "->": true, "#": true, "'": true, "\"": true, "...": true,
		"fn": false, "mut": false, "_": false, "": false, "r#": false, "u8": false,
	} {
		if got := isPunctuation(name); got != want {
			t.Errorf("isPunctuation(%q) = %v, want %v", name, got, want)
		}
	}
}

// A semicolon tree-sitter inserted to recover stays in the tree: it is how
// rustko knows the code is broken there.
func TestMissingPunctuationKept(t *testing.T) {
	root, err := Parse(Rust, []byte("fn f() { let x = 1 }"))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	root.Walk(func(n *Node) bool {
		found = found || n.Missing && n.Kind == ";"
		return true
	})
	if !found {
		t.Fatalf("no MISSING \";\" in:\n%s", dumpTree(root))
	}
}

func TestErrorsAreNodes(t *testing.T) {
	root, err := Parse(Rust, []byte("fn f( {"))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	root.Walk(func(n *Node) bool {
		found = found || n.Error
		return true
	})
	if !found {
		t.Fatal("no ERROR/MISSING node for broken input")
	}
}

func TestDeepNesting(t *testing.T) {
	src := "fn f() { let x = " + strings.Repeat("(", 20000) + "1" + strings.Repeat(")", 20000) + "; }"
	root, err := Parse(Rust, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	root.Walk(func(*Node) bool { n++; return true })
	if n == 0 {
		t.Fatal("no nodes")
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(sample))
	f.Add([]byte("fn f( {"))
	f.Add([]byte("\xff\xfe\x00"))
	f.Fuzz(func(t *testing.T, src []byte) {
		root, err := Parse(Rust, src)
		if err != nil {
			return
		}
		root.Walk(func(n *Node) bool {
			if n.Start > n.End || n.End > len(src) {
				t.Fatalf("node %s has range [%d,%d) outside the %d-byte input", n.Kind, n.Start, n.End, len(src))
			}
			_ = n.Text()
			return true
		})
	})
}

func BenchmarkParse2000(b *testing.B) {
	var sb strings.Builder
	for sb.Len() == 0 || strings.Count(sb.String(), "\n") < 2000 {
		sb.WriteString(sample[:strings.Index(sample, "    broken")])
		sb.WriteString("}\n")
	}
	src := []byte(sb.String())
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := Parse(Rust, src); err != nil {
			b.Fatal(err)
		}
	}
}

// TestReparse checks that an incremental parse gives the same tree as a
// fresh one, for edits at the start, middle and end, insertions and
// deletions, and leaves the old tree as it was.
func TestReparse(t *testing.T) {
	edits := []func(string) string{
		func(s string) string { return "// new first line\n" + s },
		func(s string) string { return strings.Replace(s, "kmalloc", "kzalloc", 1) },
		func(s string) string { return strings.Replace(s, "    broken(\n", "", 1) },
		func(s string) string { return s + "fn tail() {}\n" },
		func(s string) string { return strings.Replace(s, "1.5 * y", "1.5 * y + naïve(2)", 1) },
		func(s string) string { return "" },
		func(s string) string { return s[:len(s)/2] },
	}
	for i, edit := range edits {
		old, err := ParseTree(Rust, []byte(sample))
		if err != nil {
			t.Fatal(err)
		}
		before := dumpTree(old.Root)
		newSrc := []byte(edit(sample))
		_, diff, err := reparseVsFresh(old, newSrc)
		if err != nil {
			t.Fatal(err)
		}
		if diff != "" {
			t.Errorf("edit %d: %s", i, diff)
		}
		if dumpTree(old.Root) != before {
			t.Errorf("edit %d: the old tree changed", i)
		}
	}
}

// reparseVsFresh reparses old as newSrc and parses newSrc afresh; diff says
// how the two trees differ ("" when they agree).
func reparseVsFresh(old *Tree, newSrc []byte) (re *Tree, diff string, err error) {
	re, err = old.Reparse(newSrc)
	if err != nil {
		return nil, "", err
	}
	fresh, err := ParseTree(Rust, newSrc)
	if err != nil {
		return nil, "", err
	}
	if got, want := dumpTree(re.Root), dumpTree(fresh.Root); got != want {
		diff = fmt.Sprintf("incremental parse differs from a fresh one:\n%s\nwant\n%s", got, want)
	}
	return re, diff, nil
}

func dumpTree(n *Node) string {
	var b strings.Builder
	n.Walk(func(n *Node) bool {
		for _, c := range n.Children {
			if c.Parent != n {
				fmt.Fprintf(&b, "BAD PARENT of %s at %d\n", c.Kind, c.Start)
			}
		}
		fmt.Fprintf(&b, "%s/%s[%d,%d)%d:%d-%d:%d %q\n", n.Kind, n.Field, n.Start, n.End, n.Line, n.Col, n.EndLine, n.EndCol, n.Text())
		return true
	})
	return b.String()
}

// TestReparseReusesUnchangedItems: an edit inside one function of many
// copies the other functions' subtrees from the old tree (moved to their new
// place) instead of flattening them again, and the result is the tree a
// fresh parse gives.
func TestReparseReusesUnchangedItems(t *testing.T) {
	var sb strings.Builder
	for i := range 40 {
		fmt.Fprintf(&sb, "fn f%d(x: u32) -> u32 {\n    let y = x + %d;\n    y\n}\n\n", i, i)
	}
	src := sb.String()
	mid := strings.Index(src, "fn f20")
	edits := []struct {
		name  string
		edit  func(string) string
		reuse bool
	}{
		{"insert a line", func(s string) string { return s[:mid] + "// note\n" + s[mid:] }, true},
		{"insert a statement", func(s string) string {
			i := strings.Index(s, "let y = x + 20;")
			return s[:i] + "let z = kmalloc(8, GFP_KERNEL);\n    " + s[i:]
		}, true},
		{"delete a function", func(s string) string { return s[:mid] + s[strings.Index(s, "fn f21"):] }, true},
		{"break a brace", func(s string) string {
			return strings.Replace(s, "fn f20(x: u32) -> u32 {", "fn f20(x: u32) -> u32 ", 1)
		}, false},
		{"same line as the next item", func(s string) string { return s[:mid-1] + "struct S; " + s[mid:] }, true},
		{"unchanged", func(s string) string { return s }, true},
	}
	for _, tc := range edits {
		t.Run(tc.name, func(t *testing.T) {
			old, err := ParseTree(Rust, []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			before := dumpTree(old.Root)
			newSrc := []byte(tc.edit(src))
			re, diff, err := reparseVsFresh(old, newSrc)
			if err != nil {
				t.Fatal(err)
			}
			if diff != "" {
				t.Fatal(diff)
			}
			if dumpTree(old.Root) != before {
				t.Error("the old tree changed")
			}
			if tc.reuse && re.reused == 0 {
				t.Error("nothing was reused from the old tree")
			}
			t.Logf("%d nodes reused", re.reused)
		})
	}
}

// FuzzReparse: any edit of any text reparses to the tree a fresh parse of the
// new text gives, whatever was reused.
func FuzzReparse(f *testing.F) {
	f.Add([]byte(sample), 40, 3, []byte("x"))
	f.Add([]byte("fn a() {}\nfn b() {}\nfn c() {}\n"), 10, 0, []byte("}\n"))
	f.Add([]byte("fn a() {}\nfn b() {}\n"), 0, 0, []byte("/* "))
	f.Add([]byte("struct S;\nfn b() { let x = 1; }\n"), 10, 10, []byte(""))
	f.Fuzz(func(t *testing.T, src []byte, at, del int, ins []byte) {
		if len(src) > 4096 || len(ins) > 256 {
			return
		}
		at = min(max(at, 0), len(src))
		del = min(max(del, 0), len(src)-at)
		newSrc := append(append(append([]byte(nil), src[:at]...), ins...), src[at+del:]...)
		old, err := ParseTree(Rust, src)
		if err != nil {
			return
		}
		_, diff, err := reparseVsFresh(old, newSrc)
		if err != nil {
			t.Fatal(err)
		}
		if diff != "" {
			t.Fatal(diff)
		}
	})
}

func BenchmarkReparse2000(b *testing.B) {
	var sb strings.Builder
	for strings.Count(sb.String(), "\n") < 2000 {
		sb.WriteString(sample[:strings.Index(sample, "    broken")])
		sb.WriteString("}\n")
	}
	src := []byte(sb.String())
	t, err := ParseTree(Rust, src)
	if err != nil {
		b.Fatal(err)
	}
	// A keystroke in the middle of the file.
	mid := len(src) / 2
	edited := append(append(append([]byte(nil), src[:mid]...), 'x'), src[mid:]...)
	for _, reuse := range []bool{true, false} {
		b.Run(fmt.Sprintf("reuse=%v", reuse), func(b *testing.B) {
			noReuse = !reuse
			defer func() { noReuse = false }()
			cpu0 := cputime.Process()
			for b.Loop() {
				if _, err := t.Reparse(edited); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
		})
	}
}
