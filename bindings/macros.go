package bindings

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	"modernc.org/cc/v4"

	"github.com/rustko/rustko-lsp/bindings/clex"
	"github.com/rustko/rustko-lsp/bindings/cmacro"
)

// expansionLimit bounds the tokens one macro's expansion may produce.
const expansionLimit = 200000

// astEnv answers the evaluator's questions from the checked AST.
type astEnv struct {
	l        *lowerer
	dm       dataModel
	typedefs map[string]*ctype
	tags     map[string]*ctype
	consts   map[string]*cval
	gnuc     *int // __GNUC__, read once
}

func newASTEnv(l *lowerer) *astEnv {
	return &astEnv{
		l:        l,
		dm:       dataModel{long: l.ast.Long.Size(), ptr: l.ptrSize, charSigned: l.u.CharSigned},
		typedefs: map[string]*ctype{},
		tags:     map[string]*ctype{},
		consts:   map[string]*cval{},
	}
}

func (e *astEnv) model() dataModel { return e.dm }

func (e *astEnv) typedef(name string) *ctype {
	if t, ok := e.typedefs[name]; ok {
		return t
	}
	var t *ctype
	for _, n := range e.l.ast.Scope.Nodes[name] {
		if d, ok := n.(*cc.Declarator); ok && d.IsTypename() && d.Type() != nil {
			t = e.convert(d.Type(), 0)
			break
		}
	}
	e.typedefs[name] = t
	return t
}

func (e *astEnv) tag(kind, name string) *ctype {
	key := kind + " " + name
	if t, ok := e.tags[key]; ok {
		return t
	}
	var t *ctype
	for _, n := range e.l.ast.Scope.Nodes[name] {
		switch x := n.(type) {
		case *cc.StructOrUnionSpecifier:
			isUnion := x.StructOrUnion.Case == cc.StructOrUnionUnion
			if (kind == "union") != isUnion || kind == "enum" {
				continue
			}
			if x.Type() != nil && (t == nil || x.Case == cc.StructOrUnionSpecifierDef) {
				t = e.convert(x.Type(), 0)
			}
		case *cc.EnumSpecifier:
			if kind == "enum" && x.Type() != nil {
				t = e.convert(x.Type(), 0)
			}
		}
	}
	e.tags[key] = t
	return t
}

func (e *astEnv) enumConst(name string) (Value, *ctype, bool) {
	if c, ok := e.consts[name]; ok {
		if c == nil {
			return Value{}, nil, false
		}
		return c.v, c.t, true
	}
	for _, n := range e.l.ast.Scope.Nodes[name] {
		en, ok := n.(*cc.Enumerator)
		if !ok {
			continue
		}
		v := ccValue(en.Value(), true)
		if v.Kind == VNone {
			continue
		}
		// gcc: an enumeration constant whose value fits int is an int;
		// one that does not has its enum's type. gcc 13 and later follow
		// C23 instead: when any constant of the (complete) enum does not
		// fit int, every one of them has the enum's type (7.x is built
		// with gcc 14).
		t := basicType("int", e.dm)
		if ie := e.l.constEnum[name]; ie != nil && (!fitsInt(v) || e.gccMajor() >= 13 && !allFitInt(ie)) {
			if bt := basicType(ie.Underlying.CName, e.dm); bt != nil {
				t = bt
			}
		}
		p := &cparser{dm: e.dm}
		c := p.convert(cval{t: t, v: v, known: true}, t)
		e.consts[name] = &c
		return c.v, c.t, true
	}
	e.consts[name] = nil
	return Value{}, nil, false
}

func (e *astEnv) object(name string) (string, bool) {
	for _, n := range e.l.ast.Scope.Nodes[name] {
		if d, ok := n.(*cc.Declarator); ok && !d.IsTypename() && d.Type() != nil {
			if d.Type().Kind() == cc.Function {
				return "function", true
			}
			return "variable", true
		}
	}
	return "", false
}

