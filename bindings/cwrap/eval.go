package cwrap

import (
	"math/bits"
	"strconv"
	"strings"

	"modernc.org/cc/v4"
)

// deps says what an expression's value depends on, seen from inside one
// function whose parameters are not compile-time constants (a wrapper
// passes its own parameters on).
type deps struct {
	params uint64 // bit i: parameter i (the first 64)
	// any: depends on something not tied to one parameter, e.g. a local
	// without a constant initializer.
	any bool
	// runtime: reads a variable or calls a function, so it is no
	// compile-time constant even with constant arguments.
	runtime bool
}

func (d deps) dyn() bool { return d.params != 0 || d.any }

func (d deps) or(e deps) deps {
	return deps{params: d.params | e.params, any: d.any || e.any, runtime: d.runtime || e.runtime}
}

// static reports whether an expression folds to a constant at compile time
// whatever the arguments are (sizeof, enumerators, literals, addresses).
func (d deps) static() bool { return !d.dyn() && !d.runtime }

// paramNames lists the parameters d depends on.
func (d deps) paramNames(names []string) []string {
	var out []string
	for p := d.params; p != 0; p &= p - 1 {
		i := bits.TrailingZeros64(p)
		if i < len(names) {
			out = append(out, names[i])
		}
	}
	return out
}

// deps computes what n depends on. Operands of sizeof, _Alignof and
// typeof are not evaluated; __builtin_constant_p is itself a constant.
func (a *analyser) deps(c *fnCtx, n cc.Node) deps {
	var d deps
	var visit func(cc.Node)
	visit = func(n cc.Node) {
		if isNilNode(n) {
			return
		}
		switch x := n.(type) {
		case *cc.TypeName, *cc.TypeSpecifier:
			return
		case *cc.UnaryExpression:
			switch x.Case {
			case cc.UnaryExpressionSizeofExpr, cc.UnaryExpressionSizeofType,
				cc.UnaryExpressionAlignofExpr, cc.UnaryExpressionAlignofType:
				return
			case cc.UnaryExpressionAddrof:
				// An object's address is a link-time constant; the
				// address of a parameter's field still depends on it.
				e := a.deps(c, x.CastExpression)
				e.runtime = false
				d = d.or(e)
				return
			}
		case *cc.PrimaryExpression:
			switch x.Case {
			case cc.PrimaryExpressionIdent:
				d = d.or(a.identDeps(c, x.Token.SrcStr()))
				return
			case cc.PrimaryExpressionStmt:
				// A statement expression declares its own locals; what
				// they hold is not tracked.
				d.any = true
				return
			}
		case *cc.LogicalAndExpression, *cc.LogicalOrExpression, *cc.ConditionalExpression:
			// gcc folds what a known condition makes unreachable:
			// statically_true(x) is __builtin_constant_p(x) && (x), and
			// the (x) of a parameter is never evaluated.
			if cond, ifTrue, ifFalse, ok := branches(n); ok {
				if v, known := a.eval(c, cond); known {
					visit(cond)
					if v != 0 {
						visit(ifTrue)
					} else {
						visit(ifFalse)
					}
					return
				}
			}
		case *cc.PostfixExpression:
			if x.Case == cc.PostfixExpressionCall {
				name := identName(x.PostfixExpression)
				switch {
				case name == "__builtin_constant_p":
					return
				case isBuiltin(name):
				default:
					d.runtime = true
				}
				if name == "" {
					visit(x.PostfixExpression)
				}
				for _, arg := range args(x.ArgumentExpressionList) {
					visit(arg)
				}
				return
			}
		}
		children(n, visit)
	}
	visit(n)
	return d
}

