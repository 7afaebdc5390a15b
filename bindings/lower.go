package bindings

import (
	"fmt"
	"sort"
	"strings"

	"modernc.org/cc/v4"
	"modernc.org/token"
)

// lowerer turns the checked cc/v4 AST into IR. It walks the translation
// unit's external declarations in order, which gives every item a stable
// position in the output, and lowers types on demand.
type lowerer struct {
	ast *cc.AST
	u   *Unit

	configured map[string]bool // absolute paths of the configured headers
	fileOrder  map[string]int

	tagDefs   map[string]*cc.StructOrUnionSpecifier // "struct foo" -> its definition
	records   map[string]*Record                    // "struct foo" / anonymous key -> record
	enums     map[*cc.EnumSpecifier]*Enum
	enumByTag map[string]*Enum
	typedefs  map[string]*Typedef
	functions map[string]*Function
	variables map[string]*Variable
	seenConst map[string]bool
	constEnum map[string]*Enum // enumerator name -> its enum

	memberConsts map[*cc.Declarator]memberConst
	constSeen    map[*cc.StructOrUnionSpecifier]bool

	ptrSize int64
	order   int
	hint    anonHint
	// bad lists records whose layout the front end got wrong; they are
	// fatal only if the output needs them.
	bad map[*Record]bool
}

func newLowerer(ast *cc.AST, configured []string) *lowerer {
	l := &lowerer{
		ast:        ast,
		u:          &Unit{},
		configured: map[string]bool{},
		fileOrder:  map[string]int{},
		tagDefs:    map[string]*cc.StructOrUnionSpecifier{},
		records:    map[string]*Record{},
		enums:      map[*cc.EnumSpecifier]*Enum{},
		enumByTag:  map[string]*Enum{},
		typedefs:   map[string]*Typedef{},
		functions:  map[string]*Function{},
		variables:  map[string]*Variable{},
		seenConst:  map[string]bool{},
		constEnum:  map[string]*Enum{},

		memberConsts: map[*cc.Declarator]memberConst{},
		constSeen:    map[*cc.StructOrUnionSpecifier]bool{},
		bad:          map[*Record]bool{},
	}
	for _, h := range configured {
		l.configured[h] = true
	}
	l.ptrSize = ast.PVoid.Size()
	l.u.LongSize = ast.Long.Size()
	l.u.CharSigned = cc.IsSignedInteger(ast.Char)
	for name, nodes := range ast.Scope.Nodes {
		for _, n := range nodes {
			if s, ok := n.(*cc.StructOrUnionSpecifier); ok && s.Case == cc.StructOrUnionSpecifierDef {
				key := tagKey(s.StructOrUnion.Case == cc.StructOrUnionUnion, name)
				if _, dup := l.tagDefs[key]; !dup {
					l.tagDefs[key] = s
				}
				l.collectMemberConst(s)
			}
		}
	}
	return l
}

func tagKey(union bool, tag string) string {
	if union {
		return "union " + tag
	}
	return "struct " + tag
}

// realFile reports whether a position is in a header (not in the front
// end's predefined or builtin sources, nor the synthetic includer).
func realFile(p token.Position) bool {
	return p.Filename != "" && !strings.HasPrefix(p.Filename, "<")
}

func (l *lowerer) pos(p token.Position) Pos {
	return Pos{File: p.Filename, Line: p.Line, Col: p.Column}
}

func (l *lowerer) next() int { l.order++; return l.order }

// lower walks the translation unit.
func (l *lowerer) lower() *Unit {
	for tu := l.ast.TranslationUnit; tu != nil; tu = tu.TranslationUnit {
		ed := tu.ExternalDeclaration
		if ed == nil {
			continue
		}
		p := ed.Position()
		if !realFile(p) {
			continue
		}
		if _, ok := l.fileOrder[p.Filename]; !ok {
			l.fileOrder[p.Filename] = len(l.fileOrder)
		}
		switch ed.Case {
		case cc.ExternalDeclarationDecl:
			l.declaration(ed.Declaration)
		case cc.ExternalDeclarationFuncDef:
			fd := ed.FunctionDefinition
			l.specifiers(fd.DeclarationSpecifiers)
			l.function(fd.Declarator, true)
		}
	}
	l.orphanEnumerators()
	return l.u
}

// inConfigured reports whether an item at p is declared by one of the
// configured headers: the roots of the selection.
func (l *lowerer) inConfigured(p Pos) bool { return l.configured[p.File] }

func (l *lowerer) declaration(d *cc.Declaration) {
	if d == nil || d.Case != cc.DeclarationDecl {
		return
	}
	l.specifiers(d.DeclarationSpecifiers)
	for il := d.InitDeclaratorList; il != nil; il = il.InitDeclaratorList {
		if il.InitDeclarator == nil {
			continue
		}
		dd := il.InitDeclarator.Declarator
		if dd == nil || dd.Name() == "" || dd.Type() == nil {
			continue
		}
		switch {
		case dd.IsTypename():
			l.typedef(dd)
		case dd.Type().Kind() == cc.Function:
			l.function(dd, false)
		default:
			l.variable(dd)
		}
	}
}