func (e *astEnv) member(rec *ctype, name string) (*ctype, int64, bool) {
	var f *cc.Field
	if r, ok := rec.impl.(ccRecord); ok {
		f = r.FieldByName(name)
	}
	if f == nil || f.Type() == nil {
		return nil, 0, false
	}
	return e.convert(f.Type(), 0), f.Offset(), true
}

// convert describes a cc/v4 type to the evaluator.
func (e *astEnv) convert(t cc.Type, depth int) *ctype {
	r := &ctype{size: t.Size(), align: int64(t.Align()), name: cTypeName(t), impl: t}
	if d := t.Typedef(); d != nil && realFile(d.Position()) {
		r.td = d
	}
	switch t.Kind() {
	case cc.Bool, cc.Char, cc.SChar, cc.UChar, cc.Short, cc.UShort, cc.Int, cc.UInt, cc.Long, cc.ULong,
		cc.LongLong, cc.ULongLong, cc.Int128, cc.UInt128:
		r.kind = kInt
		r.signed = cc.IsSignedInteger(t)
		r.rank = intRank[t.Kind()]
	case cc.Enum:
		r.kind = kInt
		if et, ok := t.(*cc.EnumType); ok {
			ut := et.UnderlyingType()
			r.signed = cc.IsSignedInteger(ut)
			r.rank = intRank[ut.Kind()]
			r.enum = et
		} else {
			r.signed, r.rank = true, 3
		}
	case cc.Float, cc.Double, cc.LongDouble, cc.Float32, cc.Float64:
		r.kind, r.signed = kFloat, true
	case cc.Ptr:
		r.kind = kPtr
		if pt, ok := t.(*cc.PointerType); ok && depth < 8 {
			r.elem = e.convert(pt.Elem(), depth+1)
		}
	case cc.Array:
		r.kind = kArray
		if at, ok := t.(*cc.ArrayType); ok && depth < 8 {
			r.elem = e.convert(at.Elem(), depth+1)
			r.n = at.Len()
		}
	case cc.Struct, cc.Union:
		r.kind = kRecord
	case cc.Void:
		r.kind = kVoid
	case cc.Function:
		r.kind = kFunc
		if ft, ok := t.(*cc.FunctionType); ok && depth < 8 {
			r.elem = e.convert(ft.Result(), depth+1)
		}
	default:
		r.kind = kRecord // vectors, complex: nothing an expression may compute with
	}
	if r.elem == nil && (r.kind == kPtr || r.kind == kArray) {
		r.elem = basicType("void", e.dm)
	}
	return r
}

// allFitInt reports whether every constant of en fits int.
func allFitInt(en *Enum) bool {
	for _, c := range en.Consts {
		if !fitsInt(c.Value) {
			return false
		}
	}
	return true
}

// gccMajor is __GNUC__ of the compiler the headers are read for (0 when it
// is not gcc-like).
func (e *astEnv) gccMajor() int {
	if e.gnuc == nil {
		n := 0
		if m := e.l.ast.Macros["__GNUC__"]; m != nil && !m.IsFnLike {
			if rl := m.ReplacementList(); len(rl) == 1 {
				n, _ = strconv.Atoi(rl[0].SrcStr())
			}
		}
		e.gnuc = &n
	}
	return *e.gnuc
}

func fitsInt(v Value) bool {
	switch v.Kind {
	case VInt:
		return v.I >= -1<<31 && v.I <= 1<<31-1
	case VUint:
		return v.U <= 1<<31-1
	}
	return true
}

var intRank = map[cc.Kind]int{
	cc.Bool: 0, cc.Char: 1, cc.SChar: 1, cc.UChar: 1, cc.Short: 2, cc.UShort: 2, cc.Int: 3, cc.UInt: 3,
	cc.Long: 4, cc.ULong: 4, cc.LongLong: 5, cc.ULongLong: 5, cc.Int128: 6, cc.UInt128: 6,
}

