package rustsrc

import (
	"log/slog"
	"os"
	"slices"
	"strings"

	"github.com/rustko/rustko-lsp/bindings/index"

	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/diagnostics/rustsrc/internal/syntax"
)

// cSite is a place in a C file.
type cSite struct {
	File  string
	Range diagnostics.Range
}

// cShim is what the module's C files (rust.ko's src/module.c) say about
// names: which they use (calls, or function pointers such as
// module_init(x)), declare and define.
type cShim struct {
	uses     map[string][]cSite
	declares map[string]cSite
	defines  map[string]cSite
	// protos are the prototypes the C files give functions, by name: the
	// definition's when the shim defines it, else its first declaration.
	protos map[string]cProto
	// external are the functions defined without static, in source order:
	// the object exports them, so the Rust side may call them.
	external []string
}

// cProto is a C function's prototype as the shim writes it.
type cProto struct {
	cSite
	Text     string // the declaration, one line
	Result   string // "long", "char *"
	Params   []index.Param
	Variadic bool
	Defined  bool // a definition, not a declaration
}

// parseShim reads the C files with tree-sitter's C grammar; src overrides
// the disk text for files open in an editor. Unreadable files are skipped:
// the build reports those.
func parseShim(files []string, src map[string][]byte) *cShim {
	s := &cShim{uses: map[string][]cSite{}, declares: map[string]cSite{}, defines: map[string]cSite{}, protos: map[string]cProto{}}
	for _, f := range files {
		text, ok := src[f]
		if !ok {
			b, err := os.ReadFile(f)
			if err != nil {
				slog.Debug("C shim not readable", "file", f, "err", err)
				continue
			}
			text = b
		}
		root, err := syntax.Parse(syntax.CLang, text)
		if err != nil {
			slog.Debug("C shim not parsed", "file", f, "err", err)
			continue
		}
		s.add(f, root)
	}
	return s
}

func (s *cShim) add(file string, root *syntax.Node) {
	root.Walk(func(n *syntax.Node) bool {
		switch n.Kind {
		case "comment", "preproc_include", "string_literal", "system_lib_string":
			return false
		case "function_definition":
			if name := declaratorName(n.ChildByField("declarator")); name != nil {
				if _, dup := s.defines[name.Text()]; !dup {
					s.defines[name.Text()] = cSite{file, rangeOf(name)}
					if !isStatic(n) {
						s.external = append(s.external, name.Text())
					}
					if p, ok := protoOf(root, n, n.ChildByField("declarator"), file); ok {
						p.Defined = true
						s.protos[name.Text()] = p
					}
				}
			}
		case "declaration":
			for _, c := range n.Children {
				if c.Field == "declarator" && hasFunctionDeclarator(c) {
					if name := declaratorName(c); name != nil {
						if _, dup := s.declares[name.Text()]; !dup {
							s.declares[name.Text()] = cSite{file, rangeOf(name)}
						}
						if _, have := s.protos[name.Text()]; !have {
							if p, ok := protoOf(root, n, c, file); ok {
								s.protos[name.Text()] = p
							}
						}
					}
				}
			}
		case "identifier":
			if isCUse(n) {
				s.uses[n.Text()] = append(s.uses[n.Text()], cSite{file, rangeOf(n)})
			}
		}
		return true
	})
}

// isStatic says whether a definition has internal linkage.
func isStatic(def *syntax.Node) bool {
	return slices.ContainsFunc(def.Children, func(c *syntax.Node) bool {
		return c.Kind == "storage_class_specifier" && c.Text() == "static"
	})
}

// CDefinitions lists the functions the C files define with external
// linkage, in source order: the build's link check counts them as defined
// by the module. The same reading of the shim as the analysis's.
func CDefinitions(files []string) []string {
	return parseShim(files, nil).external
}