// specifiers lowers the struct, union and enum definitions a declaration's
// specifiers contain, so they appear in declaration order even when nothing
// declared with them is selected.
func (l *lowerer) specifiers(ds *cc.DeclarationSpecifiers) {
	for ; ds != nil; ds = ds.DeclarationSpecifiers {
		ts := ds.TypeSpecifier
		if ts == nil {
			continue
		}
		if s := ts.StructOrUnionSpecifier; s != nil && s.Case == cc.StructOrUnionSpecifierDef {
			l.collectMemberConst(s)
			if tag := s.Token.SrcStr(); tag != "" && s.Type() != nil {
				l.tagged(s.Type(), s.StructOrUnion.Case == cc.StructOrUnionUnion, tag)
			}
		}
		if e := ts.EnumSpecifier; e != nil && e.EnumeratorList != nil {
			l.enum(e)
		}
	}
}

func (l *lowerer) typedef(d *cc.Declarator) *Typedef {
	name := d.Name()
	if td, ok := l.typedefs[name]; ok {
		return td
	}
	p := d.Position()
	td := &Typedef{CName: name, Name: name, Pos: l.pos(p), order: l.next()}
	l.typedefs[name] = td
	t := d.Type()
	td.Decl = "typedef " + cDecl(t, name, true)
	// typedef struct {...} name: the anonymous record takes the name.
	switch x := t.(type) {
	case ccRecord:
		if tok := x.Tag(); tok.SrcStr() == "" {
			r := l.anonRecord(t, name, t.Kind() == cc.Union, td.Pos)
			td.Type = &Type{Kind: TNamed, Ref: r, Size: r.Size, Align: r.Align, CName: name}
			td.Same = true
		}
	case *cc.EnumType:
		if tok := x.Tag(); tok.SrcStr() == "" {
			if e := l.enumOfType(x); e != nil && e.Name == "" {
				e.Name = name
				td.Type = &Type{Kind: TNamed, Ref: e, Size: t.Size(), Align: int64(t.Align()), CName: name}
				td.Same = true
			}
		}
	}
	if td.Type == nil {
		td.Type = l.typSkip(t, false, d)
		if td.Type.Kind == TNamed && td.Type.Ref.rustName() == name {
			td.Same = true
		}
	}
	l.u.Typedefs = append(l.u.Typedefs, td)
	return td
}

func (l *lowerer) function(d *cc.Declarator, def bool) {
	name := d.Name()
	f, ok := l.functions[name]
	if ok {
		// A later definition of a declared function makes it inline.
		if def {
			f.Inline = true
		}
		return
	}
	ft, _ := d.Type().(*cc.FunctionType)
	if ft == nil {
		return
	}
	f = &Function{CName: name, Name: name, Pos: l.pos(d.Position()), order: l.next()}
	f.Inline = def || d.IsInline() || d.IsStatic()
	f.Sig = l.sig(ft)
	f.Decl = cFuncDecl(d, ft)
	l.functions[name] = f
	l.u.Functions = append(l.u.Functions, f)
}

func (l *lowerer) variable(d *cc.Declarator) {
	name := d.Name()
	if _, ok := l.variables[name]; ok {
		return
	}
	v := &Variable{CName: name, Name: name, Pos: l.pos(d.Position()), order: l.next()}
	t := d.Type()
	v.Type = l.typ(t, false)
	v.Const = d.IsConst() || t.Attributes().IsConst()
	storage := "extern "
	if d.IsStatic() {
		storage = "static "
	}
	v.Decl = storage + cDecl(t, name, true)
	v.Static = d.IsStatic()
	l.variables[name] = v
	l.u.Variables = append(l.u.Variables, v)
}

// sig lowers a prototype; array and function parameters decay to pointers
// as C adjusts them.
func (l *lowerer) sig(ft *cc.FunctionType) *FuncSig {
	s := &FuncSig{Variadic: ft.IsVariadic(), ResultC: "void"}
	if r := ft.Result(); r != nil && r.Kind() != cc.Void {
		s.Result = l.typ(r, false)
		s.ResultC = cTypeName(r)
	}
	params := ft.Parameters()
	if len(params) == 1 && params[0].Type() != nil && params[0].Type().Kind() == cc.Void {
		params = nil
	}
	for _, p := range params {
		pt := p.Type()
		if pt == nil {
			continue
		}
		s.Params = append(s.Params, Param{Name: p.Name(), Type: l.typ(pt, true), CType: cTypeName(pt)})
	}
	return s
}