// macroDefs converts cc/v4's macro definitions on demand.
type macroDefs struct {
	ast  *cc.AST
	defs map[string]*cmacro.Def
	memo cmacro.Memo // expansions shared by every macro evaluated
}

func (m *macroDefs) lookup(name string) *cmacro.Def {
	if d, ok := m.defs[name]; ok {
		return d
	}
	cm := m.ast.Macros[name]
	var d *cmacro.Def
	// cc/v4 implements some gcc builtins as macros of its own (offsetof
	// through a null pointer, types_compatible_p through compound
	// literals); gcc has no such macros, and the evaluator knows the
	// builtins themselves.
	if cm != nil && !(strings.HasPrefix(name, "__builtin_") && cm.Position().Filename == "<builtin>") {
		d = convertMacro(name, cm)
	}
	m.defs[name] = d
	return d
}

func convertMacro(name string, cm *cc.Macro) *cmacro.Def {
	d := &cmacro.Def{Name: name, FuncLike: cm.IsFnLike, Variadic: cm.VarArg >= 0}
	for _, p := range cm.Params {
		d.Params = append(d.Params, p.SrcStr())
	}
	if cm.VarArg >= 0 && cm.VarArg == len(d.Params) {
		d.Params = append(d.Params, "__VA_ARGS__")
	}
	for _, t := range cm.ReplacementList() {
		text := t.SrcStr()
		d.Body = append(d.Body, clex.Token{Kind: cmacro.KindOf(text), Text: text, Space: len(t.Sep()) > 0})
	}
	return d
}

// macroText is a replacement list as written, with single spaces.
func macroText(d *cmacro.Def) string {
	var b strings.Builder
	for i, t := range d.Body {
		if i > 0 && t.Space {
			b.WriteByte(' ')
		}
		b.WriteString(t.Text)
	}
	return b.String()
}

// dynamicMacros are the preprocessor's own, whose value depends on where
// they are used; the front end's table has them with the position of their
// last use.
var dynamicMacros = map[string]bool{
	"__FILE__": true, "__LINE__": true, "__COUNTER__": true, "__DATE__": true, "__TIME__": true,
	"__TIMESTAMP__": true, "__BASE_FILE__": true, "__INCLUDE_LEVEL__": true, "__FILE_NAME__": true,
	"defined": true, "__has_include": true, "__has_include_next": true,
}

// positionDependent refuses an expansion that used one of the dynamic
// macros: its value is the one at the header's last use (6.12's FILE_LINE,
// __FILE__ ":" __stringify(__LINE__), would be a file and line in
// rtnetlink.h), not a constant a binding could give.
func positionDependent(used map[string]bool) error {
	var names []string
	for n := range used {
		if dynamicMacros[n] && n != "defined" && !strings.HasPrefix(n, "__has_include") {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return nil
	}
	sort.Strings(names)
	return fmt.Errorf("depends on where it is used: expands %s", strings.Join(names, ", "))
}

// lowerMacros evaluates every object-like macro of the headers and records
// the function-like ones. Expanding is most of the work and touches nothing
// but the macro table, so it runs on two goroutines with their own memo;
// evaluating and typing the results, which read the AST and add typedefs
// to the unit, stays on this one.
func (l *lowerer) lowerMacros(ctx context.Context) error {
	var objects []string
	for name, m := range l.ast.Macros {
		if dynamicMacros[name] || !realFile(m.Position()) {
			continue
		}
		if m.IsFnLike {
			l.u.FuncMacros = append(l.u.FuncMacros, funcMacro(name, m, l.pos(m.Position())))
			continue
		}
		objects = append(objects, name)
	}
	sort.Strings(objects)
	type expansion struct {
		text string
		toks []clex.Token
		err  error
	}
	results := make([]expansion, len(objects))
	workers := max(1, min(2, runtime.GOMAXPROCS(0)))
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			defs := &macroDefs{ast: l.ast, defs: map[string]*cmacro.Def{}, memo: cmacro.Memo{}}
			for i := w; i < len(objects); i += workers {
				if i%512 == w && ctx.Err() != nil {
					return
				}
				d := defs.lookup(objects[i])
				r := &results[i]
				r.text = macroText(d)
				switch {
				case len(d.Body) == 0:
				case len(d.Body) == 1 && d.Body[0].Kind == clex.Number:
					// Most macros (every CONFIG_ one) are a single number.
					r.toks = d.Body
				default:
					x := &cmacro.Expander{Lookup: defs.lookup, Limit: expansionLimit, Memo: defs.memo, Used: map[string]bool{}}
					r.toks, r.err = x.Expand([]clex.Token{{Kind: clex.Ident, Text: objects[i]}})
					if r.err == nil {
						r.err = positionDependent(x.Used)
					}
				}
			}
		}(w)
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	env := newASTEnv(l)
	for i, name := range objects {
		r := results[i]
		mc := &MacroConst{CName: name, Name: name, Pos: l.pos(l.ast.Macros[name].Position()), Expansion: r.text}
		switch {
		case r.err != nil:
			mc.Why = r.err.Error()
		case len(r.toks) == 0:
			mc.Why = "empty: expands to nothing"
		default:
			l.typeMacro(mc, r.toks, env)
		}
		l.u.Macros = append(l.u.Macros, mc)
	}
	sort.SliceStable(l.u.Macros, func(i, j int) bool { return posLess(l.fileOrder, l.u.Macros[i].Pos, l.u.Macros[j].Pos) })
	sort.SliceStable(l.u.FuncMacros, func(i, j int) bool {
		return posLess(l.fileOrder, l.u.FuncMacros[i].Pos, l.u.FuncMacros[j].Pos)
	})
	return nil
}

