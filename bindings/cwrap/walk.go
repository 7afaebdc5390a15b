package cwrap

import (
	"reflect"

	"modernc.org/cc/v4"
)

// children calls f for each AST node directly below n. cc/v4's node types
// are generated structs whose exported fields are the grammar's children
// (pointers to nodes, or ExpressionNode interfaces); unexported fields
// point back into scopes and must not be followed. Reflection keeps this
// independent of the ~100 node types, of which the analysis only cares
// about a dozen.
func children(n cc.Node, f func(cc.Node)) {
	v := reflect.ValueOf(n)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return
	}
	v = v.Elem()
	if v.Kind() != reflect.Struct {
		return
	}
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if !sf.IsExported() || sf.Anonymous {
			continue
		}
		fv := v.Field(i)
		switch fv.Kind() {
		case reflect.Pointer:
			if fv.IsNil() || fv.Elem().Kind() != reflect.Struct {
				continue
			}
		case reflect.Interface:
			if fv.IsNil() {
				continue
			}
		default:
			continue
		}
		if c, ok := fv.Interface().(cc.Node); ok && !isNilNode(c) {
			f(c)
		}
	}
}

func isNilNode(n cc.Node) bool {
	if n == nil {
		return true
	}
	v := reflect.ValueOf(n)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// identName returns the identifier an expression is, looking through
// parentheses: f in f(x) and (f)(x).
func identName(n cc.Node) string {
	for depth := 0; depth < 16; depth++ {
		switch x := n.(type) {
		case *cc.PrimaryExpression:
			switch x.Case {
			case cc.PrimaryExpressionIdent:
				return x.Token.SrcStr()
			case cc.PrimaryExpressionExpr:
				n = x.ExpressionList
				continue
			}
		case *cc.ExpressionList:
			if x.ExpressionList == nil {
				n = x.AssignmentExpression
				continue
			}
		}
		return ""
	}
	return ""
}

// branches splits a logical or conditional expression into its condition
// and the operands evaluated when the condition is true and when it is
// false; either may be nil (&& evaluates nothing more when false, || when
// true, GNU a ?: b when true).
func branches(n cc.Node) (cond, ifTrue, ifFalse cc.Node, ok bool) {
	switch x := n.(type) {
	case *cc.LogicalAndExpression:
		return x.LogicalAndExpression, x.InclusiveOrExpression, nil, x.Case == cc.LogicalAndExpressionLAnd
	case *cc.LogicalOrExpression:
		return x.LogicalOrExpression, nil, x.LogicalAndExpression, x.Case == cc.LogicalOrExpressionLOr
	case *cc.ConditionalExpression:
		return x.LogicalOrExpression, x.ExpressionList, x.ConditionalExpression, x.Case == cc.ConditionalExpressionCond
	}
	return nil, nil, nil, false
}

// stringLit returns the text of a string-literal expression ("i" in an asm
// operand), without quotes, and whether n is one.
func stringLit(n cc.Node) (string, bool) {
	x, ok := n.(*cc.PrimaryExpression)
	if !ok || x.Case != cc.PrimaryExpressionString {
		return "", false
	}
	s := x.Token.SrcStr()
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1], true
	}
	return s, true
}

// args flattens a call's argument list.
func args(l *cc.ArgumentExpressionList) []cc.Node {
	var out []cc.Node
	for ; l != nil; l = l.ArgumentExpressionList {
		if l.AssignmentExpression != nil {
			out = append(out, l.AssignmentExpression)
		}
	}
	return out
}
