package rustsrc

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/diagnostics/rustsrc/internal/syntax"
)

// TestMayDeclareModFile: the pre-scan never says "no" for a file with an
// out-of-line `mod name;`, and says "no" for files that only mention mod in
// comments, strings, raw identifiers and inline modules.
func TestMayDeclareModFile(t *testing.T) {
	for _, c := range []struct {
		src  string
		want bool
	}{
		{"mod a;", true},
		{"pub mod a;\n", true},
		{"pub(crate) mod a ;", true},
		{"#[path = \"x.rs\"]\nmod a;", true},
		{"#[cfg(test)] mod tests;", true},
		{"mod r#type;", true},
		{"mod a /* why */ ;", true},
		{"mod a // why\n;", true},
		{"mod inner { mod deeper; }", true},
		{"fn f() {}\nmod", true}, // cut short: unsure
		{"mod a { fn f() {} }", false},
		{"// `mod bindings;`\nfn f() {}", false},
		{"/* mod a; /* nested */ mod b; */ fn f() {}", false},
		{`const S: &str = "mod a;";`, false},
		{`const S: &str = "\" mod a;";`, false},
		{`const S: &str = r##"mod a; "# still"##;`, false},
		{`const S: &[u8] = br"mod a;";`, false},
		{`const C: char = '"'; const D: &str = "mod a;";`, false},
		{`const C: char = '\''; const D: &str = "mod a;";`, false},
		{`const C: char = 'é'; const D: &str = "mod a;";`, false},
		{`fn f<'a>(x: &'a str) -> &'a str { x } // mod a;`, false},
		{"pub r#mod: *mut module,", false},
		{"struct S { module: u8 }", false},
		{"/* unterminated mod a;", true},
		{`"unterminated mod a;`, true},
		{"macro_rules! m { ($n:ident) => { mod $n; } }", false},
	} {
		if got := mayDeclareModFile([]byte(c.src)); got != c.want {
			t.Errorf("mayDeclareModFile(%q) = %v, want %v", c.src, got, c.want)
		}
	}
}

// TestMayDeclareModFileAgreesWithParser: on every Rust file of the
// repository, a file whose syntax tree has an out-of-line mod item is one
// the pre-scan would parse.
func TestMayDeclareModFileAgreesWithParser(t *testing.T) {
	root := filepath.Join("..", "..")
	checked, withMod := 0, 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "third_party" || d.Name() == ".git" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".rs") {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		tr, err := syntax.ParseTree(syntax.Rust, src)
		if err != nil {
			return err
		}
		has := false
		tr.Root.Walk(func(n *syntax.Node) bool {
			if n.Kind == "mod_item" && n.ChildByField("body") == nil && n.ChildByField("name").Text() != "" {
				has = true
			}
			return !has
		})
		checked++
		if has {
			withMod++
			if !mayDeclareModFile(src) {
				t.Errorf("%s declares an out-of-line module, but the pre-scan would skip it", p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 10 || withMod == 0 {
		t.Fatalf("checked %d files, %d with out-of-line modules: the walk found too little to mean anything", checked, withMod)
	}
	t.Logf("%d Rust files, %d with out-of-line modules", checked, withMod)
}