// funcMacro records a function-like macro from cc/v4's definition without
// converting its tokens: nothing expands it unless an object-like macro
// uses it.
func funcMacro(name string, m *cc.Macro, pos Pos) *FuncMacro {
	fm := &FuncMacro{CName: name, Pos: pos, Variadic: m.VarArg >= 0}
	for _, p := range m.Params {
		fm.Params = append(fm.Params, p.SrcStr())
	}
	if m.VarArg >= 0 && m.VarArg == len(fm.Params) {
		fm.Params = append(fm.Params, "...")
	}
	var b strings.Builder
	for i, t := range m.ReplacementList() {
		if i > 0 && len(t.Sep()) > 0 {
			b.WriteByte(' ')
		}
		b.Write(t.Src())
	}
	fm.Expansion = b.String()
	return fm
}

func posLess(order map[string]int, a, b Pos) bool {
	oa, ok := order[a.File]
	if !ok {
		oa = len(order)
	}
	ob, ok := order[b.File]
	if !ok {
		ob = len(order)
	}
	return sortKey{oa, a.File, a.Line, a.Col, 0}.less(sortKey{ob, b.File, b.Line, b.Col, 0})
}

// typeMacro evaluates an object-like macro's expansion and gives the value
// its Rust type, or says why it has none.
func (l *lowerer) typeMacro(mc *MacroConst, toks []clex.Token, env cenv) {
	v, why := evalConstant(toks, env)
	if why != "" {
		mc.Why = why
		return
	}
	mc.CType = v.t.name
	if v.str {
		mc.Value, mc.CType = v.v, "char[]"
		mc.Type = &Type{Kind: TArray, Elem: &Type{Kind: TPrim, Prim: "c_uchar", Size: 1, Align: 1}, Len: int64(len(v.v.S) + 1)}
		return
	}
	t, why := l.constType(v.t)
	if why != "" {
		mc.Why = why
		return
	}
	mc.Value, mc.Type = v.v, t
}

