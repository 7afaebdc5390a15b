package cwrap

import (
	"fmt"
	"strings"

	"modernc.org/cc/v4"
)

// speller writes C declarations that compile in a file including the same
// headers: typedef names are kept (gfp_t stays gfp_t, so the prototype
// means the same on every configuration), tags are spelled with their
// keyword, and qualifiers stay where they were. What it cannot name (an
// anonymous struct used without a typedef, a vector type) is an error.
type speller struct{ u *unit }

// decl spells a declaration of inner with type t. topQuals=false drops the
// qualifiers of t itself (a function's return type: gcc warns about them).
func (s *speller) decl(t cc.Type, inner string, topQuals bool) (string, error) {
	for depth := 0; ; depth++ {
		if depth > 64 || t == nil {
			return "", fmt.Errorf("a type too deeply nested to spell")
		}
		quals := ""
		if topQuals || depth > 0 {
			quals = qualifiers(t)
		}
		if td := t.Typedef(); td != nil && s.u.typedefs[td.Name()] != nil {
			return join(quals+td.Name(), inner), nil
		}
		switch x := t.(type) {
		case *cc.PointerType:
			p := "*"
			if q := strings.TrimSpace(qualifiers(t)); q != "" {
				p += q + " "
			}
			inner = p + inner
			if k := x.Elem().Kind(); k == cc.Array || k == cc.Function {
				inner = "(" + inner + ")"
			}
			t = x.Elem()
			continue
		case *cc.ArrayType:
			if x.Len() >= 0 {
				inner = fmt.Sprintf("%s[%d]", inner, x.Len())
			} else {
				inner += "[]"
			}
			t = x.Elem()
			continue
		case *cc.FunctionType:
			ps, err := s.paramList(nil, x, nil, -1)
			if err != nil {
				return "", err
			}
			inner += "(" + ps + ")"
			t = x.Result()
			topQuals = false
			continue
		}
		base, err := s.base(t)
		if err != nil {
			return "", err
		}
		return join(quals+base, inner), nil
	}
}

// paramList spells the first n parameters (all when n < 0) of a
// definition d under names, from the types, or from the tokens where a
// pointer is qualified (see below). Without d and names (a function type
// inside a declaration) it spells the types alone.
func (s *speller) paramList(d *cc.Declarator, ft *cc.FunctionType, names []string, n int) (string, error) {
	var pds []*cc.ParameterDeclaration
	if d != nil {
		pds = paramDecls(d)
	}
	ps := realParams(ft)
	if len(pds) != len(ps) && !(len(ps) == 0 && len(pds) == 1) {
		pds = nil // an identifier list or a shape we do not know: types only
	}
	if ft.IsVariadic() && len(ps) == 0 {
		return "", fmt.Errorf("an unprototyped function type")
	}
	if n >= 0 && n < len(ps) {
		ps = ps[:n]
	}
	var out []string
	for i, p := range ps {
		name := ""
		if names != nil {
			name = names[i]
		}
		if pds != nil && qualifiesPointer(pds[i].Declarator) || pds != nil && qualifiesPointer(pds[i].AbstractDeclarator) {
			sp, err := spellParam(pds[i], name)
			if err != nil {
				return "", err
			}
			out = append(out, sp)
			continue
		}
		if p.Type() == nil {
			return "", fmt.Errorf("parameter %d has no type", i+1)
		}
		sp, err := s.decl(p.Type(), name, true)
		if err != nil {
			return "", err
		}
		out = append(out, sp)
	}
	if ft.IsVariadic() {
		out = append(out, "...")
	}
	if len(out) == 0 {
		return "void", nil
	}
	return strings.Join(out, ", "), nil
}

func join(base, inner string) string {
	if inner == "" {
		return base
	}
	return base + " " + inner
}

func qualifiers(t cc.Type) string {
	a := t.Attributes()
	q := ""
	if a.IsConst() {
		q += "const "
	}
	if a.IsVolatile() {
		q += "volatile "
	}
	// 7.x's __percpu is __seg_gs: a helper's parameter must keep it, or gcc
	// rejects passing it on to the original.
	if as := a.AddressSpace(); as != "" {
		q += as + " "
	}
	return q
}

