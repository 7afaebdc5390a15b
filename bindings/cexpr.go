package bindings

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/rustko/rustko-lsp/bindings/clex"
)

// cexpr evaluates a macro-expanded C expression with C's semantics:
// integer literals typed by value and suffix, integer promotion and the
// usual arithmetic conversions, casts that truncate and sign-extend,
// sizeof/_Alignof/offsetof of real types. What it cannot evaluate it
// explains, for the index.

type ckind uint8

const (
	kInt ckind = iota
	kFloat
	kPtr
	kArray
	kRecord
	kVoid
	kFunc
)

// ctype is a C type as the evaluator needs it.
type ctype struct {
	kind   ckind
	size   int64
	align  int64
	signed bool
	rank   int    // integer conversion rank: _Bool 0, char 1, short 2, int 3, long 4, long long 5, __int128 6
	name   string // C spelling: unsigned long, gfp_t, struct page *
	elem   *ctype // pointer and array
	n      int64  // array length
	// td is the typedef the type was named by, kept through operations
	// whose operands all have it, so GFP_KERNEL stays a gfp_t.
	td   any
	impl any // the environment's handle, for member lookups
	enum any // the enum the type is, for Rust typing
}

// cenv is what the evaluator asks about names: typedefs, tags,
// enumerators, objects and record members. The front end implements it on
// the checked AST; tests implement it on maps.
type cenv interface {
	typedef(name string) *ctype
	tag(kind, name string) *ctype // kind: struct, union, enum
	enumConst(name string) (Value, *ctype, bool)
	object(name string) (kind string, ok bool) // "function" or "variable"
	member(rec *ctype, name string) (t *ctype, off int64, ok bool)
	model() dataModel
}

// dataModel is the target's integer sizes.
type dataModel struct {
	long, ptr  int64
	charSigned bool
}

// noValue is why an expression has no constant value; the message is for
// people reading the index.
type noValue struct{ why string }

func (e *noValue) Error() string { return e.why }

func whyf(format string, args ...any) *noValue { return &noValue{fmt.Sprintf(format, args...)} }

// cval is an evaluated expression: a type, and a value when known.
type cval struct {
	t     *ctype
	v     Value // integers in I or U by signedness, floats in F, strings in S
	known bool
	why   string // when !known: the first reason
	str   bool   // a string literal (an array of char)
}

type cparser struct {
	toks  []clex.Token
	pos   int
	env   cenv
	dm    dataModel
	depth int
}

// evalExpr evaluates tokens as one C expression.
func evalExpr(toks []clex.Token, env cenv) (cval, error) {
	p := &cparser{toks: toks, env: env, dm: env.model()}
	v, err := p.comma()
	if err != nil {
		return cval{}, err
	}
	if p.pos < len(p.toks) {
		return cval{}, whyf("not one C expression: %q follows it", p.toks[p.pos].Text)
	}
	return v, nil
}

func (p *cparser) peek() clex.Token {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return clex.Token{Kind: clex.Punct}
}

func (p *cparser) peekAt(n int) clex.Token {
	if p.pos+n < len(p.toks) {
		return p.toks[p.pos+n]
	}
	return clex.Token{Kind: clex.Punct}
}

func (p *cparser) is(text string) bool {
	t := p.peek()
	return t.Text == text && (t.Kind == clex.Punct || t.Kind == clex.Ident)
}

func (p *cparser) accept(text string) bool {
	if p.is(text) {
		p.pos++
		return true
	}
	return false
}

func (p *cparser) expect(text string) error {
	if !p.accept(text) {
		got := p.peek().Text
		if got == "" {
			got = "end of expression"
		}
		return whyf("not a C expression: expected %q, found %q", text, got)
	}
	return nil
}

func (p *cparser) enter() error {
	p.depth++
	if p.depth > 200 {
		return whyf("expression nested too deeply")
	}
	return nil
}

// comma parses an expression with the comma operator, which a constant
// expression may not contain ([0]6.6p3): the kernel uses such macros as
// lists (BYTES_NOP4 is 0x0f,0x1f,0x40,0x00), not as values.
func (p *cparser) comma() (cval, error) {
	v, err := p.assign()
	list := false
	for err == nil && p.accept(",") {
		list = true
		v, err = p.assign()
	}
	if err == nil && list {
		return cval{t: v.t, why: "a comma-separated list, not one value"}, nil
	}
	return v, err
}

