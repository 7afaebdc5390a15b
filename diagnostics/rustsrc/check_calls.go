package rustsrc

import (
	"cmp"
	"fmt"
	"math/bits"
	"slices"
	"strings"

	"github.com/rustko/rustko-lsp/bindings/index"
	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/diagnostics/rustsrc/internal/syntax"
)

// checkCalls looks at the arguments of calls into C: a printf-style format
// that is not a literal, and a bare number where the parameter's type has
// named constants (a gfp_t gets GFP_KERNEL, not 0x90).
func (a *analysis) checkCalls() {
	a.f.root.Walk(func(n *syntax.Node) bool {
		switch n.Kind {
		case "macro_definition", "attribute_item":
			return false
		case "call_expression":
		default:
			return true
		}
		if a.inTest(n) {
			return false
		}
		r := a.refAt(n.ChildByField("function"))
		argsNode := n.ChildByField("arguments")
		if r == nil || argsNode == nil {
			return true
		}
		args := slices.DeleteFunc(argsNode.NamedChildren(), func(c *syntax.Node) bool {
			return c.Is("line_comment", "block_comment")
		})
		if i, ok := a.formatParam(r); ok && printkFamily(r.Name) && i < len(args) && !a.isLiteralFormat(args[i]) {
			a.printkFormat(r, args[i])
		}
		if r.Item != nil && (r.Item.Kind == index.Function || r.Item.Kind == index.InlineFunction) {
			for i := 0; i < len(args) && i < len(r.Item.Params); i++ {
				a.hardCoded(r, args[i], r.Item.Params[i])
				if ct := r.Item.Params[i].CType; strings.Contains(ct, "char") && strings.Count(ct, "*") == 1 {
					a.missingNUL(r, args[i])
				}
			}
		} else if r.extern != nil {
			for i, t := range a.externCharParams(r.extern) {
				if t && i < len(args) {
					a.missingNUL(r, args[i])
				}
			}
		}
		return true
	})
}

// printkFamily says whether a function prints through printk, the only
// calls printk-format speaks about: panic, snprintf and kasprintf take a
// format too, but the finding's advice (and its name) is printk's.
func printkFamily(name string) bool {
	name = strings.TrimLeft(name, "_")
	switch {
	case strings.Contains(name, "printk"):
		return true
	case strings.HasPrefix(name, "pr_"), strings.HasPrefix(name, "dev_"), strings.HasPrefix(name, "netdev_"):
		return true
	}
	return false
}

var formatNames = map[string]bool{"fmt": true, "format": true, "fmtstr": true, "_fmt": true}

// formatParam finds the printf-style format parameter of the callee: a
// `const char *fmt` of a C function or macro (printk's fmt), or of a
// hand-written variadic declaration.
func (a *analysis) formatParam(r *cRef) (int, bool) {
	if it := r.Item; it != nil {
		for i, p := range it.Params {
			if !formatNames[p.Name] {
				continue
			}
			if it.Kind == index.FunctionMacro || strings.Contains(p.CType, "char") && strings.Contains(p.CType, "*") {
				return i, true
			}
		}
		return 0, false
	}
	if r.extern == nil {
		return 0, false
	}
	params := r.extern.item.ChildByField("parameters")
	i := 0
	for _, c := range params.NamedChildren() {
		if c.Kind != "parameter" {
			continue
		}
		if p := c.ChildByField("pattern"); p != nil && formatNames[p.Text()] {
			return i, true
		}
		i++
	}
	return 0, false
}

// literalMacros produce a string at compile time.
var literalMacros = map[string]bool{"concat": true, "c_str": true, "cstr": true, "c": true, "b": true, "include_str": true, "include_bytes": true, "stringify": true}

// isLiteralFormat says whether a format argument is text fixed at compile
// time: a string literal (through .as_ptr(), casts, &), a literal-building
// macro, a const/static of the file holding one, or a C constant.
func (a *analysis) isLiteralFormat(n *syntax.Node) bool {
	for depth := 0; n != nil && depth < 16; depth++ {
		switch n.Kind {
		case "string_literal", "raw_string_literal":
			return true
		case "type_cast_expression":
			n = n.ChildByField("value")
		case "parenthesized_expression", "reference_expression", "unsafe_block", "block":
			kids := n.NamedChildren()
			if len(kids) == 0 {
				return false
			}
			n = kids[len(kids)-1]
			if n.Kind == "expression_statement" {
				return false
			}
			if v := n.ChildByField("value"); v != nil && n.Kind == "reference_expression" {
				n = v
			}
		case "call_expression":
			fn := n.ChildByField("function")
			if fn == nil || fn.Kind != "field_expression" {
				return false
			}
			switch fld := fn.ChildByField("field"); fld.Text() {
			case "as_ptr", "as_bytes", "cast", "as_mut_ptr", "as_bytes_with_nul", "as_c_str":
				n = fn.ChildByField("value")
			default:
				return false
			}
		case "field_expression":
			n = n.ChildByField("value")
		case "macro_invocation":
			m := n.ChildByField("macro")
			return m != nil && literalMacros[lastSegment(m)]
		case "identifier":
			return a.isLiteralConst(n.Text())
		case "scoped_identifier":
			if r := a.refAt(n); r != nil {
				return true // a C constant such as KERN_INFO
			}
			return false
		default:
			return false
		}
	}
	return false
}