// protoOf reads the prototype of a function declaration or definition:
// the result is the text before the function declarator ("static long ",
// "char *"), each parameter its text without its name. Function pointers
// and anything else unusual give false.
func protoOf(root, n, decl *syntax.Node, file string) (cProto, bool) {
	src := root.Text()
	fd := decl
	for depth := 0; fd != nil && fd.Kind != "function_declarator" && depth < 8; depth++ {
		if fd.Kind != "pointer_declarator" {
			return cProto{}, false
		}
		fd = fd.ChildByField("declarator")
	}
	if fd == nil || fd.Kind != "function_declarator" {
		return cProto{}, false
	}
	name := fd.ChildByField("declarator")
	params := fd.ChildByField("parameters")
	if name == nil || name.Kind != "identifier" || params == nil {
		return cProto{}, false
	}
	p := cProto{cSite: cSite{file, rangeOf(name)}}
	p.Result = cleanCType(src[n.Start:fd.Start])
	for _, c := range params.Children {
		switch c.Kind {
		case "variadic_parameter":
			p.Variadic = true
		case "parameter_declaration":
			t := src[c.Start:c.End]
			pname := ""
			if d := c.ChildByField("declarator"); d != nil {
				if id := declaratorName(d); id != nil {
					pname = id.Text()
					t = src[c.Start:id.Start] + src[id.End:c.End]
				}
			}
			p.Params = append(p.Params, index.Param{Name: pname, CType: cleanCType(t)})
		}
	}
	if len(p.Params) == 1 && p.Params[0].CType == "void" {
		p.Params = nil
	}
	end := params.End
	p.Text = strings.Join(strings.Fields(src[n.Start:end]), " ")
	return p, true
}

// shimAttributes are the section and calling attributes a shim writes
// before a function's name: they do not change its type.
var shimAttributes = map[string]bool{"__init": true, "__exit": true, "asmlinkage": true, "noinline": true, "__cold": true, "notrace": true}

func cleanCType(s string) string {
	var words []string
	for _, w := range strings.Fields(strings.ReplaceAll(s, "*", " * ")) {
		if !shimAttributes[w] && w != "extern" && w != "static" && w != "inline" {
			words = append(words, w)
		}
	}
	return strings.ReplaceAll(strings.Join(words, " "), "* *", "**")
}

// declaratorName digs the declared identifier out of a declarator:
// "*name(args)", "(name)", "name[4]".
func declaratorName(d *syntax.Node) *syntax.Node {
	for depth := 0; d != nil && depth < 32; depth++ {
		if d.Kind == "identifier" {
			return d
		}
		next := d.ChildByField("declarator")
		if next == nil {
			for _, c := range d.Children {
				if c.Named && c.Kind != "parameter_list" && c.Kind != "attribute_specifier" {
					next = c
					break
				}
			}
		}
		d = next
	}
	return nil
}

func hasFunctionDeclarator(d *syntax.Node) bool {
	found := false
	d.Walk(func(n *syntax.Node) bool {
		if n.Kind == "function_declarator" {
			found = true
		}
		return !found && n.Kind != "parameter_list"
	})
	return found
}

// isCUse says whether an identifier is an expression that uses a name,
// as opposed to a declarator or a parameter name.
func isCUse(n *syntax.Node) bool {
	for a := n.Parent; a != nil; a = a.Parent {
		switch a.Kind {
		case "function_declarator", "parameter_declaration", "init_declarator", "declaration", "pointer_declarator",
			"array_declarator", "type_definition", "field_declaration", "enumerator", "preproc_def", "preproc_function_def",
			"preproc_params", "labeled_statement", "goto_statement":
			if a.Kind == "init_declarator" && n.Field != "declarator" && isUnder(n, a.ChildByField("value")) {
				return true
			}
			return false
		case "call_expression", "argument_list", "expression_statement", "return_statement", "assignment_expression",
			"binary_expression", "initializer_list", "initializer_pair", "conditional_expression", "cast_expression",
			"pointer_expression", "parenthesized_expression":
			return true
		case "compound_statement", "translation_unit":
			return false
		}
	}
	return false
}

func isUnder(n, anc *syntax.Node) bool {
	for p := n; p != nil; p = p.Parent {
		if p == anc {
			return true
		}
	}
	return false
}
