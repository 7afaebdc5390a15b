package cwrap

import (
	"fmt"
	"strings"

	"modernc.org/cc/v4"
	"modernc.org/token"
)

// A hazard is a construct that compiles or links only in some contexts.
type hazardKind uint8

const (
	// hzConst: needs compile-time constants (an assertion, an asm "i"
	// operand, a __compiletime_error call) where the function reaches it.
	hzConst hazardKind = iota
	// hzLink: reaches a symbol the kernel does not export to modules.
	hzLink
)

type hazard struct {
	kind hazardKind
	what string // e.g. `an inline asm "i" operand`
	sym  string // hzLink: the symbol
	pos  token.Position
	deps deps     // hzConst: what must be constant for it to compile
	via  []string // call chain from the analysed function, outermost first
	note string   // hzLink: why the symbol is referenced, when it is not plain C
}

type summary struct {
	hazards []hazard
	// uaOpen, uaClose: where the body first opens and closes a
	// user-access window (uaccess.go), nil if it does not.
	uaOpen, uaClose *uaEvent
	done            bool
}

// maxHazards bounds what one function's summary keeps: the first few are
// enough to explain a refusal, and a bound keeps deep call trees cheap.
const maxHazards = 8

type analyser struct {
	u       *unit
	o       Options
	sums    map[string]*summary
	src     map[string][]string // header lines, for attribute checks cc/v4 cannot see
	wrapped []*plan
	// unchecked turns the hazard checks off (tests only).
	unchecked bool
}

func newAnalyser(u *unit, o Options) *analyser {
	return &analyser{u: u, o: o, sums: map[string]*summary{}, src: map[string][]string{}}
}

// fnCtx is the state of the walk through one function body.
type fnCtx struct {
	name     string
	params   map[string]int
	names    []string
	locals   map[string]deps
	controls []control // enclosing if/switch/loop/?:/&&/|| conditions, innermost last
	sum      *summary
	seen     map[string]bool
}

// summarize returns the hazards of a function defined in the headers, with
// its parameters taken as non-constant. A recursive call sees the summary
// being built, which is what a finite walk can know.
func (a *analyser) summarize(name string) *summary {
	if s, ok := a.sums[name]; ok {
		return s
	}
	s := &summary{}
	a.sums[name] = s
	fd := a.u.defs[name]
	if fd == nil || fd.CompoundStatement == nil {
		s.done = true
		return s
	}
	c := &fnCtx{name: name, params: map[string]int{}, locals: map[string]deps{}, sum: s, seen: map[string]bool{}}
	if ft, ok := fd.Declarator.Type().(*cc.FunctionType); ok {
		for i, p := range realParams(ft) {
			c.names = append(c.names, p.Name())
			if p.Name() != "" {
				c.params[p.Name()] = i
			}
		}
	}
	a.walk(c, fd.CompoundStatement)
	s.done = true
	return s
}

func (c *fnCtx) add(h hazard) {
	if len(c.sum.hazards) >= maxHazards {
		return
	}
	key := fmt.Sprintf("%d|%s|%s|%v", h.kind, h.sym, h.what, h.pos)
	if c.seen[key] {
		return
	}
	c.seen[key] = true
	c.sum.hazards = append(c.sum.hazards, h)
}

// control is a condition that decides whether code runs. For a switch
// the code under it is some case, which gcc picks at compile time when the
// value is constant; the walk visits every case.
type control struct {
	cond     cc.Node
	isSwitch bool
}

func (c *fnCtx) push(n cc.Node) { c.controls = append(c.controls, control{cond: n}) }
func (c *fnCtx) pushSwitch(n cc.Node) {
	c.controls = append(c.controls, control{cond: n, isSwitch: true})
}
func (c *fnCtx) pop() { c.controls = c.controls[:len(c.controls)-1] }

