package rustsrc

import (
	"cmp"
	"slices"

	"github.com/rustko/rustko-lsp/bindings/index"
	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/diagnostics/rustsrc/internal/syntax"
)

// How a reference reaches the C item (cRef.Via).
const (
	viaPath   = "path"   // bindings::kmalloc, kernel::printk, crate::bindings::file
	viaUse    = "use"    // use bindings::{kmalloc}; kmalloc(...)
	viaGlob   = "glob"   // use bindings::*; kmalloc(...)
	viaExtern = "extern" // extern "C" { fn kmalloc(...); } kmalloc(...)
)

// refRole says what kind of place a reference is in.
type refRole uint8

const (
	roleCode   refRole = iota // used in an expression or type
	roleImport                // the name inside a use declaration
	roleDecl                  // the name of a hand-written extern "C" declaration
)

// cRef is one identifier that refers to a C item.
type cRef struct {
	Name  string            // the C name (a #[link_name] or a renamed binding resolved)
	Range diagnostics.Range // the identifier as written
	Item  *index.Item       // nil when the index has no item of that name
	Via   string            // viaPath, viaUse, viaGlob or viaExtern

	node   *syntax.Node
	role   refRole
	extern *externFn // the extern "C" declaration behind a viaExtern ref
}

// declaringParents hold their own name under the "name" field.
var declaringParents = map[string]bool{
	"function_item": true, "function_signature_item": true, "struct_item": true, "enum_item": true,
	"union_item": true, "type_item": true, "const_item": true, "static_item": true, "mod_item": true,
	"trait_item": true, "macro_definition": true, "enum_variant": true, "field_declaration": true,
	"associated_type": true, "constrained_type_parameter": true, "optional_type_parameter": true,
}

// notUses are parents under which an identifier never refers to an item.
var notUses = map[string]bool{
	"scoped_identifier": true, "scoped_type_identifier": true, "scoped_use_list": true, "use_as_clause": true,
	"use_list": true, "use_wildcard": true, "closure_parameters": true, "type_parameters": true,
	"lifetime": true, "label": true, "field_pattern": true,
}

// resolveAll finds the file's references to C items, in source order,
// with room for about hint of them made up front: a keystroke's reparse
// passes the previous version's count, which saves growing the slice (on
// 10,000 lines, about 2 MB of garbage an edit, which the collector then
// pays for).
func resolveAll(root *syntax.Node, s *symbols, env *Env, hint int) []cRef {
	refs := make([]cRef, 0, hint+hint/8)
	add := func(name string, n *syntax.Node, via string, role refRole, ext *externFn) {
		if n.End <= n.Start {
			// A name tree-sitter's error recovery made up (`bindings::`
			// with nothing after it): no text to resolve or hover.
			return
		}
		r := cRef{Name: name, Range: rangeOf(n), Via: via, node: n, role: role, extern: ext}
		if it := env.item(name, isTypePos(n)); it != nil {
			r.Item = it
			r.Name = it.Name
		}
		refs = append(refs, r)
	}
	for _, u := range s.uses {
		add(u.cName, u.node, viaUse, roleImport, nil)
	}
	for _, e := range s.externs {
		add(e.cName, e.name, viaExtern, roleDecl, e)
	}
	bare := func(n *syntax.Node) {
		name := n.Text()
		switch {
		case s.imports[name] != nil:
			add(s.imports[name].cName, n, viaUse, roleCode, nil)
		case s.externs[name] != nil:
			e := s.externs[name]
			add(e.cName, n, viaExtern, roleCode, e)
		case s.glob && !s.locals[name] && env.item(name, isTypePos(n)) != nil:
			add(name, n, viaGlob, roleCode, nil)
		}
	}
	root.Walk(func(n *syntax.Node) bool {
		switch n.Kind {
		case "use_declaration", "attribute_item", "inner_attribute_item", "macro_definition", "line_comment", "block_comment":
			return false
		case "scoped_identifier", "scoped_type_identifier":
			if p := n.ChildByField("path"); p != nil {
				if segs, ok := pathSegments(p); ok && s.isBindingsModule(segs) {
					if name := n.ChildByField("name"); name != nil {
						add(name.Text(), name, viaPath, roleCode, nil)
					}
				}
			}
		case "identifier", "type_identifier":
			if isBareUse(n) {
				bare(n)
			}
		case "token_tree":
			tokenTreeRefs(n, s, bare, func(name, last *syntax.Node) {
				add(name.Text(), last, viaPath, roleCode, nil)
			})
			return false
		}
		return true
	})
	slices.SortStableFunc(refs, func(a, b cRef) int {
		return cmp.Or(cmp.Compare(a.Range.Start.Line, b.Range.Start.Line), cmp.Compare(a.Range.Start.Column, b.Range.Start.Column))
	})
	return refs
}

