package rustsrc

import (
	"slices"
	"sort"
	"strings"

	"github.com/rustko/rustko-lsp/diagnostics/rustsrc/internal/syntax"
)

// DefaultBindingsPaths are the module paths through which rust.ko-style code
// reaches the generated bindings: a `bindings` module (`mod bindings;`,
// `crate::bindings`), and rust.ko's own re-exports `kernel::` and
// `os::kernel::` (`std::os::kernel` in its linux-std crate). A path matches
// when it ends with one of these, after any leading `crate::`, `self::` or
// `super::`.
var DefaultBindingsPaths = []string{"bindings", "kernel", "os::kernel"}

// symbols is what the file declares and imports, read once per parse.
type symbols struct {
	paths      []string              // bindings module paths in effect
	modAliases map[string]bool       // local names bound to the bindings module (use crate::bindings as b)
	imports    map[string]*useEntry  // local name -> C item imported from the bindings
	glob       bool                  // use bindings::*;
	externs    map[string]*externFn  // local name -> declaration in an extern "C" block
	locals     map[string]bool       // names the file defines or imports from elsewhere
	uses       []*useEntry           // every import from the bindings, for refs
	noMangle   []*syntax.Node        // #[no_mangle] function items
	cfgOff     map[*syntax.Node]bool // items #[cfg] compiles out (test, or decided false by the build's cfg set)
}

// useEntry is one name a use declaration brings in from the bindings.
type useEntry struct {
	local string       // the name the file uses
	cName string       // the bindings item
	node  *syntax.Node // the imported identifier inside the use tree
}

// externFn is one item of a hand-written extern "C" block.
type externFn struct {
	local string // name in Rust
	cName string // link name (#[link_name = "..."] or the Rust name)
	item  *syntax.Node
	name  *syntax.Node
}

func collectSymbols(root *syntax.Node, paths []string, cfg *CfgSet) *symbols {
	s := &symbols{
		paths:      normalizePaths(paths),
		modAliases: map[string]bool{},
		imports:    map[string]*useEntry{},
		externs:    map[string]*externFn{},
		locals:     map[string]bool{},
		cfgOff:     map[*syntax.Node]bool{},
	}
	type binding struct {
		local string
		path  []string
		node  *syntax.Node // the identifier that names the item
		glob  bool
	}
	var bindings []binding
	var useTree func(n *syntax.Node, prefix []string)
	useTree = func(n *syntax.Node, prefix []string) {
		switch n.Kind {
		case "identifier", "crate", "self", "super":
			if n.Kind == "self" && len(prefix) > 0 {
				// use bindings::{self} binds "bindings".
				bindings = append(bindings, binding{local: prefix[len(prefix)-1], path: prefix, node: n})
				return
			}
			bindings = append(bindings, binding{local: n.Text(), path: append(slices.Clone(prefix), n.Text()), node: n})
		case "scoped_identifier":
			segs, ok := pathSegments(n)
			if ok {
				bindings = append(bindings, binding{local: segs[len(segs)-1], path: slices.Concat(prefix, segs), node: n.ChildByField("name")})
			}
		case "use_as_clause":
			p, alias := n.ChildByField("path"), n.ChildByField("alias")
			segs, ok := pathSegments(p)
			if ok && alias != nil {
				name := p
				if p.Kind == "scoped_identifier" {
					name = p.ChildByField("name")
				}
				bindings = append(bindings, binding{local: alias.Text(), path: slices.Concat(prefix, segs), node: name})
			}
		case "scoped_use_list":
			next := prefix
			if p := n.ChildByField("path"); p != nil {
				segs, ok := pathSegments(p)
				if !ok {
					return
				}
				next = slices.Concat(prefix, segs)
			}
			if l := n.ChildByField("list"); l != nil {
				useTree(l, next)
			}
		case "use_list":
			for _, c := range n.Children {
				if c.Named {
					useTree(c, prefix)
				}
			}
		case "use_wildcard":
			p := prefix
			for _, c := range n.Children {
				if c.Is("identifier", "scoped_identifier", "crate", "self", "super") {
					segs, ok := pathSegments(c)
					if !ok {
						return
					}
					p = slices.Concat(prefix, segs)
				}
			}
			bindings = append(bindings, binding{path: p, glob: true})
		}
	}

	// Parents with an attribute_item child met so far: only their later
	// children can carry attributes, and reading attributes (a search of
	// the siblings) for every node of the file was a tenth of a
	// keystroke's symbol collection.
	attrParents := map[*syntax.Node]bool{}
	root.Walk(func(n *syntax.Node) bool {
		switch n.Kind {
		case "attribute_item":
			attrParents[n.Parent] = true
		case "use_declaration":
			if a := n.ChildByField("argument"); a != nil {
				useTree(a, nil)
			}
			return false
		case "foreign_mod_item":
			if isCABI(n) {
				s.collectExterns(n)
			}
		case "function_item":
			if hasAttr(n, "no_mangle") {
				s.noMangle = append(s.noMangle, n)
			}
			s.defineName(n)
		case "struct_item", "enum_item", "union_item", "type_item", "const_item", "static_item",
			"mod_item", "trait_item", "macro_definition", "function_signature_item":
			if n.Kind == "static_item" || n.Kind == "function_signature_item" {
				if p := n.Ancestor("foreign_mod_item"); p != nil && isCABI(p) {
					break
				}
			}
			s.defineName(n)
		case "let_declaration", "parameter", "for_expression", "closure_parameters", "match_arm", "if_let_expression", "let_condition":
			if p := n.ChildByField("pattern"); p != nil {
				s.definePattern(p)
			} else if n.Kind == "closure_parameters" {
				for _, c := range n.Children {
					s.definePattern(c)
				}
			}
		}
		if n.Kind != "source_file" && attrParents[n.Parent] && cfgOff(n, cfg) {
			s.cfgOff[n] = true
		}
		return true
	})

	if ownKernel(root) {
		s.paths = withoutPath(s.paths, "kernel")
	}
	// Bindings to the bindings module itself first: later imports may go
	// through such an alias (use crate::bindings as b; use b::kmalloc;).
	for _, b := range bindings {
		if !b.glob && s.isBindingsModule(b.path) {
			s.modAliases[b.local] = true
		}
	}
	for _, b := range bindings {
		switch {
		case b.glob:
			s.glob = s.glob || s.isBindingsModule(b.path)
		case s.modAliases[b.local] && s.isBindingsModule(b.path):
		case len(b.path) > 1 && s.isBindingsModule(b.path[:len(b.path)-1]):
			e := &useEntry{local: b.local, cName: b.path[len(b.path)-1], node: b.node}
			s.imports[b.local] = e
			s.uses = append(s.uses, e)
		default:
			s.locals[b.local] = true
		}
	}
	return s
}

