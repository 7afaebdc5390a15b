package rustsrc

import (
	"fmt"

	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/diagnostics/rustsrc/internal/syntax"
)

// The kernel does not save FPU/SSE state for code it runs, and the kernel
// target disables those registers: a float in a module either fails to
// build or silently corrupts user-space state.
const floatWhy = "the kernel does not save FPU/SSE state for module code and the kernel target disables it, so floating point fails to build or corrupts user state: use integer or fixed-point arithmetic"

// checkFloat reports f32/f64 types, float literals, and arithmetic on
// variables declared with a float type.
func (a *analysis) checkFloat() {
	// Float-typed names per function (statics and consts under the root),
	// so an `x: f32` in one function says nothing of an `x` in another.
	floatVars := map[*syntax.Node]map[string]bool{}
	a.f.root.Walk(func(n *syntax.Node) bool {
		if n.Is("let_declaration", "parameter", "static_item", "const_item") {
			t := n.ChildByField("type")
			p := n.ChildByField("pattern")
			if p == nil {
				p = n.ChildByField("name")
			}
			if t != nil && p != nil && p.Kind == "identifier" && t.Kind == "primitive_type" && (t.Text() == "f32" || t.Text() == "f64") {
				s := scopeOf(n, a.f.root)
				if floatVars[s] == nil {
					floatVars[s] = map[string]bool{}
				}
				floatVars[s][p.Text()] = true
			}
		}
		return true
	})
	isFloat := func(n *syntax.Node, name string) bool {
		if len(floatVars) == 0 {
			return false // the usual module: no walk up to the scope
		}
		return floatVars[scopeOf(n, a.f.root)][name] || floatVars[a.f.root][name]
	}
	off := len(a.syms.cfgOff) > 0
	a.f.root.Walk(func(n *syntax.Node) bool {
		switch n.Kind {
		case "macro_definition", "attribute_item", "inner_attribute_item":
			return false
		}
		if off && a.syms.cfgOff[n] {
			return false
		}
		switch n.Kind {
		case "primitive_type":
			if t := n.Text(); t == "f32" || t == "f64" {
				a.add(diagnostics.CodeFloat, diagnostics.Error, rangeOf(n), fmt.Sprintf("`%s` in kernel code: %s.", t, floatWhy))
			}
		case "float_literal":
			a.add(diagnostics.CodeFloat, diagnostics.Error, rangeOf(n), fmt.Sprintf("float literal %s in kernel code: %s.", n.Text(), floatWhy))
		case "binary_expression", "compound_assignment_expr":
			for _, side := range []string{"left", "right"} {
				if s := n.ChildByField(side); s != nil && s.Kind == "identifier" && isFloat(n, s.Text()) {
					a.add(diagnostics.CodeFloat, diagnostics.Error, rangeOf(n), fmt.Sprintf("float arithmetic on `%s` in kernel code: %s.", s.Text(), floatWhy))
					break
				}
			}
		}
		return true
	})
}

// scopeOf is the function (or closure) a node is in, else the file.
func scopeOf(n, root *syntax.Node) *syntax.Node {
	if n.Is("static_item", "const_item") {
		return root
	}
	if f := n.Ancestor("function_item", "closure_expression"); f != nil {
		return f
	}
	return root
}