// walk visits the code a wrapper can reach: a branch whose condition
// folds to false (IS_ENABLED of an unset option, __builtin_constant_p of
// a parameter) is skipped, as gcc drops it.
func (a *analyser) walk(c *fnCtx, n cc.Node) {
	if isNilNode(n) {
		return
	}
	switch x := n.(type) {
	case *cc.TypeName, *cc.TypeSpecifier:
		return
	case *cc.SelectionStatement:
		a.walk(c, x.ExpressionList)
		if x.Case == cc.SelectionStatementSwitch {
			c.pushSwitch(x.ExpressionList)
			a.walk(c, x.Statement)
			c.pop()
			return
		}
		c.push(x.ExpressionList)
		defer c.pop()
		v, known := a.eval(c, x.ExpressionList)
		if !known || v != 0 {
			a.walk(c, x.Statement)
		}
		if x.Case == cc.SelectionStatementIfElse && (!known || v == 0) {
			a.walk(c, x.Statement2)
		}
		return
	case *cc.IterationStatement:
		switch x.Case {
		case cc.IterationStatementDo:
			// The body runs once before the condition is looked at:
			// do { ... } while (0) is how macros make statements.
			a.walk(c, x.Statement)
			a.walk(c, x.ExpressionList)
		case cc.IterationStatementWhile:
			a.walk(c, x.ExpressionList)
			if v, known := a.eval(c, x.ExpressionList); known && v == 0 {
				return
			}
			c.push(x.ExpressionList)
			a.walk(c, x.Statement)
			c.pop()
		default:
			a.walk(c, x.Declaration)
			a.walk(c, x.ExpressionList)
			cond := x.ExpressionList2
			if x.Case == cc.IterationStatementForDecl {
				cond = x.ExpressionList
			}
			if cond != nil {
				if v, known := a.eval(c, cond); known && v == 0 {
					return
				}
				c.push(cond)
				defer c.pop()
			}
			a.walk(c, x.ExpressionList2)
			a.walk(c, x.ExpressionList3)
			a.walk(c, x.Statement)
		}
		return
	case *cc.ConditionalExpression, *cc.LogicalAndExpression, *cc.LogicalOrExpression:
		cond, ifTrue, ifFalse, ok := branches(n)
		if !ok {
			break
		}
		a.walk(c, cond)
		v, known := a.eval(c, cond)
		c.push(cond)
		defer c.pop()
		if !known || v != 0 {
			a.walk(c, ifTrue)
		}
		if !known || v == 0 {
			a.walk(c, ifFalse)
		}
		return
	case *cc.UnaryExpression:
		switch x.Case {
		case cc.UnaryExpressionSizeofExpr, cc.UnaryExpressionSizeofType,
			cc.UnaryExpressionAlignofExpr, cc.UnaryExpressionAlignofType:
			return
		}
	case *cc.CompoundStatement:
		a.block(c, x.BlockItemList)
		return
	case *cc.Declaration:
		a.declare(c, x)
		return
	case *cc.PostfixExpression:
		if x.Case == cc.PostfixExpressionCall {
			a.call(c, x)
			return
		}
	case *cc.PrimaryExpression:
		if x.Case == cc.PrimaryExpressionIdent {
			a.ident(c, x.Token.SrcStr(), x.Token.Position())
			return
		}
	case *cc.Asm:
		a.asm(c, x)
		return
	}
	children(n, func(m cc.Node) { a.walk(c, m) })
}

// block walks a block's items in order. After a statement that always
// leaves the block (return, or if (known-true) return), the items up to
// the next label are dead: get_random_u32_below returns early when
// !__builtin_constant_p(ceil), and its BUILD_BUG_ON comes after.
func (a *analyser) block(c *fnCtx, l *cc.BlockItemList) {
	dead := false
	for ; l != nil; l = l.BlockItemList {
		it := l.BlockItem
		if it == nil {
			continue
		}
		if dead {
			if it.Statement == nil || it.Statement.Case != cc.StatementLabeled {
				continue
			}
			dead = false
		}
		a.walk(c, it)
		if it.Statement != nil && a.leaves(c, it.Statement) {
			dead = true
		}
	}
}

// leaves reports whether a statement always jumps away.
func (a *analyser) leaves(c *fnCtx, s *cc.Statement) bool {
	if s == nil {
		return false
	}
	switch s.Case {
	case cc.StatementJump:
		return true
	case cc.StatementCompound:
		if s.CompoundStatement == nil {
			return false
		}
		var last *cc.BlockItem
		for l := s.CompoundStatement.BlockItemList; l != nil; l = l.BlockItemList {
			if l.BlockItem != nil {
				last = l.BlockItem
			}
		}
		return last != nil && last.Statement != nil && a.leaves(c, last.Statement)
	case cc.StatementSelection:
		x := s.SelectionStatement
		if x == nil || x.Case == cc.SelectionStatementSwitch {
			return false
		}
		v, known := a.eval(c, x.ExpressionList)
		switch {
		case known && v != 0:
			return a.leaves(c, x.Statement)
		case known && v == 0:
			return x.Case == cc.SelectionStatementIfElse && a.leaves(c, x.Statement2)
		}
		return x.Case == cc.SelectionStatementIfElse && a.leaves(c, x.Statement) && a.leaves(c, x.Statement2)
	}
	return false
}