// ownKernel says whether the file declares an inline `mod kernel { ... }`
// of its own that does not re-export the bindings: its paths are the
// project's, not the kernel's.
func ownKernel(root *syntax.Node) bool {
	for _, c := range root.Children {
		if c.Kind != "mod_item" {
			continue
		}
		name, body := c.ChildByField("name"), c.ChildByField("body")
		if name != nil && name.Text() == "kernel" && body != nil {
			return !reexportsBindings(body.Text())
		}
	}
	return false
}

func (s *symbols) collectExterns(n *syntax.Node) {
	body := n.ChildByField("body")
	if body == nil {
		return
	}
	for _, c := range body.Children {
		if !c.Is("function_signature_item", "static_item") {
			continue
		}
		name := c.ChildByField("name")
		if name == nil {
			continue
		}
		e := &externFn{local: name.Text(), cName: name.Text(), item: c, name: name}
		if ln := attrValue(c, "link_name"); ln != "" {
			e.cName = ln
		}
		s.externs[e.local] = e
	}
}

func (s *symbols) defineName(n *syntax.Node) {
	if name := n.ChildByField("name"); name != nil {
		s.locals[name.Text()] = true
	}
}

// definePattern marks every identifier a pattern binds.
func (s *symbols) definePattern(p *syntax.Node) {
	p.Walk(func(n *syntax.Node) bool {
		switch n.Kind {
		case "identifier":
			s.locals[n.Text()] = true
		case "scoped_identifier", "scoped_type_identifier", "type_identifier", "field_identifier":
			// Paths and types in patterns refer to things; they bind nothing.
			return false
		}
		return true
	})
}

// isBindingsModule says whether a path names the bindings module.
func (s *symbols) isBindingsModule(segs []string) bool {
	segs = trimAnchors(segs)
	if len(segs) == 0 {
		return false
	}
	if len(segs) == 1 && s.modAliases[segs[0]] {
		return true
	}
	joined := strings.Join(segs, "::")
	for _, p := range s.paths {
		if joined == p || strings.HasSuffix(joined, "::"+p) {
			return true
		}
	}
	return false
}