// base spells a type that is not derived (pointer, array, function).
func (s *speller) base(t cc.Type) (string, error) {
	if t.VectorSize() > 0 {
		return "", fmt.Errorf("a vector type (%s), which kernel code cannot pass in registers", t)
	}
	switch x := t.(type) {
	case *cc.StructType:
		if tag := x.Tag(); tag.SrcStr() == "__va_list_tag" && strings.HasPrefix(tag.Position().Filename, "<") {
			// The record in gcc's x86-64 __builtin_va_list, which the
			// bindings' front end declares (bindings.vaList) but gcc has no
			// tag for: a va_list parameter is adjusted to a pointer to it.
			return "__typeof__((*(__builtin_va_list *)0)[0])", nil
		}
		if tag := x.Tag(); tag.SrcStr() != "" {
			return "struct " + tag.SrcStr(), nil
		}
		return "", fmt.Errorf("an anonymous struct without a typedef, which no other declaration can name")
	case *cc.UnionType:
		if tag := x.Tag(); tag.SrcStr() != "" {
			return "union " + tag.SrcStr(), nil
		}
		return "", fmt.Errorf("an anonymous union without a typedef, which no other declaration can name")
	case *cc.EnumType:
		if tag := x.Tag(); tag.SrcStr() != "" {
			return "enum " + tag.SrcStr(), nil
		}
		return "", fmt.Errorf("an anonymous enum without a typedef, which no other declaration can name")
	}
	if cc.IsFloatingPointType(t) || cc.IsComplexType(t) {
		return "", fmt.Errorf("a floating-point type (%s): kernel code is built without FPU registers", t)
	}
	if n, ok := BasicName(t.Kind()); ok {
		return n, nil
	}
	return "", fmt.Errorf("the type %s, which the helper generator cannot spell", t)
}

// BasicName spells a basic C type (void, _Bool, the integer and the real
// floating types) by its kind, for the helpers here and the bindings' C
// declarations alike.
func BasicName(k cc.Kind) (string, bool) {
	n, ok := basicNames[k]
	return n, ok
}

var basicNames = map[cc.Kind]string{
	cc.Void: "void", cc.Bool: "_Bool", cc.Char: "char", cc.SChar: "signed char", cc.UChar: "unsigned char",
	cc.Short: "short", cc.UShort: "unsigned short", cc.Int: "int", cc.UInt: "unsigned int",
	cc.Long: "long", cc.ULong: "unsigned long", cc.LongLong: "long long", cc.ULongLong: "unsigned long long",
	cc.Int128: "__int128", cc.UInt128: "unsigned __int128", cc.Float: "float", cc.Double: "double",
	cc.LongDouble: "long double",
}

// realParams are a prototype's parameters; (void) has none.
func realParams(ft *cc.FunctionType) []*cc.Parameter {
	ps := ft.Parameters()
	if len(ps) == 1 && ps[0].Type() != nil && ps[0].Type().Kind() == cc.Void && ps[0].Name() == "" {
		return nil
	}
	return ps
}

// typeAttrs returns the attributes of a function definition that gcc makes
// part of the function's type (const and noreturn qualify it), spelled for
// the wrapper's prototype: without them the wrapper's type would differ
// from the original's.
func typeAttrs(fd *cc.FunctionDefinition) string {
	var out []string
	seen := map[string]bool{}
	ts := cc.NodeTokens(fd.DeclarationSpecifiers)
	for i := 0; i+2 < len(ts); i++ {
		if s := ts[i].SrcStr(); s != "__attribute__" && s != "__attribute" {
			continue
		}
		depth := 0
		for j := i + 1; j < len(ts); j++ {
			switch s := ts[j].SrcStr(); s {
			case "(":
				depth++
			case ")":
				depth--
			default:
				if depth != 2 || j == 0 || (ts[j-1].SrcStr() != "(" && ts[j-1].SrcStr() != ",") {
					continue
				}
				name := strings.Trim(s, "_")
				if (name == "const" || name == "noreturn") && !seen[name] {
					seen[name] = true
					out = append(out, "__attribute__((__"+name+"__))")
				}
			}
			if depth == 0 {
				i = j
				break
			}
		}
	}
	for _, t := range ts {
		if t.SrcStr() == "_Noreturn" && !seen["noreturn"] {
			seen["noreturn"] = true
			out = append(out, "__attribute__((__noreturn__))")
		}
	}
	return strings.Join(out, " ")
}