// declare records a block's locals with what their initial value depends
// on; a local without an initializer may hold anything.
func (a *analyser) declare(c *fnCtx, d *cc.Declaration) {
	if d.Case == cc.DeclarationAuto { // __auto_type x = init;
		a.local(c, d.Declarator, d.Initializer)
		return
	}
	for il := d.InitDeclaratorList; il != nil; il = il.InitDeclaratorList {
		if id := il.InitDeclarator; id != nil {
			a.local(c, id.Declarator, id.Initializer)
		}
	}
}

func (a *analyser) local(c *fnCtx, d *cc.Declarator, init *cc.Initializer) {
	if d == nil || isFuncDeclarator(d) {
		return // a block-scope function declaration (BUILD_BUG_ON's)
	}
	dd := deps{any: true}
	if init != nil {
		a.walk(c, init)
		dd = a.deps(c, init)
	}
	if name := d.Name(); name != "" {
		c.locals[name] = dd
	}
}

func isFuncDeclarator(d *cc.Declarator) bool {
	dd := d.DirectDeclarator
	for dd != nil {
		switch dd.Case {
		case cc.DirectDeclaratorFuncParam, cc.DirectDeclaratorFuncIdent:
			return d.Pointer == nil
		case cc.DirectDeclaratorDecl:
			return false
		}
		dd = dd.DirectDeclarator
	}
	return false
}

func (a *analyser) call(c *fnCtx, x *cc.PostfixExpression) {
	as := args(x.ArgumentExpressionList)
	name := identName(x.PostfixExpression)
	_, local := c.locals[name]
	_, param := c.params[name]
	if name == "" || local || param {
		a.walk(c, x.PostfixExpression)
		for _, arg := range as {
			a.walk(c, arg)
		}
		return
	}
	pos := x.Position()
	if c.uaccessCall(name, pos) {
		for _, arg := range as {
			a.walk(c, arg)
		}
		return
	}
	switch {
	case name == "__builtin_constant_p":
		return // its operand is never evaluated
	case strings.HasPrefix(name, "__compiletime_assert_"):
		a.mustBeDead(c, "a BUILD_BUG_ON-style compile-time assertion", pos, true)
	case isBuiltin(name):
	case a.u.defs[name] != nil:
		a.propagate(c, name, as, pos)
		c.uaccessPropagate(name, a.summarize(name))
	case a.u.decls[name] != nil:
		decl := a.u.decls[name]
		if a.errorAttr(decl) {
			a.mustBeDead(c, "a call of "+name+", declared __compiletime_error", pos, false)
		} else {
			a.link(c, name, pos, len(as) == 0 && takesNothing(decl))
		}
	}
	for _, arg := range as {
		a.walk(c, arg)
	}
}

// ident checks a reference to a file-scope object or function that is not
// called (a variable read, a function's address).
func (a *analyser) ident(c *fnCtx, name string, pos token.Position) {
	if _, ok := c.locals[name]; ok {
		return
	}
	if _, ok := c.params[name]; ok {
		return
	}
	if isBuiltin(name) || a.u.defs[name] != nil {
		return
	}
	d := a.u.decls[name]
	if d == nil || d.IsStatic() {
		return
	}
	if d.Type() != nil && d.Type().Kind() != cc.Function && (d.HasInitializer() || !d.IsExtern()) {
		return // defined here (a tentative definition defines it too)
	}
	a.link(c, name, pos, false)
}

// mustBeDead records a construct that compiles only where gcc proves it
// unreachable: the innermost condition whose value is not known here
// decides. A condition that folds whatever the arguments (a switch on
// sizeof) is trusted, as every C caller trusts it; one that depends on
// parameters makes the construct need constant arguments. ownCond says
// the innermost condition is the construct's own (BUILD_BUG_ON(cond)
// tests cond): then exactly what cond depends on must be constant.
func (a *analyser) mustBeDead(c *fnCtx, what string, pos token.Position, ownCond bool) {
	for i := len(c.controls) - 1; i >= 0; i-- {
		ctl := c.controls[i]
		if _, known := a.eval(c, ctl.cond); known {
			if ctl.isSwitch {
				return // gcc picks the case; the others are dead
			}
			continue
		}
		d := a.deps(c, ctl.cond)
		if d.static() {
			return
		}
		d.runtime = false
		if !ownCond || i != len(c.controls)-1 || !d.dyn() {
			// Reaching it depends on more than one condition (the early
			// returns before BUILD_BUG() in __kmalloc_index).
			d.any = true
		}
		c.add(hazard{kind: hzConst, what: what, pos: pos, deps: d})
		return
	}
	c.add(hazard{kind: hzConst, what: what, pos: pos, deps: deps{any: true}})
}