// isLiteralConst says whether the file defines name as a const or an
// immutable static: Rust computes those at compile time, so runtime data
// cannot reach them (a `static mut` can change, and does not count).
func (a *analysis) isLiteralConst(name string) bool {
	if a.consts == nil {
		a.consts = map[string]bool{}
		a.f.root.Walk(func(n *syntax.Node) bool {
			if n.Is("const_item", "static_item") {
				if nm := n.ChildByField("name"); nm != nil && n.FirstChild("mutable_specifier") == nil && n.Ancestor("foreign_mod_item") == nil {
					a.consts[nm.Text()] = true
				}
				return false
			}
			return true
		})
	}
	return a.consts[name]
}

func (a *analysis) printkFormat(r *cRef, arg *syntax.Node) {
	f := a.add(diagnostics.CodePrintkFormat, diagnostics.Warning, rangeOf(arg), fmt.Sprintf(
		"the format passed to `%s` is not a literal: any %% in the text makes printk read arguments that were never passed "+
			"(format-string injection). Pass a literal format and the text as its argument: b\"%%s\\0\".as_ptr() as *const _, %s",
		r.Name, clipLine(arg.Text())))
	f.Fixes = append(f.Fixes, a.replaceFix("Print the text through a literal \"%s\" format", rangeOf(arg),
		`b"%s\0".as_ptr() as *const _, `+arg.Text(), false))
}

// hardCoded checks one integer literal argument against the named constants
// of its parameter's C type.
func (a *analysis) hardCoded(r *cRef, arg *syntax.Node, p index.Param) {
	lit := arg
	if lit.Kind == "type_cast_expression" {
		lit = lit.ChildByField("value")
	}
	if lit == nil || lit.Kind != "integer_literal" {
		return
	}
	t := normalizeCType(p.CType)
	if t == "" || isBuiltinCType(t) || strings.Contains(t, "*") || !a.env.isFlagType(t) {
		return
	}
	table := a.env.consts[t]
	if len(table) == 0 {
		return
	}
	v, ok := parseIntLiteral(lit.Text())
	if !ok || v == 0 {
		return // 0 is "no flags" for every flag type
	}
	prefix := a.pathPrefix(r)
	if names := table[v]; len(names) > 0 {
		best := preferName(names)
		f := a.add(diagnostics.CodeHardCodedConstant, diagnostics.Warning, rangeOf(lit), fmt.Sprintf(
			"%s is %s on this kernel: write %s%s, so the code follows the kernel when the value changes (rust.ko's hard-coded GFP_KERNEL broke that way).",
			lit.Text(), best.Name, prefix, best.Name))
		f.Fixes = append(f.Fixes, a.replaceFix("Replace with "+prefix+best.Name, rangeOf(lit), prefix+best.Name, true))
		return
	}
	msg := fmt.Sprintf("%s is not one of this kernel's %s constants: the %s parameter of `%s` takes %s values", lit.Text(), t, p.Name, r.Name, t)
	f := a.add(diagnostics.CodeHardCodedConstant, diagnostics.Warning, rangeOf(lit), msg)
	if best := closest(table, v); best != nil {
		f.Message += fmt.Sprintf(" such as %s%s (%s here). A number that was right on another kernel is wrong on this one: use the named constant.", prefix, best.Name, best.Value)
		f.Fixes = append(f.Fixes, a.replaceFix(fmt.Sprintf("Replace with %s%s (%s)", prefix, best.Name, best.Value), rangeOf(lit), prefix+best.Name, false))
	} else {
		f.Message += ": use a named constant."
	}
}