// enum lowers an enum definition; the constants keep their C values and
// the enum's underlying type is gcc's (unsigned when no value is negative).
func (l *lowerer) enum(es *cc.EnumSpecifier) *Enum {
	if e, ok := l.enums[es]; ok {
		return e
	}
	et, _ := es.Type().(*cc.EnumType)
	tag := es.Token2.SrcStr()
	if es.Token2.Ch != rune(cc.IDENTIFIER) {
		tag = ""
	}
	if tag != "" {
		if e, ok := l.enumByTag[tag]; ok {
			l.enums[es] = e
			return e
		}
	}
	e := &Enum{Tag: tag, Name: tag, Pos: l.pos(es.Position()), order: l.next()}
	l.enums[es] = e
	if tag != "" {
		l.enumByTag[tag] = e
	}
	var ut cc.Type
	if et != nil {
		ut = et.UnderlyingType()
	}
	if ut == nil {
		ut = l.ast.Int
	}
	e.Underlying = l.prim(ut)
	var b strings.Builder
	if tag != "" {
		fmt.Fprintf(&b, "enum %s {", tag)
	} else {
		b.WriteString("enum {")
	}
	for el := es.EnumeratorList; el != nil; el = el.EnumeratorList {
		en := el.Enumerator
		if en == nil {
			continue
		}
		name := en.Token.SrcStr()
		c := EnumConst{CName: name, Name: name, Value: ccValue(en.Value(), e.Underlying.Signed), Pos: l.pos(en.Position())}
		l.seenConst[name] = true
		l.constEnum[name] = e
		e.Consts = append(e.Consts, c)
		fmt.Fprintf(&b, " %s = %s,", name, c.Value.C())
	}
	b.WriteString(" }")
	e.Decl = b.String()
	l.u.Enums = append(l.u.Enums, e)
	return e
}

// enumOfType finds the IR enum of an enum type through its tag or, for an
// anonymous one, through its first enumerator.
func (l *lowerer) enumOfType(et *cc.EnumType) *Enum {
	if tok := et.Tag(); tok.SrcStr() != "" {
		if e, ok := l.enumByTag[tok.SrcStr()]; ok {
			return e
		}
		var decl *cc.EnumSpecifier
		for _, n := range l.ast.Scope.Nodes[tok.SrcStr()] {
			if es, ok := n.(*cc.EnumSpecifier); ok {
				if es.EnumeratorList != nil {
					return l.enum(es)
				}
				decl = es
			}
		}
		// GNU C lets a header name an enum it never defines (a forward
		// reference in a prototype). Its values are unknown, so is its
		// type; gcc gives an enum without negative values unsigned int,
		// which is what this one gets, and the index says so.
		tag := tok.SrcStr()
		e := &Enum{Tag: tag, Name: tag, Underlying: l.prim(l.ast.Int), Incomplete: true, order: l.next(),
			Decl: "enum " + tag + ";"}
		e.Underlying = &Type{Kind: TPrim, Prim: "c_uint", Size: 4, Align: 4, CName: "unsigned int"}
		if decl != nil {
			e.Pos = l.pos(decl.Position())
		} else {
			e.Pos = l.pos(tok.Position())
		}
		l.enumByTag[tag] = e
		l.u.Enums = append(l.u.Enums, e)
		return e
	}
	ens := et.Enumerators()
	if len(ens) == 0 {
		return nil
	}
	first := ens[0].Token.SrcStr()
	for _, e := range l.enums {
		if len(e.Consts) > 0 && e.Consts[0].CName == first && e.Tag == "" {
			return e
		}
	}
	return nil
}

// orphanEnumerators picks up enumerators whose enum was defined where the
// walk does not look (inside a struct body), so no constant goes missing.
func (l *lowerer) orphanEnumerators() {
	var names []string
	for name, nodes := range l.ast.Scope.Nodes {
		for _, n := range nodes {
			if _, ok := n.(*cc.Enumerator); ok && !l.seenConst[name] {
				names = append(names, name)
				break
			}
		}
	}
	sort.Strings(names)
	for _, name := range names {
		for _, n := range l.ast.Scope.Nodes[name] {
			en, ok := n.(*cc.Enumerator)
			if !ok || !realFile(en.Position()) {
				continue
			}
			e := &Enum{Underlying: l.prim(l.ast.Int), Pos: l.pos(en.Position()), order: l.next()}
			c := EnumConst{CName: name, Name: name, Value: ccValue(en.Value(), true), Pos: e.Pos}
			e.Consts = []EnumConst{c}
			e.Decl = fmt.Sprintf("enum { %s = %s }", name, c.Value.C())
			l.u.Enums = append(l.u.Enums, e)
			l.seenConst[name] = true
			break
		}
	}
}

// ccValue converts a cc/v4 constant.
func ccValue(v cc.Value, signed bool) Value {
	switch x := v.(type) {
	case cc.Int64Value:
		if !signed && x >= 0 {
			return uintValue(uint64(x))
		}
		return intValue(int64(x))
	case cc.UInt64Value:
		if signed && uint64(x) <= 1<<63-1 {
			return intValue(int64(x))
		}
		return uintValue(uint64(x))
	}
	return Value{}
}