func normalizePaths(paths []string) []string {
	var out []string
	for _, p := range paths {
		segs := trimAnchors(strings.Split(strings.TrimSpace(p), "::"))
		if len(segs) > 0 {
			out = append(out, strings.Join(segs, "::"))
		}
	}
	return out
}

// trimAnchors drops the leading `::`, `crate::`, `self::` and `super::`
// segments that say where a path starts, not where it leads.
func trimAnchors(segs []string) []string {
	for len(segs) > 0 {
		switch strings.TrimSpace(segs[0]) {
		case "", "crate", "self", "super", "$crate":
			segs = segs[1:]
			continue
		}
		break
	}
	return segs
}

// pathSegments flattens a simple path; ok is false for paths with generic
// arguments or qualified types, which never lead into the bindings.
func pathSegments(n *syntax.Node) ([]string, bool) {
	if n == nil {
		return nil, false
	}
	switch n.Kind {
	case "identifier", "type_identifier", "crate", "self", "super", "metavariable":
		return []string{n.Text()}, true
	case "scoped_identifier", "scoped_type_identifier":
		var segs []string
		if p := n.ChildByField("path"); p != nil {
			ps, ok := pathSegments(p)
			if !ok {
				return nil, false
			}
			segs = ps
		} else {
			segs = []string{""} // ::name
		}
		name := n.ChildByField("name")
		if name == nil {
			return nil, false
		}
		return append(segs, name.Text()), true
	}
	return nil, false
}

// isCABI says whether an extern block uses the C calling convention:
// `extern "C"`, `extern "system"` or a bare `extern`.
func isCABI(n *syntax.Node) bool {
	m := n.FirstChild("extern_modifier")
	if m == nil {
		return false
	}
	lit := m.FirstChild("string_literal")
	if lit == nil {
		return true
	}
	switch stringValue(lit) {
	case "C", "system", "C-unwind":
		return true
	}
	return false
}

// attributes returns the attribute nodes written on an item: the
// attribute_item siblings right before it.
func attributes(item *syntax.Node) []*syntax.Node {
	var out []*syntax.Node
	p := item.Parent
	if p == nil {
		return nil
	}
	// Children are in source order: search by offset, not one by one (a
	// linear scan per item made every top-level item cost O(items)).
	kids := p.Children
	idx := sort.Search(len(kids), func(i int) bool { return kids[i].Start >= item.Start })
	for idx < len(kids) && kids[idx] != item && kids[idx].Start == item.Start {
		idx++
	}
	if idx >= len(kids) || kids[idx] != item {
		idx = slices.Index(kids, item) // not in order after all
	}
	for i := idx - 1; i >= 0; i-- {
		c := p.Children[i]
		if c.Kind == "line_comment" || c.Kind == "block_comment" {
			continue
		}
		if c.Kind != "attribute_item" {
			break
		}
		if a := c.FirstChild("attribute"); a != nil {
			out = append(out, a)
		}
	}
	return out
}

// attrName is the path an attribute starts with: no_mangle, link_name, cfg.
func attrName(a *syntax.Node) string {
	for _, c := range a.Children {
		if c.Is("identifier", "scoped_identifier") {
			return c.Text()
		}
	}
	return ""
}

func hasAttr(item *syntax.Node, name string) bool {
	for _, a := range attributes(item) {
		if attrName(a) == name {
			return true
		}
		// #[unsafe(no_mangle)] (Rust 2024)
		if attrName(a) == "unsafe" && strings.Contains(a.Text(), name) {
			return true
		}
	}
	return false
}

// attrValue returns the string of #[name = "value"].
func attrValue(item *syntax.Node, name string) string {
	for _, a := range attributes(item) {
		if attrName(a) == name {
			if v := a.ChildByField("value"); v != nil && v.Kind == "string_literal" {
				return stringValue(v)
			}
		}
	}
	return ""
}

// stringValue is the content of a string literal, escapes left as written.
func stringValue(lit *syntax.Node) string {
	var b strings.Builder
	for _, c := range lit.Children {
		if c.Is("string_content", "escape_sequence") {
			b.WriteString(c.Text())
		}
	}
	return b.String()
}
