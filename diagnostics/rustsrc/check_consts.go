package rustsrc

import (
	"fmt"
	"strings"

	"github.com/rustko/rustko-lsp/bindings/index"
	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/diagnostics/rustsrc/internal/syntax"
)

// checkShadowedConstants compares every integer const/static whose name
// the kernel's headers define as a constant with the kernel's value: a copy
// taken from an older kernel (rust.ko's GFP_KERNEL 0x6000c0) silently means
// something else now (__GFP_ZERO = 0x8000 is __GFP_NOFAIL on 6.1).
func (a *analysis) checkShadowedConstants() {
	if a.env.Index == nil {
		return
	}
	a.f.root.Walk(func(n *syntax.Node) bool {
		switch n.Kind {
		case "macro_definition", "attribute_item", "function_item":
			return n.Kind == "function_item" // consts in bodies count; macro text does not
		case "const_item", "static_item":
		default:
			return true
		}
		if a.inTest(n) || n.FirstChild("mutable_specifier") != nil {
			return false
		}
		name, val := n.ChildByField("name"), n.ChildByField("value")
		if name == nil || val == nil {
			return false
		}
		lit := val
		if lit.Kind == "type_cast_expression" {
			lit = lit.ChildByField("value")
		}
		if lit == nil || lit.Kind != "integer_literal" {
			return false
		}
		mine, ok := parseIntLiteral(lit.Text())
		if !ok {
			return false
		}
		it := a.kernelConstant(name.Text())
		if it == nil {
			return false
		}
		theirs, _ := parseIntLiteral(it.Value)
		if theirs == mine {
			return false
		}
		msg := fmt.Sprintf("`%s` is %s on this kernel (%s), not %s: a copy of a kernel constant keeps the value of the kernel it was taken from",
			it.Name, it.Value, a.where(it), lit.Text())
		if others := sameFamily(it.Name, a.env.consts[normalizeCType(it.ValueType)][mine]); len(others) > 0 {
			msg += fmt.Sprintf(", and %s is %s here", lit.Text(), preferName(others).Name)
		}
		msg += fmt.Sprintf(". Use the kernel's own: bindings::%s (with its header in KERNEL_INCLUDE).", it.Name)
		f := a.add(diagnostics.CodeShadowedConstant, diagnostics.Warning, rangeOf(lit), msg)
		a.declaredHere(f, it)
		f.Fixes = append(f.Fixes, a.replaceFix(fmt.Sprintf("Use this kernel's value %s", it.Value), rangeOf(lit), it.Value, false))
		return false
	})
}

// sameFamily keeps the constants named like name (GFP_ for __GFP_ZERO):
// another family's constant that happens to share the C type and value
// (XA_FLAGS_ALLOC_WRAPPED is a gfp_t 0x10) would mislead.
func sameFamily(name string, items []*index.Item) []*index.Item {
	family := func(n string) string {
		f, _, _ := strings.Cut(strings.TrimLeft(n, "_"), "_")
		return f
	}
	var out []*index.Item
	for _, it := range items {
		if family(it.Name) == family(name) {
			out = append(out, it)
		}
	}
	return out
}

// kernelConstant is the macro or enum constant of that name with an
// integer value in the configured headers.
func (a *analysis) kernelConstant(name string) *index.Item {
	for _, it := range a.env.Index.Lookup(name) {
		if it.Kind != index.Macro && it.Kind != index.EnumConstant || it.Value == "" {
			continue
		}
		if _, ok := parseIntLiteral(it.Value); ok {
			return it
		}
	}
	return nil
}

