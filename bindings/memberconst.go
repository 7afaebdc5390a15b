package bindings

import (
	"modernc.org/cc/v4"
)

// cc/v4 keeps the const of a pointee in the types of declarations and
// parameters but drops it for struct and union members (const char *name
// comes out as pointer to char). The syntax still has it, so it is read
// from there: which pointer levels of a member point to something const.

// memberConst is what the syntax of one member declarator says.
type memberConst struct {
	base  bool   // the specifiers say const: the innermost pointee is const
	quals []bool // const after each '*', left to right: that pointer is const
}

// collectMemberConst records the member declarators of a struct or union
// definition and of the definitions nested in it.
func (l *lowerer) collectMemberConst(s *cc.StructOrUnionSpecifier) {
	if s == nil || s.Case != cc.StructOrUnionSpecifierDef || l.constSeen[s] {
		return
	}
	l.constSeen[s] = true
	for sdl := s.StructDeclarationList; sdl != nil; sdl = sdl.StructDeclarationList {
		sd := sdl.StructDeclaration
		if sd == nil || sd.Case != cc.StructDeclarationDecl {
			continue
		}
		base := false
		for sq := sd.SpecifierQualifierList; sq != nil; sq = sq.SpecifierQualifierList {
			if q := sq.TypeQualifier; q != nil && q.Case == cc.TypeQualifierConst {
				base = true
			}
			if ts := sq.TypeSpecifier; ts != nil {
				l.collectMemberConst(ts.StructOrUnionSpecifier)
			}
		}
		for dl := sd.StructDeclaratorList; dl != nil; dl = dl.StructDeclaratorList {
			if dl.StructDeclarator == nil {
				continue
			}
			d := dl.StructDeclarator.Declarator
			if d == nil || d.Pointer == nil || !plainDirect(d.DirectDeclarator) {
				continue
			}
			mc := memberConst{base: base}
			for p := d.Pointer; p != nil; p = p.Pointer {
				mc.quals = append(mc.quals, hasConst(p.TypeQualifiers))
			}
			l.memberConsts[d] = mc
		}
	}
}

// plainDirect accepts "name" and "name[N]...": declarators whose pointers
// are the outermost type, or under arrays. Parenthesized ones (pointers to
// functions or arrays) keep what the front end says.
func plainDirect(dd *cc.DirectDeclarator) bool {
	for ; dd != nil; dd = dd.DirectDeclarator {
		switch dd.Case {
		case cc.DirectDeclaratorIdent:
			return true
		case cc.DirectDeclaratorArr, cc.DirectDeclaratorArrStatic, cc.DirectDeclaratorStaticArr, cc.DirectDeclaratorStar:
		default:
			return false
		}
	}
	return false
}

func hasConst(q *cc.TypeQualifiers) bool {
	for ; q != nil; q = q.TypeQualifiers {
		if q.TypeQualifier != nil && q.TypeQualifier.Case == cc.TypeQualifierConst {
			return true
		}
	}
	return false
}

// apply marks the pointers of t (under any arrays) whose pointee is const.
// The last '*' is the outermost pointer; it points to the type the '*'s
// before it make, whose const is the qualifier after the previous '*'.
func (mc memberConst) apply(t *Type) {
	for t != nil && t.Kind == TArray {
		t = t.Elem
	}
	for i := len(mc.quals); i >= 1 && t != nil && t.Kind == TPointer; i-- {
		if i == 1 {
			t.Const = t.Const || mc.base
		} else {
			t.Const = t.Const || mc.quals[i-2]
		}
		t = t.Elem
	}
}

// memberDecl spells a member's declaration like cDecl, with the const
// qualifiers the syntax has and cc/v4 dropped from the member's type: hover
// must show `const struct file_operations *f_op`, as the header says.
func memberDecl(t cc.Type, name string, mc memberConst, ok bool) string {
	if !ok {
		return cDecl(t, name, false)
	}
	return spellDecl(t, name, false, &mc)
}
