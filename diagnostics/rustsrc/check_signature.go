package rustsrc

import (
	"fmt"
	"strings"

	"github.com/rustko/rustko-lsp/bindings/index"
	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/diagnostics/rustsrc/internal/syntax"
)

// checkExternDecls looks at each hand-written extern "C" declaration: does
// the kernel (or the module's own C code) provide the symbol, and does the
// Rust signature match the C prototype?
func (a *analysis) checkExternDecls() {
	for i := range a.refs { // in source order
		r := &a.refs[i]
		if r.role != roleDecl || a.inTest(r.node) {
			continue
		}
		if _, ours := a.env.shim.defines[r.Name]; ours {
			a.shimExtern(r)
			continue
		}
		if r.Item == nil {
			if a.env.Symvers != nil {
				if _, ok := a.env.Symvers.Lookup(r.Name); ok {
					continue // exported although no configured header declares it
				}
			}
			a.notDeclared(r)
			continue
		}
		if a.noSymbolDecl(r.Name, r.Item, r.Range) {
			continue
		}
		if r.Item.Kind == index.Function && r.extern.item.Kind == "function_signature_item" {
			a.signature(r)
		}
	}
}

// mismatch is one difference between the declarations.
type mismatch struct {
	what string       // "parameter 2 (flags)", "the return type"
	node *syntax.Node // the Rust type to change; nil when it is missing
	rust ctype
	c    ctype
	cTxt string
}

func (a *analysis) signature(r *cRef) {
	it := r.Item
	decl := r.extern.item
	params := decl.ChildByField("parameters")
	if params == nil {
		return
	}
	rustParams, variadic := rustParamsOf(params)
	cParams := it.Params
	if len(cParams) == 1 && strings.TrimSpace(cParams[0].CType) == "void" {
		cParams = nil
	}
	problems, ms := a.compareSig(rustParams, variadic, decl.ChildByField("return_type"), cParams, it.Result, it.Variadic)
	if len(problems) == 0 {
		return
	}
	rng := rangeOf(decl.ChildByField("name"))
	switch {
	case len(ms) > 0 && ms[0].node != nil && len(problems) == len(ms):
		rng = rangeOf(ms[0].node)
	case len(rustParams) != len(cParams) || variadic != it.Variadic:
		rng = rangeOf(params)
	}
	rustSig := strings.Join(strings.Fields(strings.TrimSuffix(decl.Text(), ";")), " ")
	f := a.add(diagnostics.CodeSignatureMismatch, diagnostics.Error, rng, fmt.Sprintf(
		"this extern \"C\" declaration of `%s` does not match its C prototype: %s.\n  C:    %s\n  Rust: %s",
		it.Name, strings.Join(problems, "; "), clipLine(it.Decl), rustSig))
	a.declaredHere(f, it)
	if fix, ok := a.signatureFix(ms, params); ok && len(problems) == len(ms) {
		f.Fixes = append(f.Fixes, fix)
	}
}

// rustParamsOf splits a Rust parameter list into its parameters and
// whether it ends in `...`.
func rustParamsOf(params *syntax.Node) ([]*syntax.Node, bool) {
	var out []*syntax.Node
	variadic := false
	for _, c := range params.Children {
		switch c.Kind {
		case "parameter":
			out = append(out, c)
		case "variadic_parameter":
			variadic = true
		}
	}
	return out, variadic
}

// compareSig lists how a Rust signature differs from a C prototype, as
// sentences, and the type mismatches among them (for the fix).
func (a *analysis) compareSig(rustParams []*syntax.Node, variadic bool, ret *syntax.Node, cParams []index.Param, cResult string, cVariadic bool) ([]string, []mismatch) {
	model := a.env.model
	var problems []string
	var ms []mismatch
	if len(rustParams) != len(cParams) {
		problems = append(problems, fmt.Sprintf("it takes %d parameter%s here but %d in C", len(rustParams), plural(len(rustParams)), len(cParams)))
	}
	if variadic != cVariadic {
		if cVariadic {
			problems = append(problems, "the C function is variadic (...) but this declaration is not")
		} else {
			problems = append(problems, "this declaration is variadic (...) but the C function is not")
		}
	}
	for i := 0; i < len(rustParams) && i < len(cParams); i++ {
		tn := rustParams[i].ChildByField("type")
		rt, ct := a.rustType(tn), model.cType(a.env.Index, cParams[i].CType)
		if !compatible(rt, ct) {
			name := cParams[i].Name
			if name == "" {
				if p := rustParams[i].ChildByField("pattern"); p != nil {
					name = p.Text()
				}
			}
			ms = append(ms, mismatch{what: fmt.Sprintf("parameter %d (%s)", i+1, name), node: tn, rust: rt, c: ct, cTxt: cParams[i].CType})
		}
	}
	cres := cResult
	if strings.TrimSpace(cres) == "" {
		cres = "void"
	}
	if rt, ct := a.rustType(ret), model.cType(a.env.Index, cres); !compatible(rt, ct) {
		ms = append(ms, mismatch{what: "the return type", node: ret, rust: rt, c: ct, cTxt: cres})
	}
	for _, m := range ms {
		here := "nothing"
		if m.node != nil {
			here = fmt.Sprintf("%s (%s)", m.node.Text(), m.rust)
		}
		problems = append(problems, fmt.Sprintf("%s is %s here but %s (%s) in C", m.what, here, m.cTxt, m.c))
	}
	return problems, ms
}

// signatureFix rewrites the mismatching Rust types where the C type has a
// plain Rust spelling (integers, floats, bool).
func (a *analysis) signatureFix(ms []mismatch, params *syntax.Node) (diagnostics.Fix, bool) {
	fix := diagnostics.Fix{Title: "Use the C prototype's types"}
	for _, m := range ms {
		switch {
		case m.c.kind == ctVoid && m.node != nil:
			// Drop " -> T": from the end of the parameter list.
			r := diagnostics.Range{Start: diagnostics.Position{Line: params.EndLine, Column: params.EndCol}, End: rangeOf(m.node).End}
			fix.Edits = append(fix.Edits, diagnostics.Edit{File: a.f.Path, Range: r, NewText: ""})
		case m.node == nil:
			t, ok := m.c.rust()
			if !ok {
				return fix, false
			}
			fix.Edits = append(fix.Edits, diagnostics.Edit{File: a.f.Path, Range: diagnostics.Point(params.EndLine, params.EndCol), NewText: " -> " + t})
		default:
			t, ok := m.c.rust()
			if !ok {
				return fix, false
			}
			fix.Edits = append(fix.Edits, diagnostics.Edit{File: a.f.Path, Range: rangeOf(m.node), NewText: t})
		}
	}
	return fix, len(fix.Edits) > 0
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