// link records a reference to a symbol a module cannot link. A condition
// that folds at compile time (a switch on sizeof, a ternary on
// __builtin_types_compatible_p) picks one of several branches, and the
// reference is usually in all of them, so only a marker is excused there:
// a call of a function without parameters (__bad_size_call_parameter()),
// placed where the right branch makes it dead.
func (a *analyser) link(c *fnCtx, name string, pos token.Position, marker bool) {
	if a.o.Exported == nil {
		return
	}
	if sym, ok := a.u.asmNames[name]; ok {
		name = sym // __RENAME(strnlen): the object file names strnlen
	}
	exported, known := a.o.Exported(name)
	if !known || exported {
		return
	}
	for i := len(c.controls) - 1; i >= 0; i-- {
		ctl := c.controls[i]
		if _, known := a.eval(c, ctl.cond); known {
			if ctl.isSwitch {
				return
			}
			continue
		}
		if marker && a.deps(c, ctl.cond).static() {
			return
		}
		break
	}
	c.add(hazard{kind: hzLink, what: name, sym: name, pos: pos})
}

// propagate carries a callee's hazards to the call site: a constant
// hazard matters when an argument it depends on is not constant here.
func (a *analyser) propagate(c *fnCtx, callee string, as []cc.Node, pos token.Position) {
	s := a.summarize(callee)
	for _, h := range s.hazards {
		h2 := h
		h2.via = append([]string{callee}, h.via...)
		if h.kind == hzLink {
			c.add(h2)
			continue
		}
		var d deps
		switch {
		case h.deps.any && len(as) == 0:
			d = deps{any: true}
		case h.deps.any:
			for _, arg := range as {
				d = d.or(a.deps(c, arg))
			}
		default:
			for i, arg := range as {
				if i < 64 && h.deps.params&(1<<uint(i)) != 0 {
					d = d.or(a.deps(c, arg))
				}
			}
		}
		if !d.dyn() {
			continue
		}
		h2.deps = deps{params: d.params, any: d.any}
		c.add(h2)
	}
}

// errorAttr reports whether a function's declaration carries gcc's error
// attribute. cc/v4 evaluates __has_attribute to 0, so the kernel's
// __compiletime_error expands to nothing there; the header text says it.
func (a *analyser) errorAttr(d *cc.Declarator) bool {
	p := d.Position()
	lines := a.lines(p.Filename)
	if p.Line < 1 || p.Line > len(lines) {
		return false
	}
	// A declaration may wrap over a few lines, and the attribute may stand
	// after the parameters or before the name, on a line of its own above it
	// (6.12's bitfield.h: `extern void __compiletime_error("bad bitfield
	// mask")` then `__bad_mask(void);`). Look back to where the declaration
	// starts: past the end of anything before it, a blank line, a comment or a
	// directive.
	start := p.Line - 1
	for i := start - 1; i >= 0 && i >= p.Line-4; i-- {
		l := strings.TrimSpace(lines[i])
		if l == "" || strings.HasPrefix(l, "#") || strings.HasPrefix(l, "//") || strings.HasPrefix(l, "*") || strings.HasSuffix(l, "*/") ||
			strings.ContainsAny(l[len(l)-1:], ";{}") {
			break
		}
		start = i
	}
	for i := start; i < len(lines) && i < p.Line+3; i++ {
		l := lines[i]
		if strings.Contains(l, "__compiletime_error") || strings.Contains(l, "__error__") ||
			strings.Contains(l, "__attribute__((error") {
			return true
		}
		if strings.Contains(l, ";") {
			break
		}
	}
	return false
}

// takesNothing reports whether d declares a function without parameters:
// the shape of the kernel's "this branch must be dead" markers
// (__bad_size_call_parameter(), ____wrong_branch_error()).
func takesNothing(d *cc.Declarator) bool {
	ft, ok := d.Type().(*cc.FunctionType)
	return ok && len(realParams(ft)) == 0 && !ft.IsVariadic()
}