func (a *analyser) identDeps(c *fnCtx, name string) deps {
	if d, ok := c.locals[name]; ok {
		return d
	}
	if i, ok := c.params[name]; ok {
		if i >= 64 {
			return deps{any: true}
		}
		return deps{params: 1 << uint(i)}
	}
	if _, ok := a.u.enumValue(name); ok {
		return deps{}
	}
	switch {
	case a.u.isFunction(name):
		return deps{} // a function designator is an address
	case a.u.isVariable(name):
		return deps{runtime: true}
	}
	// Labels (asm goto) and names the front end did not resolve.
	return deps{any: true}
}

// eval folds the integer constant expressions that decide which code a
// wrapper can reach: literals, enumerators, IS_ENABLED() (already 0 or 1
// after preprocessing), !, &&, ||, comparisons and arithmetic, and
// __builtin_constant_p, which is 0 for an argument that depends on a
// parameter. ok is false when the value is not known here.
func (a *analyser) eval(c *fnCtx, n cc.Node) (v int64, ok bool) {
	if isNilNode(n) {
		return 0, false
	}
	switch x := n.(type) {
	case *cc.PrimaryExpression:
		switch x.Case {
		case cc.PrimaryExpressionInt:
			return parseInt(x.Token.SrcStr())
		case cc.PrimaryExpressionExpr:
			return a.eval(c, x.ExpressionList)
		case cc.PrimaryExpressionIdent:
			name := x.Token.SrcStr()
			if _, local := c.locals[name]; local {
				return 0, false
			}
			if _, param := c.params[name]; param {
				return 0, false
			}
			return a.u.enumValue(name)
		}
	case *cc.ExpressionList:
		for x.ExpressionList != nil {
			x = x.ExpressionList
		}
		return a.eval(c, x.AssignmentExpression)
	case *cc.CastExpression:
		// Without the type, only values every integer type holds the
		// same survive a cast: (unsigned)-1 < 1 is false in C.
		if x.Case == cc.CastExpressionCast {
			if v, ok := a.eval(c, x.CastExpression); ok && v >= 0 && v < 128 {
				return v, true
			}
			return 0, false
		}
	case *cc.UnaryExpression:
		switch x.Case {
		case cc.UnaryExpressionNot:
			if v, ok := a.eval(c, x.CastExpression); ok {
				return b2i(v == 0), true
			}
		case cc.UnaryExpressionMinus:
			if v, ok := a.eval(c, x.CastExpression); ok {
				return -v, true
			}
		case cc.UnaryExpressionCpl:
			if v, ok := a.eval(c, x.CastExpression); ok {
				return ^v, true
			}
		case cc.UnaryExpressionPlus:
			return a.eval(c, x.CastExpression)
		}
	case *cc.LogicalAndExpression:
		if x.Case == cc.LogicalAndExpressionLAnd {
			l, lok := a.eval(c, x.LogicalAndExpression)
			if lok && l == 0 {
				return 0, true
			}
			r, rok := a.eval(c, x.InclusiveOrExpression)
			if rok && r == 0 {
				return 0, true
			}
			if lok && rok {
				return 1, true
			}
			return 0, false
		}
	case *cc.LogicalOrExpression:
		if x.Case == cc.LogicalOrExpressionLOr {
			l, lok := a.eval(c, x.LogicalOrExpression)
			if lok && l != 0 {
				return 1, true
			}
			r, rok := a.eval(c, x.LogicalAndExpression)
			if rok && r != 0 {
				return 1, true
			}
			if lok && rok {
				return 0, true
			}
			return 0, false
		}
	case *cc.ConditionalExpression:
		if x.Case == cc.ConditionalExpressionCond {
			cv, ok := a.eval(c, x.LogicalOrExpression)
			if !ok {
				return 0, false
			}
			if cv != 0 {
				if x.ExpressionList == nil { // GNU a ?: b
					return cv, true
				}
				return a.eval(c, x.ExpressionList)
			}
			return a.eval(c, x.ConditionalExpression)
		}
	case *cc.PostfixExpression:
		if x.Case == cc.PostfixExpressionCall {
			as := args(x.ArgumentExpressionList)
			switch identName(x.PostfixExpression) {
			case "__builtin_constant_p":
				if len(as) != 1 {
					return 0, false
				}
				d := a.deps(c, as[0])
				switch {
				case d.params != 0:
					return 0, true
				case d.static():
					return 1, true
				}
			case "__builtin_expect", "__builtin_expect_with_probability":
				if len(as) >= 1 {
					return a.eval(c, as[0])
				}
			}
		}
	}
	if op, l, r, ok := binary(n); ok {
		lv, lok := a.eval(c, l)
		rv, rok := a.eval(c, r)
		if lok && rok {
			// Signed 64-bit arithmetic is C's only while no operand is
			// negative: unsigned operands would compare differently.
			if (lv < 0 || rv < 0) && op != "==" && op != "!=" && op != "&" && op != "|" && op != "^" {
				return 0, false
			}
			return fold(op, lv, rv)
		}
	}
	return 0, false
}

