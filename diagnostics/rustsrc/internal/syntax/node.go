package syntax

import "slices"

// Node is one tree-sitter node. Kind is the grammar's node type
// ("call_expression", "identifier", "(" for anonymous tokens), Field the
// field name under which the parent holds it ("function", "arguments", "").
// Positions are 1-based lines and 1-based byte columns, as diagnostics use.
type Node struct {
	Kind     string
	Field    string
	Start    int // byte offset
	End      int // byte offset after the node
	Line     int
	Col      int
	EndLine  int
	EndCol   int
	Parent   *Node
	Children []*Node
	Named    bool
	Error    bool // an ERROR node or a token tree-sitter inserted (MISSING)
	Missing  bool

	desc int32   // how many nodes lie below this one
	text *source // the file's text, one per tree: a slice per node would cost 16 bytes more on every node
}

// source is a parsed file's text, shared by all of its nodes. It is one
// string copied once per parse, so Text is a substring and allocates
// nothing: the checks call it on every identifier of the file on every
// keystroke.
type source struct{ s string }

// Text is the source the node covers.
func (n *Node) Text() string {
	if n == nil || n.text == nil || n.End > len(n.text.s) || n.Start > n.End {
		return ""
	}
	return n.text.s[n.Start:n.End]
}

// Is reports whether n is non-nil and of one of the kinds.
func (n *Node) Is(kinds ...string) bool {
	return n != nil && slices.Contains(kinds, n.Kind)
}

// ChildByField returns the first child held under field, or nil.
func (n *Node) ChildByField(field string) *Node {
	if n == nil {
		return nil
	}
	for _, c := range n.Children {
		if c.Field == field {
			return c
		}
	}
	return nil
}

// FirstChild returns the first child of one of the kinds, or nil.
func (n *Node) FirstChild(kinds ...string) *Node {
	if n == nil {
		return nil
	}
	for _, c := range n.Children {
		if c.Is(kinds...) {
			return c
		}
	}
	return nil
}

// NamedChildren returns the children that are grammar nodes, not tokens.
func (n *Node) NamedChildren() []*Node {
	if n == nil {
		return nil
	}
	out := make([]*Node, 0, len(n.Children))
	for _, c := range n.Children {
		if c.Named {
			out = append(out, c)
		}
	}
	return out
}

// Walk visits n and its descendants in source order; returning false from
// visit skips a node's children.
func (n *Node) Walk(visit func(*Node) bool) {
	if n == nil {
		return
	}
	n.walk(visit)
}

// walk recurses: the flattening keeps at most 4,096 levels, so the stack
// stays small, and a call per node is cheaper than pushing and popping an
// explicit stack (every check walks the whole tree on every keystroke).
func (n *Node) walk(visit func(*Node) bool) {
	if !visit(n) {
		return
	}
	for _, c := range n.Children {
		c.walk(visit)
	}
}

// Ancestor returns the nearest proper ancestor of one of the kinds, or nil.
func (n *Node) Ancestor(kinds ...string) *Node {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Is(kinds...) {
			return p
		}
	}
	return nil
}