func (p *cparser) assign() (cval, error) {
	v, err := p.conditional()
	if err != nil {
		return v, err
	}
	switch p.peek().Text {
	case "=", "+=", "-=", "*=", "/=", "%=", "<<=", ">>=", "&=", "^=", "|=":
		return cval{}, whyf("runtime expression: an assignment")
	}
	return v, nil
}

func (p *cparser) conditional() (cval, error) {
	c, err := p.binary(0)
	if err != nil || !p.accept("?") {
		return c, err
	}
	a, err := p.comma()
	if err != nil {
		return a, err
	}
	if err := p.expect(":"); err != nil {
		return cval{}, err
	}
	b, err := p.conditional()
	if err != nil {
		return b, err
	}
	if !c.known {
		return unknown(c), nil
	}
	t := a.t
	if a.t.kind == kInt && b.t.kind == kInt || a.t.kind == kFloat || b.t.kind == kFloat {
		t = p.usual(a.t, b.t)
	}
	pick := b
	if truth(c) {
		pick = a
	}
	if !pick.known {
		return unknown(pick), nil
	}
	return p.convert(pick, t), nil
}

var binPrec = map[string]int{
	"||": 1, "&&": 2, "|": 3, "^": 4, "&": 5,
	"==": 6, "!=": 6, "<": 7, ">": 7, "<=": 7, ">=": 7,
	"<<": 8, ">>": 8, "+": 9, "-": 9, "*": 10, "/": 10, "%": 10,
}

func (p *cparser) binary(min int) (cval, error) {
	if err := p.enter(); err != nil {
		return cval{}, err
	}
	defer func() { p.depth-- }()
	l, err := p.cast()
	if err != nil {
		return l, err
	}
	for {
		t := p.peek()
		prec, ok := binPrec[t.Text]
		if !ok || t.Kind != clex.Punct || prec <= min {
			return l, nil
		}
		p.pos++
		r, err := p.binary(prec)
		if err != nil {
			return r, err
		}
		l, err = p.apply(t.Text, l, r)
		if err != nil {
			return l, err
		}
	}
}

func unknown(v cval) cval { return cval{t: v.t, why: v.why} }

func truth(v cval) bool {
	switch v.v.Kind {
	case VInt:
		return v.v.I != 0
	case VUint:
		return v.v.U != 0
	case VFloat:
		return v.v.F != 0
	case VString:
		return true
	}
	return false
}

// apply evaluates a binary operator.
func (p *cparser) apply(op string, l, r cval) (cval, error) {
	intT := p.builtin("int")
	switch op {
	case "&&", "||":
		if l.known && (op == "&&" && !truth(l) || op == "||" && truth(l)) {
			return p.intVal(intT, b2i(op == "||")), nil
		}
		if !l.known || !r.known {
			return unknownOf(intT, l, r), nil
		}
		return p.intVal(intT, b2i(truth(r))), nil
	}
	if l.t.kind == kPtr || r.t.kind == kPtr || l.str || r.str {
		return cval{t: l.t, why: "pointer arithmetic"}, nil
	}
	if l.t.kind != kInt && l.t.kind != kFloat || r.t.kind != kInt && r.t.kind != kFloat {
		return cval{}, whyf("not a C expression: %s applied to %s and %s", op, l.t.name, r.t.name)
	}
	switch op {
	case "<<", ">>":
		if l.t.kind != kInt || r.t.kind != kInt {
			return cval{}, whyf("not a C expression: shift of a floating-point value")
		}
		t := p.promote(l.t)
		if !l.known || !r.known {
			return unknownOf(t, l, r), nil
		}
		lv := p.convert(l, t)
		n, neg := shiftCount(r)
		if neg || n >= t.size*8 {
			return cval{}, whyf("shift by %s: outside the width of %s", r.v.C(), t.name)
		}
		if op == "<<" {
			return p.intVal(t, lv.bits()<<uint(n)), nil
		}
		if t.signed {
			return p.intVal(t, uint64(lv.v.I>>uint(n))), nil
		}
		return p.intVal(t, lv.v.U>>uint(n)), nil
	}
	t := p.usual(l.t, r.t)
	if !l.known || !r.known {
		if isCompare(op) {
			return unknownOf(intT, l, r), nil
		}
		return unknownOf(t, l, r), nil
	}
	a, b := p.convert(l, t), p.convert(r, t)
	if t.kind == kFloat {
		x, y := a.v.F, b.v.F
		switch op {
		case "+":
			return floatVal(t, x+y), nil
		case "-":
			return floatVal(t, x-y), nil
		case "*":
			return floatVal(t, x*y), nil
		case "/":
			return floatVal(t, x/y), nil
		}
		if isCompare(op) {
			return p.intVal(intT, b2i(compare(op, x, y))), nil
		}
		return cval{}, whyf("not a C expression: %s on floating-point values", op)
	}
	x, y := a.bits(), b.bits()
	var res uint64
	switch op {
	case "+":
		res = x + y
	case "-":
		res = x - y
	case "*":
		res = x * y
	case "/", "%":
		if y == 0 {
			return cval{}, whyf("division by zero")
		}
		if t.signed {
			sx, sy := a.v.I, b.v.I
			if sy == -1 {
				// Avoid Go's overflow trap on MinInt64 / -1; C wraps here.
				if op == "/" {
					res = uint64(-sx)
				} else {
					res = 0
				}
			} else if op == "/" {
				res = uint64(sx / sy)
			} else {
				res = uint64(sx % sy)
			}
		} else if op == "/" {
			res = a.v.U / b.v.U
		} else {
			res = a.v.U % b.v.U
		}
	case "&":
		res = x & y
	case "|":
		res = x | y
	case "^":
		res = x ^ y
	default:
		var c bool
		if t.signed {
			c = compare(op, a.v.I, b.v.I)
		} else {
			c = compare(op, a.v.U, b.v.U)
		}
		return p.intVal(intT, b2i(c)), nil
	}
	return p.intVal(t, res), nil
}

