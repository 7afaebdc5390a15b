package bindings

import (
	"fmt"
	"strings"

	"modernc.org/cc/v4"

	"github.com/rustko/rustko-lsp/bindings/cwrap"
)

// cTypeName spells t as C would in a cast.
func cTypeName(t cc.Type) string { return cDecl(t, "", false) }

// cDecl spells a C declaration of name with type t, the way hover shows
// it. Typedef names are kept (gfp_t, not unsigned int), except at the top
// when top is set: a typedef's own declaration spells what it names.
func cDecl(t cc.Type, name string, top bool) string { return spellDecl(t, name, top, nil) }

// spellDecl is cDecl with, when mc is not nil, the const qualifiers a
// member's syntax has and its cc/v4 type lost (memberDecl).
func spellDecl(t cc.Type, name string, top bool, mc *memberConst) string {
	inner := name
	k := 0 // pointers of mc still to spell, the outermost first
	if mc != nil {
		k = len(mc.quals)
	}
	base := func(t cc.Type) string {
		if mc != nil && k == 0 && mc.base && constPrefix(t) == "" {
			return "const "
		}
		return constPrefix(t)
	}
	for depth := 0; t != nil && depth < 64; depth++ {
		if d := t.Typedef(); d != nil && !top {
			return joinDecl(base(t)+d.Name(), inner)
		}
		top = false
		switch x := t.(type) {
		case *cc.PointerType:
			if k > 0 {
				if mc.quals[k-1] {
					inner = "const " + inner
				}
				k--
			}
			inner = "*" + inner
			if e := x.Elem().Kind(); e == cc.Array || e == cc.Function {
				inner = "(" + inner + ")"
			}
			t = x.Elem()
		case *cc.ArrayType:
			if x.Len() >= 0 {
				inner = fmt.Sprintf("%s[%d]", inner, x.Len())
			} else {
				inner += "[]"
			}
			t = x.Elem()
		case *cc.FunctionType:
			inner += "(" + cParams(x) + ")"
			t = x.Result()
		default:
			return joinDecl(base(t)+cBase(t), inner)
		}
	}
	return joinDecl("?", inner)
}

func joinDecl(base, inner string) string {
	if inner == "" {
		return base
	}
	return base + " " + inner
}

func constPrefix(t cc.Type) string {
	if t.Attributes().IsConst() {
		return "const "
	}
	return ""
}

func cParams(ft *cc.FunctionType) string {
	var ps []string
	for _, p := range ft.Parameters() {
		if p.Type() == nil {
			continue
		}
		ps = append(ps, cDecl(p.Type(), p.Name(), false))
	}
	if ft.IsVariadic() {
		ps = append(ps, "...")
	}
	if len(ps) == 0 {
		return "void"
	}
	return strings.Join(ps, ", ")
}

func cBase(t cc.Type) string {
	switch x := t.(type) {
	case *cc.StructType:
		if tag := x.Tag(); tag.SrcStr() != "" {
			return "struct " + tag.SrcStr()
		}
		return "struct {...}"
	case *cc.UnionType:
		if tag := x.Tag(); tag.SrcStr() != "" {
			return "union " + tag.SrcStr()
		}
		return "union {...}"
	case *cc.EnumType:
		if tag := x.Tag(); tag.SrcStr() != "" {
			return "enum " + tag.SrcStr()
		}
		return "enum {...}"
	}
	if n, ok := cwrap.BasicName(t.Kind()); ok {
		return n
	}
	// Anything else as the front end spells it, without the qualifiers
	// constPrefix adds.
	return strings.TrimPrefix(strings.TrimPrefix(t.String(), "const "), "volatile ")
}

// cFuncDecl spells a function declaration with its storage class.
func cFuncDecl(d *cc.Declarator, ft *cc.FunctionType) string {
	prefix := "extern "
	switch {
	case d.IsStatic() && d.IsInline():
		prefix = "static inline "
	case d.IsStatic():
		prefix = "static "
	case d.IsInline():
		prefix = "inline "
	}
	return prefix + cDecl(ft, d.Name(), true)
}
