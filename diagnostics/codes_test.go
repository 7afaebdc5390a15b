package diagnostics

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// TestRegistryHasEveryConstant: a Code constant declared in codes.go but
// left out of the table would reach users without a description.
func TestRegistryHasEveryConstant(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "codes.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			for i, name := range vs.Names {
				if !strings.HasPrefix(name.Name, "Code") {
					continue
				}
				n++
				code, err := strconv.Unquote(vs.Values[i].(*ast.BasicLit).Value)
				if err != nil {
					t.Fatal(err)
				}
				r, ok := Lookup(code)
				if !ok {
					t.Errorf("%s = %q is not in the registry", name.Name, code)
					continue
				}
				if r.Summary == "" || r.HelpURI == "" || r.Severity < Error || r.Severity > Hint {
					t.Errorf("%s: incomplete rule %+v", code, r)
				}
			}
		}
	}
	if n != len(registry) {
		t.Errorf("%d Code constants, %d registry entries", n, len(registry))
	}
}

func TestCheckCodes(t *testing.T) {
	ok := []Finding{
		{Code: CodeInlineFunction, Source: SourceRustko},
		{Code: "E0308", Source: SourceRustc},        // rustc's own
		{Code: "-Wformat", Source: SourceGCC},       // gcc's own
		{Source: SourceModpost, Message: "no code"}, // its own rule
	}
	if err := CheckCodes(ok); err != nil {
		t.Errorf("registered or foreign codes refused: %v", err)
	}
	for _, f := range []Finding{
		{Code: "inline-fn", Source: SourceRustko},
		{Code: "E0308", Source: SourceObject}, // only rustc may bring its own
	} {
		if err := CheckCodes([]Finding{f}); err == nil || !strings.Contains(err.Error(), f.Code) {
			t.Errorf("%+v: want an error naming the code, got %v", f, err)
		}
	}
	// The formatters refuse them in test binaries.
	defer func() {
		if recover() == nil {
			t.Error("WriteJSON printed a finding with an unregistered code")
		}
	}()
	_ = WriteJSON(&strings.Builder{}, []Finding{{Code: "made-up", Source: SourceRustko}}, "")
}

// TestNoCodeLiterals reads every non-test Go file of the module for a
// finding code spelled out instead of taken from the registry: `Code:` or
// `.Code =` with a string literal, a constant named like a code holding a
// literal, or `Code:` with an exported name that is not a code (targets
// once used its Source constant). Codes that flow through variables are
// what CheckCodes catches at run time.
func TestNoCodeLiterals(t *testing.T) {
	root := filepath.Join("..")
	codeName := regexp.MustCompile(`^Code[A-Z]|Code$`)
	var bad []string
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "third_party", "testdata", "node_modules", ".git":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") || p == filepath.Join(root, "diagnostics", "codes.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return err
		}
		at := func(n ast.Node, what string) { bad = append(bad, fset.Position(n.Pos()).String()+": "+what) }
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.KeyValueExpr:
				if k, ok := n.Key.(*ast.Ident); ok && k.Name == "Code" {
					checkCodeValue(n.Value, at)
				}
			case *ast.AssignStmt:
				for i, l := range n.Lhs {
					if s, ok := l.(*ast.SelectorExpr); ok && s.Sel.Name == "Code" && i < len(n.Rhs) {
						checkCodeValue(n.Rhs[i], at)
					}
				}
			case *ast.ValueSpec:
				for i, name := range n.Names {
					if i < len(n.Values) && codeName.MatchString(name.Name) && isString(n.Values[i]) {
						at(n, name.Name+" spells a code out: use the diagnostics.Code constant")
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bad {
		t.Error(b)
	}
}

func checkCodeValue(v ast.Expr, at func(ast.Node, string)) {
	name := ""
	switch v := v.(type) {
	case *ast.BasicLit:
		if isString(v) {
			at(v, "finding code "+v.Value+" spelled out: add it to diagnostics/codes.go and use the constant")
		}
		return
	case *ast.Ident:
		name = v.Name
	case *ast.SelectorExpr:
		name = v.Sel.Name
	default:
		return
	}
	// Lower-case names are the parameters and locals CheckCodes covers.
	if unicode.IsUpper(rune(name[0])) && !strings.HasPrefix(name, "Code") && !strings.HasSuffix(name, "Code") {
		at(v, "finding code from "+name+", which is not a registered code")
	}
}

func isString(e ast.Expr) bool {
	l, ok := e.(*ast.BasicLit)
	return ok && l.Kind == token.STRING
}

// TestReadmeListsEveryCode: the README's table of codes is what users read;
// it lists exactly the registered codes.
func TestReadmeListsEveryCode(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n## What `check` reports\n")
	if !ok {
		t.Fatal("README.md has no \"## What `check` reports\" section (the registry's HelpURI points there)")
	}
	if !strings.HasSuffix(HelpURI, "#what-check-reports") {
		t.Errorf("HelpURI %s does not point at the section", HelpURI)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var listed []string
	tick := regexp.MustCompile("`([^`]+)`")
	for _, line := range strings.Split(section, "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		first := strings.Split(line, "|")[1]
		for _, m := range tick.FindAllStringSubmatch(first, -1) {
			listed = append(listed, m[1])
		}
	}
	var want []string
	for _, r := range registry {
		want = append(want, r.Code)
	}
	slices.Sort(want)
	slices.Sort(listed)
	if !slices.Equal(listed, want) {
		for _, c := range want {
			if !slices.Contains(listed, c) {
				t.Errorf("README's table lacks %s", c)
			}
		}
		for _, c := range listed {
			if _, ok := Lookup(c); !ok {
				t.Errorf("README's table lists %s, which is not registered", c)
			}
		}
		if !t.Failed() {
			t.Errorf("README's table lists a code twice: %v", listed)
		}
	}
}