func isCompare(op string) bool {
	switch op {
	case "<", ">", "<=", ">=", "==", "!=":
		return true
	}
	return false
}

// compare applies a C relational or equality operator; the caller picks
// signed, unsigned or floating after the usual arithmetic conversions.
func compare[T int64 | uint64 | float64](op string, a, b T) bool {
	switch op {
	case "<":
		return a < b
	case ">":
		return a > b
	case "<=":
		return a <= b
	case ">=":
		return a >= b
	case "==":
		return a == b
	}
	return a != b
}

func shiftCount(r cval) (int64, bool) {
	switch r.v.Kind {
	case VInt:
		return r.v.I, r.v.I < 0
	case VUint:
		if r.v.U > 1<<20 {
			return 1 << 20, false
		}
		return int64(r.v.U), false
	}
	return 0, true
}

func unknownOf(t *ctype, vs ...cval) cval {
	for _, v := range vs {
		if !v.known {
			return cval{t: t, why: v.why}
		}
	}
	return cval{t: t}
}

func b2i(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// bits is the value's two's-complement bit pattern.
func (v cval) bits() uint64 {
	if v.v.Kind == VInt {
		return uint64(v.v.I)
	}
	return v.v.U
}

// intVal makes an integer value of type t from a bit pattern, truncating
// and sign-extending to t's width as a conversion does.
func (p *cparser) intVal(t *ctype, bits uint64) cval {
	w := uint(t.size * 8)
	if t.rank == 0 && t.size == 1 { // _Bool
		return cval{t: t, v: uintValue(b2i(bits != 0)), known: true}
	}
	if w < 64 && w > 0 {
		bits &= 1<<w - 1
		if t.signed && bits&(1<<(w-1)) != 0 {
			bits |= ^uint64(0) << w
		}
	}
	if t.signed {
		return cval{t: t, v: intValue(int64(bits)), known: true}
	}
	return cval{t: t, v: uintValue(bits), known: true}
}

func floatVal(t *ctype, f float64) cval {
	if t.size == 4 {
		f = float64(float32(f))
	}
	return cval{t: t, v: Value{Kind: VFloat, F: f}, known: true}
}

// convert converts a known value to type t.
func (p *cparser) convert(v cval, t *ctype) cval {
	if !v.known {
		return cval{t: t, why: v.why}
	}
	switch t.kind {
	case kInt:
		switch v.v.Kind {
		case VFloat:
			f := math.Trunc(v.v.F)
			if t.signed {
				return p.intVal(t, uint64(int64(f)))
			}
			if f < 0 {
				return p.intVal(t, uint64(int64(f)))
			}
			return p.intVal(t, uint64(f))
		case VInt, VUint:
			if t.rank == 0 && t.size == 1 {
				return p.intVal(t, b2i(v.bits() != 0))
			}
			return p.intVal(t, v.bits())
		}
	case kFloat:
		switch v.v.Kind {
		case VInt:
			return floatVal(t, float64(v.v.I))
		case VUint:
			return floatVal(t, float64(v.v.U))
		case VFloat:
			return floatVal(t, v.v.F)
		}
	case kPtr:
		if v.v.Kind == VInt || v.v.Kind == VUint {
			return cval{t: t, v: uintValue(v.bits()), known: true}
		}
	case kVoid:
		return cval{t: t, why: "a void expression"}
	}
	return cval{t: t, why: fmt.Sprintf("conversion to %s", t.name)}
}

// promote applies the integer promotions.
func (p *cparser) promote(t *ctype) *ctype {
	if t.kind == kInt && t.rank < 3 {
		return p.builtin("int")
	}
	return t
}

// usual applies the usual arithmetic conversions. A typedef name survives
// when both operands carry it: (gfp_t)a | (gfp_t)b is still a gfp_t.
func (p *cparser) usual(a, b *ctype) *ctype {
	if a.kind == kFloat || b.kind == kFloat {
		if a.kind == kFloat && b.kind == kFloat {
			if a.size >= b.size {
				return a
			}
			return b
		}
		if a.kind == kFloat {
			return a
		}
		return b
	}
	pa, pb := p.promote(a), p.promote(b)
	var r *ctype
	switch {
	case pa.signed == pb.signed:
		r = pa
		if pb.rank > pa.rank {
			r = pb
		}
	default:
		u, s := pa, pb
		if pa.signed {
			u, s = pb, pa
		}
		switch {
		case u.rank >= s.rank:
			r = u
		case s.size > u.size:
			r = s
		default:
			r = p.unsignedOf(s)
		}
	}
	if a.td != nil && a.td == b.td && sameInt(r, a) {
		return a
	}
	return r
}

func sameInt(a, b *ctype) bool {
	return a.kind == b.kind && a.size == b.size && a.signed == b.signed && a.rank == b.rank
}

func (p *cparser) unsignedOf(t *ctype) *ctype {
	switch t.rank {
	case 3:
		return p.builtin("unsigned int")
	case 4:
		return p.builtin("unsigned long")
	case 5:
		return p.builtin("unsigned long long")
	case 6:
		return p.builtin("unsigned __int128")
	}
	return t
}

// builtin returns a basic C type by its canonical spelling.
func (p *cparser) builtin(name string) *ctype {
	return basicType(name, p.dm)
}

var basicCache = map[dataModel]map[string]*ctype{}

func basicType(name string, dm dataModel) *ctype {
	m := basicCache[dm]
	if m == nil {
		m = map[string]*ctype{}
		add := func(name string, size int64, signed bool, rank int) {
			m[name] = &ctype{kind: kInt, size: size, align: size, signed: signed, rank: rank, name: name}
		}
		add("_Bool", 1, false, 0)
		add("char", 1, dm.charSigned, 1)
		add("signed char", 1, true, 1)
		add("unsigned char", 1, false, 1)
		add("short", 2, true, 2)
		add("unsigned short", 2, false, 2)
		add("int", 4, true, 3)
		add("unsigned int", 4, false, 3)
		add("long", dm.long, true, 4)
		add("unsigned long", dm.long, false, 4)
		add("long long", 8, true, 5)
		add("unsigned long long", 8, false, 5)
		add("__int128", 16, true, 6)
		add("unsigned __int128", 16, false, 6)
		m["float"] = &ctype{kind: kFloat, size: 4, align: 4, name: "float", signed: true}
		m["double"] = &ctype{kind: kFloat, size: 8, align: 8, name: "double", signed: true}
		m["long double"] = &ctype{kind: kFloat, size: 16, align: 16, name: "long double", signed: true}
		m["void"] = &ctype{kind: kVoid, size: 1, align: 1, name: "void"}
		basicCache[dm] = m
	}
	return m[name]
}

func (p *cparser) pointerTo(t *ctype) *ctype {
	name := t.name + " *"
	if strings.HasSuffix(t.name, "*") {
		name = t.name + "*"
	}
	return &ctype{kind: kPtr, size: p.dm.ptr, align: p.dm.ptr, name: name, elem: t}
}

func (p *cparser) sizeT() *ctype { return p.builtin("unsigned long") }

// cast parses a cast expression: (type-name) cast-expression, or a unary
// expression.
func (p *cparser) cast() (cval, error) {
	if p.is("(") && p.startsType(1) {
		save := p.pos
		p.pos++
		t, err := p.typeName()
		if err != nil {
			return cval{}, err
		}
		if err := p.expect(")"); err != nil {
			return cval{}, err
		}
		if p.is("{") {
			p.pos = save
			return cval{}, whyf("runtime expression: a compound literal")
		}
		v, err := p.cast()
		if err != nil {
			return v, err
		}
		if t.kind == kRecord || t.kind == kArray {
			return cval{}, whyf("not a C expression: cast to %s", t.name)
		}
		if v.str {
			return cval{t: t, why: "a string address"}, nil
		}
		return p.convert(v, t), nil
	}
	return p.unary()
}

func (p *cparser) unary() (cval, error) {
	if err := p.enter(); err != nil {
		return cval{}, err
	}
	defer func() { p.depth-- }()
	t := p.peek()
	if t.Kind == clex.Punct {
		switch t.Text {
		case "+", "-", "~", "!", "*", "&":
			p.pos++
			v, err := p.cast()
			if err != nil {
				return v, err
			}
			return p.unaryOp(t.Text, v)
		case "++", "--":
			return cval{}, whyf("runtime expression: %s", t.Text)
		}
	}
	if t.Kind == clex.Ident {
		switch t.Text {
		case "sizeof":
			p.pos++
			return p.sizeofOrAlign(true)
		case "_Alignof", "__alignof__", "__alignof", "alignof":
			p.pos++
			return p.sizeofOrAlign(false)
		}
	}
	return p.postfix()
}

func (p *cparser) unaryOp(op string, v cval) (cval, error) {
	switch op {
	case "*":
		if v.t.kind != kPtr && v.t.kind != kArray {
			return cval{}, whyf("not a C expression: * applied to %s", v.t.name)
		}
		return cval{t: v.t.elem, why: "runtime expression: reads through a pointer"}, nil
	case "&":
		return cval{t: p.pointerTo(v.t), why: "an address"}, nil
	}
	if v.t.kind != kInt && v.t.kind != kFloat {
		if op == "!" && v.t.kind == kPtr {
			return cval{t: p.builtin("int"), why: "pointer test"}, nil
		}
		return cval{}, whyf("not a C expression: %s applied to %s", op, v.t.name)
	}
	if op == "!" {
		if !v.known {
			return cval{t: p.builtin("int"), why: v.why}, nil
		}
		return p.intVal(p.builtin("int"), b2i(!truth(v))), nil
	}
	t := v.t
	if t.kind == kInt {
		t = p.promote(t)
	}
	if !v.known {
		return cval{t: t, why: v.why}, nil
	}
	x := p.convert(v, t)
	if t.kind == kFloat {
		switch op {
		case "-":
			return floatVal(t, -x.v.F), nil
		case "~":
			return cval{}, whyf("not a C expression: ~ on a floating-point value")
		}
		return x, nil
	}
	switch op {
	case "-":
		return p.intVal(t, -x.bits()), nil
	case "~":
		return p.intVal(t, ^x.bits()), nil
	}
	return x, nil
}

func (p *cparser) sizeofOrAlign(size bool) (cval, error) {
	var t *ctype
	if p.is("(") && p.startsType(1) {
		p.pos++
		var err error
		if t, err = p.typeName(); err != nil {
			return cval{}, err
		}
		if err := p.expect(")"); err != nil {
			return cval{}, err
		}
	} else {
		v, err := p.unary()
		if err != nil {
			return v, err
		}
		t = v.t
		if v.str {
			t = &ctype{kind: kArray, size: int64(len(v.v.S) + 1), align: 1, elem: p.builtin("char"), name: "char[]"}
		}
	}
	if t.kind == kFunc || t.kind == kVoid {
		// gcc gives 1 for both, with a warning.
		return p.intVal(p.sizeT(), 1), nil
	}
	if t.size < 0 {
		return cval{}, whyf("sizeof of incomplete type %s", t.name)
	}
	if size {
		return p.intVal(p.sizeT(), uint64(t.size)), nil
	}
	return p.intVal(p.sizeT(), uint64(t.align)), nil
}

func (p *cparser) postfix() (cval, error) {
	v, err := p.primary()
	if err != nil {
		return v, err
	}
	for {
		switch {
		case p.is("["):
			p.pos++
			idx, err := p.comma()
			if err != nil {
				return idx, err
			}
			if err := p.expect("]"); err != nil {
				return cval{}, err
			}
			if v.t.kind != kArray && v.t.kind != kPtr {
				return cval{}, whyf("not a C expression: subscript of %s", v.t.name)
			}
			if v.str && idx.known {
				i := int64(idx.bits())
				if i >= 0 && i <= int64(len(v.v.S)) {
					b := byte(0)
					if i < int64(len(v.v.S)) {
						b = v.v.S[i]
					}
					v = p.convert(cval{t: p.builtin("int"), v: intValue(int64(b)), known: true}, p.builtin("char"))
					continue
				}
			}
			v = cval{t: v.t.elem, why: "runtime expression: reads an array element"}
		case p.is(".") || p.is("->"):
			arrow := p.peek().Text == "->"
			p.pos++
			name := p.peek()
			if name.Kind != clex.Ident {
				return cval{}, whyf("not a C expression: member name expected")
			}
			p.pos++
			rec := v.t
			if arrow {
				if rec.kind != kPtr {
					return cval{}, whyf("not a C expression: -> on %s", rec.name)
				}
				rec = rec.elem
			}
			if rec == nil || rec.kind != kRecord {
				return cval{}, whyf("not a C expression: member %s of non-record %s", name.Text, typeName(rec))
			}
			mt, _, ok := p.env.member(rec, name.Text)
			if !ok {
				return cval{}, whyf("%s has no member %s", rec.name, name.Text)
			}
			v = cval{t: mt, why: "runtime expression: reads a member"}
		case p.is("("):
			callee := v
			p.pos++
			depth := 1
			for p.pos < len(p.toks) && depth > 0 {
				switch p.toks[p.pos].Text {
				case "(":
					depth++
				case ")":
					depth--
				}
				p.pos++
			}
			if depth > 0 {
				return cval{}, whyf("not a C expression: unbalanced parentheses")
			}
			why := callee.why
			if why == "" || !strings.HasPrefix(why, "runtime expression: calls") {
				why = "runtime expression: a function call"
			}
			rt := p.builtin("int")
			if callee.t != nil && callee.t.kind == kFunc && callee.t.elem != nil {
				rt = callee.t.elem
			}
			v = cval{t: rt, why: why}
		case p.is("++") || p.is("--"):
			return cval{}, whyf("runtime expression: %s", p.peek().Text)
		default:
			return v, nil
		}
	}
}

func typeName(t *ctype) string {
	if t == nil {
		return "(nothing)"
	}
	return t.name
}

func (p *cparser) primary() (cval, error) {
	t := p.peek()
	switch t.Kind {
	case clex.Number:
		p.pos++
		return p.number(t.Text)
	case clex.Char:
		p.pos++
		return p.charConst(t.Text)
	case clex.String:
		var s []byte
		for p.peek().Kind == clex.String {
			tok := p.peek()
			p.pos++
			if tok.Text[0] != '"' {
				return cval{}, whyf("a wide or UTF string literal")
			}
			b, err := unquoteC(tok.Text)
			if err != nil {
				return cval{}, err
			}
			s = append(s, b...)
		}
		ct := &ctype{kind: kArray, size: int64(len(s) + 1), align: 1, elem: p.builtin("char"), name: "char[]"}
		return cval{t: ct, v: Value{Kind: VString, S: s}, known: true, str: true}, nil
	case clex.Ident:
		return p.identifier()
	}
	if p.accept("(") {
		if p.is("{") {
			return cval{}, whyf("runtime expression: a statement expression")
		}
		v, err := p.comma()
		if err != nil {
			return v, err
		}
		return v, p.expect(")")
	}
	if t.Text == "" {
		return cval{}, whyf("not a C expression: it ends too early")
	}
	return cval{}, whyf("not a C expression: unexpected %q", t.Text)
}

func (p *cparser) identifier() (cval, error) {
	t := p.peek()
	name := t.Text
	switch name {
	case "__builtin_offsetof", "offsetof":
		p.pos++
		return p.offsetof()
	case "__builtin_constant_p":
		p.pos++
		return p.constantP()
	case "__attribute__", "__attribute":
		return cval{}, whyf("attribute: expands to %s", name)
	case "asm", "__asm__", "__asm", "asm_volatile_goto", "asm_inline":
		return cval{}, whyf("asm text")
	case "do", "if", "for", "while", "return", "switch", "goto", "break", "continue":
		return cval{}, whyf("a statement, not an expression")
	case "__builtin_expect":
		p.pos++
		return p.builtinExpect()
	}
	if v, ct, ok := p.env.enumConst(name); ok {
		p.pos++
		return cval{t: ct, v: v, known: true}, nil
	}
	if kind, ok := p.env.object(name); ok {
		p.pos++
		if kind == "function" {
			return cval{t: &ctype{kind: kFunc, size: 1, align: 1, name: "function"}, why: "runtime expression: calls " + name}, nil
		}
		return cval{t: p.builtin("int"), why: "runtime expression: reads the variable " + name}, nil
	}
	if p.env.typedef(name) != nil {
		return cval{}, whyf("type alias: names a type")
	}
	if isTypeKeyword(name) {
		return cval{}, whyf("type alias: names a type")
	}
	return cval{}, whyf("uses %s, which is not declared", name)
}

func (p *cparser) builtinExpect() (cval, error) {
	if err := p.expect("("); err != nil {
		return cval{}, err
	}
	v, err := p.assign()
	if err != nil {
		return v, err
	}
	if err := p.expect(","); err != nil {
		return cval{}, err
	}
	if _, err := p.assign(); err != nil {
		return cval{}, err
	}
	if err := p.expect(")"); err != nil {
		return cval{}, err
	}
	if !v.known {
		return cval{t: p.builtin("long"), why: v.why}, nil
	}
	return p.convert(v, p.builtin("long")), nil
}

func (p *cparser) constantP() (cval, error) {
	if err := p.expect("("); err != nil {
		return cval{}, err
	}
	v, err := p.assign()
	if err != nil {
		return v, err
	}
	if err := p.expect(")"); err != nil {
		return cval{}, err
	}
	return p.intVal(p.builtin("int"), b2i(v.known)), nil
}

// offsetof(type, member-designator).
func (p *cparser) offsetof() (cval, error) {
	if err := p.expect("("); err != nil {
		return cval{}, err
	}
	t, err := p.typeName()
	if err != nil {
		return cval{}, err
	}
	if err := p.expect(","); err != nil {
		return cval{}, err
	}
	off := int64(0)
	for first := true; ; first = false {
		if !first {
			switch {
			case p.accept("."):
			case p.is("["):
				p.pos++
				idx, err := p.comma()
				if err != nil {
					return idx, err
				}
				if err := p.expect("]"); err != nil {
					return cval{}, err
				}
				if t.kind != kArray || !idx.known {
					return cval{}, whyf("offsetof: bad array designator")
				}
				off += int64(idx.bits()) * t.elem.size
				t = t.elem
				continue
			default:
				if err := p.expect(")"); err != nil {
					return cval{}, err
				}
				return p.intVal(p.sizeT(), uint64(off)), nil
			}
		}
		name := p.peek()
		if name.Kind != clex.Ident {
			return cval{}, whyf("offsetof: member name expected")
		}
		p.pos++
		mt, o, ok := p.env.member(t, name.Text)
		if !ok {
			return cval{}, whyf("offsetof: %s has no member %s", t.name, name.Text)
		}
		off += o
		t = mt
	}
}

// number types an integer or floating constant as C does ([0]6.4.4.1).
func (p *cparser) number(text string) (cval, error) {
	s := strings.ToLower(text)
	isHex := strings.HasPrefix(s, "0x")
	if !isHex && strings.ContainsAny(s, ".e") || isHex && strings.ContainsAny(s, ".p") {
		return p.float(text)
	}
	digits := strings.TrimRight(s, "ul")
	suffix := s[len(digits):]
	var u uint64
	var err error
	switch {
	case isHex:
		u, err = strconv.ParseUint(digits[2:], 16, 64)
	case strings.HasPrefix(digits, "0b"):
		u, err = strconv.ParseUint(digits[2:], 2, 64)
	case len(digits) > 1 && digits[0] == '0':
		u, err = strconv.ParseUint(digits[1:], 8, 64)
	default:
		u, err = strconv.ParseUint(digits, 10, 64)
	}
	if err != nil || digits == "" || digits == "0x" {
		return cval{}, whyf("not a C expression: bad number %q", text)
	}
	decimal := !isHex && !(len(digits) > 1 && digits[0] == '0')
	var cands []string
	switch suffix {
	case "":
		if decimal {
			cands = []string{"int", "long", "long long"}
		} else {
			cands = []string{"int", "unsigned int", "long", "unsigned long", "long long", "unsigned long long"}
		}
	case "u":
		cands = []string{"unsigned int", "unsigned long", "unsigned long long"}
	case "l":
		if decimal {
			cands = []string{"long", "long long"}
		} else {
			cands = []string{"long", "unsigned long", "long long", "unsigned long long"}
		}
	case "ul", "lu":
		cands = []string{"unsigned long", "unsigned long long"}
	case "ll":
		if decimal {
			cands = []string{"long long"}
		} else {
			cands = []string{"long long", "unsigned long long"}
		}
	case "ull", "llu":
		cands = []string{"unsigned long long"}
	default:
		return cval{}, whyf("not a C expression: bad number suffix in %q", text)
	}
	for _, c := range cands {
		t := p.builtin(c)
		if fits(u, t) {
			return p.intVal(t, u), nil
		}
	}
	// gcc: a decimal constant too large for long long is unsigned, with a
	// warning.
	return p.intVal(p.builtin("unsigned long long"), u), nil
}

func fits(u uint64, t *ctype) bool {
	bits := uint(t.size * 8)
	if t.signed {
		bits--
	}
	return bits >= 64 || u < 1<<bits
}

func (p *cparser) float(text string) (cval, error) {
	s := strings.ToLower(text)
	t := p.builtin("double")
	switch {
	case strings.HasSuffix(s, "f") && !strings.HasPrefix(s, "0x") || strings.HasSuffix(s, "f") && strings.Contains(s, "p"):
		s = s[:len(s)-1]
		t = p.builtin("float")
	case strings.HasSuffix(s, "l"):
		s = s[:len(s)-1]
		t = p.builtin("long double")
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return cval{}, whyf("not a C expression: bad number %q", text)
	}
	if t.size == 16 {
		return cval{t: t, why: "a long double constant"}, nil
	}
	return floatVal(t, f), nil
}

// charConst: type int, the value of the char (signed chars sign-extend).
func (p *cparser) charConst(text string) (cval, error) {
	if text[0] != '\'' {
		return cval{}, whyf("a wide character constant")
	}
	b, err := unquoteC(text)
	if err != nil {
		return cval{}, err
	}
	if len(b) == 0 {
		return cval{}, whyf("not a C expression: empty character constant")
	}
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	if len(b) == 1 {
		return p.convert(p.convert(cval{t: p.builtin("int"), v: intValue(int64(b[0])), known: true}, p.builtin("char")), p.builtin("int")), nil
	}
	return p.intVal(p.builtin("int"), v), nil
}

// unquoteC decodes a C string or character literal's escapes.
func unquoteC(lit string) ([]byte, error) {
	if len(lit) < 2 || lit[len(lit)-1] != lit[0] {
		return nil, whyf("not a C expression: unterminated literal %s", lit)
	}
	s := lit[1 : len(lit)-1]
	var out []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		if i >= len(s) {
			return nil, whyf("not a C expression: bad escape in %s", lit)
		}
		switch e := s[i]; e {
		case 'n':
			out = append(out, '\n')
		case 't':
			out = append(out, '\t')
		case 'r':
			out = append(out, '\r')
		case 'a':
			out = append(out, 7)
		case 'b':
			out = append(out, 8)
		case 'f':
			out = append(out, 12)
		case 'v':
			out = append(out, 11)
		case 'e', 'E':
			out = append(out, 27)
		case 'x':
			v := 0
			j := i + 1
			for ; j < len(s); j++ {
				d, err := strconv.ParseUint(s[j:j+1], 16, 8)
				if err != nil {
					break
				}
				v = v*16 + int(d)
				if v > 0xff {
					return nil, whyf("not a C expression: hex escape out of range in %s", lit)
				}
			}
			if j == i+1 {
				return nil, whyf("not a C expression: bad escape in %s", lit)
			}
			out = append(out, byte(v))
			i = j - 1
		case '0', '1', '2', '3', '4', '5', '6', '7':
			v := 0
			j := i
			for ; j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '7'; j++ {
				v = v*8 + int(s[j]-'0')
			}
			if v > 0xff {
				return nil, whyf("not a C expression: octal escape out of range in %s", lit)
			}
			out = append(out, byte(v))
			i = j - 1
		default:
			out = append(out, e)
		}
	}
	return out, nil
}