// noSymbolDecl reports a hand-written extern declaration of a name with no
// symbol to link (a function-like macro, a static inline function the
// kernel does not export): the declaration is the mistake, and the calls
// through it are not reported again. Reports true when it did.
func (a *analysis) noSymbolDecl(name string, it *index.Item, r diagnostics.Range) bool {
	switch {
	case it.Kind == index.FunctionMacro:
		v := a.env.verdict(it)
		advice := "it has no symbol Rust can call."
		if v != nil {
			advice = v.Advice
		}
		f := a.add(diagnostics.CodeFunctionMacro, diagnostics.Error, r, fmt.Sprintf(
			"`%s` is a function-like macro (%s), not a function: this extern declaration names a symbol the kernel does not have "+
				"(modpost: \"%s\" undefined). %s", name, a.where(it), name, advice))
		a.declaredHere(f, it)
		return true
	case it.Kind == index.InlineFunction && !a.linkable(it):
		f := a.add(diagnostics.CodeInlineFunction, diagnostics.Error, r, fmt.Sprintf(
			"`%s` is a static inline function (%s): it has no symbol, so this hand-written extern declaration cannot link "+
				"(modpost: \"%s\" undefined). Call it through the bindings instead (bindings::%s), with %s in KERNEL_HELPERS so rustko generates a C wrapper.",
			name, a.where(it), name, name, name))
		if !a.env.helpers[name] {
			f.Fixes = a.listFix("Add "+name+" to KERNEL_HELPERS", "KERNEL_HELPERS", name)
		}
		a.declaredHere(f, it)
		return true
	}
	return false
}

// hasNoSymbol says whether noSymbolDecl reports a declaration of it.
func (a *analysis) hasNoSymbol(it *index.Item) bool {
	return it != nil && (it.Kind == index.FunctionMacro || it.Kind == index.InlineFunction && !a.linkable(it))
}

// checkMacroExterns finds extern blocks written inside macro_rules!
// bodies, which tree-sitter leaves as token trees (rust.ko's println!
// declares printk there): each `fn NAME` is judged like a declaration in
// code, #[link_name] included.
func (a *analysis) checkMacroExterns() {
	if a.env.Index == nil {
		return
	}
	a.f.root.Walk(func(n *syntax.Node) bool {
		if n.Kind != "macro_definition" {
			return true
		}
		if a.inTest(n) {
			return false
		}
		n.Walk(func(t *syntax.Node) bool {
			if t.Kind != "token_tree" {
				return true
			}
			kids := t.Children
			for i := 0; i < len(kids); i++ {
				if kids[i].Text() != "extern" {
					continue
				}
				j := i + 1
				if j < len(kids) && kids[j].Kind == "string_literal" {
					if abi := stringValue(kids[j]); abi != "C" {
						continue
					}
					j++
				}
				if j < len(kids) && kids[j].Kind == "token_tree" && strings.HasPrefix(kids[j].Text(), "{") {
					a.macroExternBlock(kids[j])
				}
			}
			return true
		})
		return false
	})
}

func (a *analysis) macroExternBlock(block *syntax.Node) {
	kids := block.Children
	linkName := ""
	for i := 0; i < len(kids); i++ {
		k := kids[i]
		// #[link_name = "x"] arrives as # and a [..] token tree.
		if k.Text() == "#" && i+1 < len(kids) && kids[i+1].Kind == "token_tree" {
			if attr := kids[i+1].Text(); strings.Contains(attr, "link_name") {
				if q := strings.IndexByte(attr, '"'); q >= 0 {
					if e := strings.IndexByte(attr[q+1:], '"'); e >= 0 {
						linkName = attr[q+1 : q+1+e]
					}
				}
			}
			i++
			continue
		}
		if k.Text() != "fn" || i+1 >= len(kids) || kids[i+1].Kind != "identifier" {
			continue
		}
		id := kids[i+1]
		name := id.Text()
		if linkName != "" {
			name, linkName = linkName, ""
		}
		if _, ours := a.env.shim.defines[name]; ours {
			continue
		}
		if it := a.kernelFunctionLike(name); it != nil {
			a.noSymbolDecl(name, it, rangeOf(id))
		}
	}
}

// kernelFunctionLike is the function, inline function or function-like
// macro of that name.
func (a *analysis) kernelFunctionLike(name string) *index.Item {
	var best *index.Item
	for _, it := range a.env.Index.Lookup(name) {
		switch it.Kind {
		case index.Function:
			return it
		case index.InlineFunction, index.FunctionMacro:
			best = it
		}
	}
	return best
}