// binary splits the binary-operator nodes cc/v4 builds per precedence level.
func binary(n cc.Node) (op string, l, r cc.Node, ok bool) {
	switch x := n.(type) {
	case *cc.AdditiveExpression:
		return x.Token.SrcStr(), x.AdditiveExpression, x.MultiplicativeExpression, x.Case != cc.AdditiveExpressionMul
	case *cc.MultiplicativeExpression:
		return x.Token.SrcStr(), x.MultiplicativeExpression, x.CastExpression, x.Case != cc.MultiplicativeExpressionCast
	case *cc.ShiftExpression:
		return x.Token.SrcStr(), x.ShiftExpression, x.AdditiveExpression, x.Case != cc.ShiftExpressionAdd
	case *cc.RelationalExpression:
		return x.Token.SrcStr(), x.RelationalExpression, x.ShiftExpression, x.Case != cc.RelationalExpressionShift
	case *cc.EqualityExpression:
		return x.Token.SrcStr(), x.EqualityExpression, x.RelationalExpression, x.Case != cc.EqualityExpressionRel
	case *cc.AndExpression:
		return "&", x.AndExpression, x.EqualityExpression, x.Case == cc.AndExpressionAnd
	case *cc.ExclusiveOrExpression:
		return "^", x.ExclusiveOrExpression, x.AndExpression, x.Case == cc.ExclusiveOrExpressionXor
	case *cc.InclusiveOrExpression:
		return "|", x.InclusiveOrExpression, x.ExclusiveOrExpression, x.Case == cc.InclusiveOrExpressionOr
	}
	return "", nil, nil, false
}

func fold(op string, l, r int64) (int64, bool) {
	switch op {
	case "+":
		return l + r, true
	case "-":
		return l - r, true
	case "*":
		return l * r, true
	case "/":
		if r == 0 {
			return 0, false
		}
		return l / r, true
	case "%":
		if r == 0 {
			return 0, false
		}
		return l % r, true
	case "<<":
		if r < 0 || r > 63 {
			return 0, false
		}
		return l << uint(r), true
	case ">>":
		if r < 0 || r > 63 {
			return 0, false
		}
		return l >> uint(r), true
	case "<":
		return b2i(l < r), true
	case ">":
		return b2i(l > r), true
	case "<=":
		return b2i(l <= r), true
	case ">=":
		return b2i(l >= r), true
	case "==":
		return b2i(l == r), true
	case "!=":
		return b2i(l != r), true
	case "&":
		return l & r, true
	case "^":
		return l ^ r, true
	case "|":
		return l | r, true
	}
	return 0, false
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// parseInt reads a C integer constant (suffixes u, l, ll in any case).
func parseInt(s string) (int64, bool) {
	s = strings.TrimRight(s, "uUlL")
	if s == "" {
		return 0, false
	}
	if u, err := strconv.ParseUint(s, 0, 64); err == nil && u <= 1<<63-1 {
		return int64(u), true
	}
	return 0, false
}