// evalConstant evaluates a macro's expansion and classifies what has no
// value: empty, a type, a function alias, asm or attribute text, a
// runtime expression, or not C at all.
func evalConstant(toks []clex.Token, env cenv) (cval, string) {
	if len(toks) == 0 {
		return cval{}, "empty: expands to nothing"
	}
	for _, t := range toks {
		switch t.Text {
		case "__attribute__", "__attribute":
			return cval{}, "attribute: expands to __attribute__ text"
		case "asm", "__asm__", "__asm", "asm_inline":
			return cval{}, "asm text"
		}
	}
	if len(toks) == 1 && toks[0].Kind == clex.Ident {
		if kind, ok := env.object(toks[0].Text); ok && kind == "function" {
			return cval{}, "function alias: expands to the function " + toks[0].Text
		}
	}
	p := &cparser{toks: toks, env: env, dm: env.model()}
	if p.startsType(0) {
		if t, err := p.typeName(); err == nil && p.pos == len(toks) {
			return cval{}, "type alias: expands to the type " + t.name
		}
	}
	v, err := evalExpr(toks, env)
	if err != nil {
		return cval{}, err.Error()
	}
	if !v.known {
		why := v.why
		if why == "" {
			why = "not a constant expression"
		}
		return cval{}, why
	}
	switch v.t.kind {
	case kPtr:
		return cval{}, "pointer constant: " + v.t.name + " " + v.v.C()
	case kVoid:
		return cval{}, "a void expression"
	case kRecord, kArray, kFunc:
		if !v.str {
			return cval{}, "not a scalar: " + v.t.name
		}
	}
	return v, ""
}

// constType is the Rust type of a macro's value: its typedef when it has
// one (GFP_KERNEL is a gfp_t), its enum, or the C type alias.
func (l *lowerer) constType(t *ctype) (*Type, string) {
	if t.kind == kInt && t.size > 8 {
		return nil, "a 128-bit constant: Rust 1.63 cannot type it as C does"
	}
	if d, ok := t.td.(*cc.Declarator); ok {
		td := l.typedef(d)
		if isScalar(td.Type) {
			return &Type{Kind: TNamed, Ref: td, Size: t.size, Align: t.align, CName: td.CName}, ""
		}
	}
	if et, ok := t.enum.(*cc.EnumType); ok {
		if e := l.enumOfType(et); e != nil && e.Name != "" {
			return &Type{Kind: TNamed, Ref: e, Size: t.size, Align: t.align, CName: "enum " + e.Tag}, ""
		}
	}
	if ct, ok := t.impl.(cc.Type); ok {
		p := l.prim(ct)
		if p.Kind == TPrim {
			return p, ""
		}
	}
	name := ""
	switch {
	case t.kind == kFloat && t.size == 4:
		name = "c_float"
	case t.kind == kFloat && t.size == 8:
		name = "c_double"
	case t.kind == kInt:
		name = primByRank(t)
	}
	if name == "" {
		return nil, fmt.Sprintf("a constant of type %s", t.name)
	}
	return &Type{Kind: TPrim, Prim: name, Size: t.size, Align: t.align, Signed: t.signed, CName: t.name}, ""
}

// primByRank is the alias of an integer type by its conversion rank and
// signedness: a typedef's name (u32) does not say which C type it is.
func primByRank(t *ctype) string {
	switch {
	case t.rank == 0:
		return "::core::primitive::bool"
	case t.rank == 1 && t.name == "char":
		return "c_char"
	case t.rank < len(rankAliases):
		return rankAliases[t.rank][b2i(t.signed)]
	}
	return ""
}

// rankAliases are the integer aliases by rank, unsigned then signed.
var rankAliases = [...][2]string{
	1: {"c_uchar", "c_schar"}, 2: {"c_ushort", "c_short"}, 3: {"c_uint", "c_int"},
	4: {"c_ulong", "c_long"}, 5: {"c_ulonglong", "c_longlong"},
}

// isScalar reports whether a Rust constant can have type t.
func isScalar(t *Type) bool {
	for t != nil {
		switch t.Kind {
		case TPrim:
			return true
		case TNamed:
			switch x := t.Ref.(type) {
			case *Typedef:
				t = x.Type
			case *Enum:
				return true
			default:
				return false
			}
		default:
			return false
		}
	}
	return false
}