// cc/v4 keeps the qualifiers of a pointer's target but not those of the
// pointer itself, so `const char *const *argv` and `const char **argv`
// are the same type to it, though not to gcc. A parameter whose
// declarator qualifies a pointer is therefore spelled from its tokens.

// paramDecls returns a function definition's parameter declarations as
// written, or nil for an identifier list.
func paramDecls(d *cc.Declarator) []*cc.ParameterDeclaration {
	var find func(dd *cc.DirectDeclarator, depth int) *cc.DirectDeclarator
	find = func(dd *cc.DirectDeclarator, depth int) *cc.DirectDeclarator {
		if dd == nil || depth > 16 {
			return nil
		}
		switch dd.Case {
		case cc.DirectDeclaratorFuncParam:
			if inner := dd.DirectDeclarator; inner != nil && inner.Case == cc.DirectDeclaratorIdent {
				return dd
			}
		case cc.DirectDeclaratorDecl:
			if dd.Declarator != nil {
				return find(dd.Declarator.DirectDeclarator, depth+1)
			}
			return nil
		}
		return find(dd.DirectDeclarator, depth+1)
	}
	fn := find(d.DirectDeclarator, 0)
	if fn == nil || fn.ParameterTypeList == nil {
		return nil
	}
	var out []*cc.ParameterDeclaration
	for l := fn.ParameterTypeList.ParameterList; l != nil; l = l.ParameterList {
		out = append(out, l.ParameterDeclaration)
	}
	return out
}

// qualifiesPointer reports whether a declarator writes a qualifier after
// a '*' (a const or volatile pointer).
func qualifiesPointer(n cc.Node) bool {
	if isNilNode(n) {
		return false
	}
	ts := cc.NodeTokens(n)
	for i := 0; i+1 < len(ts); i++ {
		if ts[i].SrcStr() == "*" && isQualifier(ts[i+1].SrcStr()) {
			return true
		}
	}
	return false
}

func isQualifier(s string) bool {
	switch s {
	case "const", "volatile", "restrict", "__const", "__const__", "__volatile__", "__volatile", "__restrict", "__restrict__":
		return true
	}
	return false
}

// spellParam writes a parameter declaration from its tokens with its name
// replaced by name; an unnamed one cannot be given a name that way.
func spellParam(pd *cc.ParameterDeclaration, name string) (string, error) {
	if pd.Declarator == nil {
		return "", fmt.Errorf("an unnamed parameter of qualified pointer type, which the helper generator cannot spell")
	}
	nameTok := pd.Declarator.NameTok()
	var words []string
	for _, t := range cc.NodeTokens(pd.DeclarationSpecifiers) {
		words = append(words, t.SrcStr())
	}
	for _, t := range cc.NodeTokens(pd.Declarator) {
		s := t.SrcStr()
		if s == nameTok.SrcStr() && t.Position() == nameTok.Position() {
			s = name
		}
		words = append(words, s)
	}
	s := strings.Join(words, " ")
	for _, r := range [][2]string{{"* ", "*"}, {"( ", "("}, {" )", ")"}, {" ,", ","}, {" [", "["}, {"[ ", "["}, {" ]", "]"}} {
		s = strings.ReplaceAll(s, r[0], r[1])
	}
	s = strings.ReplaceAll(s, "*const", "*const ")
	s = strings.ReplaceAll(s, "*volatile", "*volatile ")
	return strings.Join(strings.Fields(s), " "), nil
}

// resultQualified reports whether a function's declarator qualifies a
// pointer of its return type other than the outermost, which the type
// cannot tell.
func resultQualified(d *cc.Declarator) bool {
	for p := d.Pointer; p != nil && p.Pointer != nil; p = p.Pointer {
		if p.TypeQualifiers != nil {
			return true
		}
	}
	return false
}