// pathPrefix is how the file reaches the bindings at this call: the path
// the callee was written with ("kernel::"), or nothing for imports.
func (a *analysis) pathPrefix(r *cRef) string {
	if r.Via == viaPath {
		if p := r.node.Parent; p != nil {
			if path := p.ChildByField("path"); path != nil {
				return path.Text() + "::"
			}
		}
	}
	if a.syms.glob {
		return ""
	}
	for i := range a.refs {
		if a.refs[i].Via == viaPath {
			if path := a.refs[i].node.Parent.ChildByField("path"); path != nil {
				return path.Text() + "::"
			}
		}
	}
	return "bindings::"
}

// preferName picks the public spelling among constants with one value:
// GFP_KERNEL over __GFP_*, then the shortest.
func preferName(items []*index.Item) *index.Item {
	best := items[0]
	for _, it := range items[1:] {
		bu, iu := strings.HasPrefix(best.Name, "_"), strings.HasPrefix(it.Name, "_")
		if bu != iu {
			if bu {
				best = it
			}
			continue
		}
		if len(it.Name) < len(best.Name) || len(it.Name) == len(best.Name) && it.Name < best.Name {
			best = it
		}
	}
	return best
}

// closest suggests a public constant for a number that matches none: the
// one sharing the most set bits with it (Jaccard similarity), among the
// constants of the type's main family (gfp_t has GFP_* values but also
// xarray's XA_FLAGS_*), leaving out masks, which are not values to pass.
func closest(table map[uint64][]*index.Item, v uint64) *index.Item {
	type cand struct {
		it    *index.Item
		val   uint64
		score float64
	}
	family := map[string]int{}
	var all []cand
	for val, items := range table {
		it := preferName(items)
		if strings.HasPrefix(it.Name, "_") || strings.Contains(it.Name, "MASK") {
			continue
		}
		family[familyOf(it.Name)]++
		all = append(all, cand{it: it, val: val})
	}
	main, best := "", 0
	for f, n := range family {
		if n > best || n == best && f < main {
			main, best = f, n
		}
	}
	var cs []cand
	for _, c := range all {
		inter, union := bits.OnesCount64(c.val&v), bits.OnesCount64(c.val|v)
		if familyOf(c.it.Name) != main || inter == 0 {
			continue
		}
		c.score = float64(inter) / float64(union)
		cs = append(cs, c)
	}
	if len(cs) == 0 {
		return nil
	}
	return slices.MinFunc(cs, func(x, y cand) int {
		return cmp.Or(cmp.Compare(y.score, x.score), strings.Compare(x.it.Name, y.it.Name))
	}).it
}

// familyOf is a constant's prefix up to its first underscore: GFP, XA.
func familyOf(name string) string {
	f, _, _ := strings.Cut(name, "_")
	return f
}

// externCharParams says which parameters of a hand-written declaration are
// C strings: *const c_char, *const i8, *const u8.
func (a *analysis) externCharParams(e *externFn) []bool {
	params := e.item.ChildByField("parameters")
	if params == nil {
		return nil
	}
	ps, _ := rustParamsOf(params)
	out := make([]bool, len(ps))
	for i, p := range ps {
		t := p.ChildByField("type")
		if t == nil || t.Kind != "pointer_type" {
			continue
		}
		if in := t.ChildByField("type"); in != nil {
			switch lastSegment(in) {
			case "c_char", "i8", "u8", "c_uchar", "c_schar":
				out[i] = true
			}
		}
	}
	return out
}

// missingNUL reports "text".as_ptr() or b"text".as_ptr() (through casts)
// whose literal does not end in \0: C reads past it into whatever follows
// (rust.ko forks pass ",mode=%o".as_ptr() to mount options).
func (a *analysis) missingNUL(r *cRef, arg *syntax.Node) {
	n := arg
	for n != nil && n.Kind == "type_cast_expression" {
		n = n.ChildByField("value")
	}
	if n == nil || n.Kind != "call_expression" {
		return
	}
	fn := n.ChildByField("function")
	if fn == nil || fn.Kind != "field_expression" || fn.ChildByField("field").Text() != "as_ptr" {
		return
	}
	lit := fn.ChildByField("value")
	if lit == nil || lit.Kind != "string_literal" {
		return
	}
	body := lit.Text()
	if strings.HasSuffix(body, `\0"`) || strings.HasSuffix(body, `\x00"`) {
		return
	}
	f := a.add(diagnostics.CodeMissingNUL, diagnostics.Error, rangeOf(lit), fmt.Sprintf(
		"this string is passed to `%s` as a C string but has no terminating NUL: C reads on past its end into whatever follows. End it with \\0.",
		r.Name))
	fixed := strings.TrimSuffix(body, `"`) + `\0"`
	f.Fixes = append(f.Fixes, a.replaceFix("End the string with \\0", rangeOf(lit), fixed, true))
}
