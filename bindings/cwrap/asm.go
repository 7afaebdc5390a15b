package cwrap

import (
	"strings"

	"modernc.org/cc/v4"
)

// asm checks the operands of an inline asm statement. An operand whose
// constraint accepts only an immediate ("i", "n", "e" ... on x86) must be
// a compile-time constant: passing a wrapper's parameter there fails with
// "impossible constraint in asm". cc/v4 parses `"i" (expr)` as a call of
// the string literal.
func (a *analyser) asm(c *fnCtx, x *cc.Asm) {
	a.asmText(c, x)
	c.uaccessAsm(x)
	for al := x.AsmArgList; al != nil; al = al.AsmArgList {
		for el := al.AsmExpressionList; el != nil; el = el.AsmExpressionList {
			e := el.AssignmentExpression
			pe, ok := e.(*cc.PostfixExpression)
			if !ok || pe.Case != cc.PostfixExpressionCall {
				// asm goto labels and the like: nothing to evaluate.
				continue
			}
			constraint, ok := stringLit(pe.PostfixExpression)
			if !ok {
				a.walk(c, e)
				continue
			}
			for _, op := range args(pe.ArgumentExpressionList) {
				if immediateOnly(constraint) {
					if d := a.deps(c, op); d.dyn() {
						c.add(hazard{kind: hzConst, what: `an inline asm "` + constraint + `" operand`, pos: op.Position(), deps: d})
					}
				}
				a.walk(c, op)
			}
		}
	}
}

// immediateOnly reports whether an asm constraint admits nothing but a
// constant: it names an immediate class and no register, memory or
// general alternative.
func immediateOnly(constraint string) bool {
	imm := false
	for _, ch := range constraint {
		switch {
		case strings.ContainsRune("inIJKLMNOGeZsEF", ch):
			imm = true
		case strings.ContainsRune("=+&%*#!?, ", ch):
		default:
			// r, q, m, g, a-d, S, D, A, digits (matching), p, x, X ...
			return false
		}
	}
	return imm
}

// asmText finds macro names left in an asm template: the header
// stringified them before the macro was defined (asm/segment.h uses
// X86_FEATURE_RDPID before cpufeatures.h defines it), so the assembler
// takes the name for a symbol that nothing defines.
func (a *analyser) asmText(c *fnCtx, x *cc.Asm) {
	text := x.Token3.SrcStr()
	for i := 0; i < len(text); i++ {
		if !isIdentStart(text[i]) || i > 0 && (isIdentByte(text[i-1]) || text[i-1] == '%' || text[i-1] == '.') {
			continue
		}
		j := i
		for j < len(text) && isIdentByte(text[j]) {
			j++
		}
		word := text[i:j]
		i = j
		if !constantName(word) {
			continue
		}
		if m := a.u.ast.Macros[word]; m != nil && !m.IsFnLike {
			c.add(hazard{kind: hzLink, what: word, sym: word, pos: x.Position(),
				note: "a macro name its inline asm text keeps unexpanded (the macro is defined after the asm was written), which the assembler takes for an undefined symbol"})
		}
	}
}

// constantName reports whether a word is spelled like a kernel constant
// macro (X86_FEATURE_RDPID): upper case, digits and at least one '_'.
func constantName(w string) bool {
	if len(w) < 4 || !strings.Contains(w, "_") {
		return false
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

func isIdentStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isIdentByte(c byte) bool  { return isIdentStart(c) || c >= '0' && c <= '9' }