// tokenTreeRefs finds references inside a macro call's tokens, which
// tree-sitter leaves unparsed: chains "a :: b :: c" and bare identifiers.
func tokenTreeRefs(tt *syntax.Node, s *symbols, bare func(*syntax.Node), path func(name, last *syntax.Node)) {
	kids := tt.Children
	for i := 0; i < len(kids); i++ {
		c := kids[i]
		if c.Kind == "token_tree" {
			tokenTreeRefs(c, s, bare, path)
			continue
		}
		if !c.Is("identifier", "crate", "self", "super") {
			continue
		}
		chain := []*syntax.Node{c}
		for i+2 < len(kids) && kids[i+1].Kind == "::" && kids[i+2].Kind == "identifier" {
			chain = append(chain, kids[i+2])
			i += 2
		}
		// "x.y" and "$x" are fields and metavariables, not paths.
		if len(chain) == 1 {
			if c.Kind == "identifier" && (i == 0 || kids[i-1].Kind != "." && kids[i-1].Kind != "$") {
				bare(c)
			}
			continue
		}
		segs := make([]string, len(chain)-1)
		for k, n := range chain[:len(chain)-1] {
			segs[k] = n.Text()
		}
		if s.isBindingsModule(segs) {
			last := chain[len(chain)-1]
			path(last, last)
		}
	}
}

// isBareUse says whether an identifier outside a path refers to an item,
// rather than declaring a name, naming a field, or binding a pattern.
func isBareUse(n *syntax.Node) bool {
	p := n.Parent
	if p == nil || notUses[p.Kind] {
		return false
	}
	if n.Field == "name" && declaringParents[p.Kind] {
		return false
	}
	switch n.Field {
	case "pattern", "macro", "alias", "label", "field":
		return false
	}
	for a := p; a != nil; a = a.Parent {
		switch a.Kind {
		case "tuple_pattern", "struct_pattern", "tuple_struct_pattern", "slice_pattern", "ref_pattern",
			"or_pattern", "captured_pattern", "mut_pattern", "reference_pattern":
			return false
		case "block", "source_file", "function_item", "expression_statement", "arguments", "parameters":
			return true
		}
	}
	return true
}

func isTypePos(n *syntax.Node) bool {
	return n.Kind == "type_identifier" || n.Parent != nil && n.Parent.Kind == "scoped_type_identifier"
}

// valueKinds and typeKinds order the items that share a C name (a struct
// tag and a function called stat) by where the name is used.
var (
	valueKinds = []index.Kind{index.Function, index.InlineFunction, index.FunctionMacro, index.Macro, index.Variable, index.EnumConstant}
	typeKinds  = []index.Kind{index.Struct, index.Union, index.Typedef, index.Enum}
)

// item finds the C item a Rust name refers to: the item whose binding has
// that Rust name (renamed on a clash), else the C name itself.
func (e *Env) item(name string, typePos bool) *index.Item {
	if e == nil || e.Index == nil {
		return nil
	}
	prefer, other := valueKinds, typeKinds
	if typePos {
		prefer, other = typeKinds, valueKinds
	}
	if it := e.Index.LookupRust(name); it != nil && it.Name != name {
		return it
	}
	items := e.Index.Lookup(name)
	for _, kinds := range [][]index.Kind{prefer, other} {
		for _, k := range kinds {
			for _, it := range items {
				if it.Kind == k {
					return it
				}
			}
		}
	}
	if len(items) > 0 {
		return items[0]
	}
	return nil
}
