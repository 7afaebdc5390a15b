package bindings

import (
	"fmt"
	"strings"
)

// Whether a bit-field is signed is not visible in any layout number: gcc is
// asked by reading back a field initialised to all ones in a function it
// folds at -O2; the constant leaves through an "i" asm operand into a
// labelled .rodata byte, which asmData reads like the other facts (1
// signed, 0 unsigned, 2 when gcc could not fold the read).

// bitfieldsByName are the IR bit-fields C reaches directly in r, anonymous
// members' included, by C name.
func bitfieldsByName(r *Record) map[string]Bitfield {
	out := map[string]Bitfield{}
	var walk func(r *Record, depth int)
	walk = func(r *Record, depth int) {
		if depth > 16 {
			return
		}
		members := r.Members
		if len(members) == 0 {
			members = r.raw
		}
		for _, m := range members {
			switch {
			case m.Kind == MBitUnit:
				for _, b := range m.Bits {
					out[b.CName] = b
				}
			case m.Kind == MField && m.AnonType:
				if sub := byValueRecord(m.Type); sub != nil {
					walk(sub, depth+1)
				}
			}
		}
	}
	walk(r, 0)
	return out
}

// getterSigned reports whether the generated getter of b returns a negative
// number for a field of all ones: _rk_bf_get sign-extends when b.Signed,
// and the `as` cast to the getter's type keeps the sign only if that type
// is signed.
func getterSigned(b Bitfield) bool {
	return b.Signed && typeSigned(b.Type, 0)
}

func typeSigned(t *Type, depth int) bool {
	if t == nil || depth > 16 {
		return false
	}
	switch t.Kind {
	case TPrim:
		return t.Signed
	case TNamed:
		switch x := t.Ref.(type) {
		case *Typedef:
			return typeSigned(x.Type, depth+1)
		case *Enum:
			return typeSigned(x.Underlying, depth+1)
		}
	}
	return false
}

// signDecl is the C function that records whether gcc reads field of the
// record spelled s back as negative after initialising it to val. The
// fallback of 2 keeps a read gcc cannot fold (a volatile member) from
// failing the whole compilation on the "i" constraint.
func signDecl(n int, s, field, val string) string {
	return fmt.Sprintf("void __rk_sgf%d(void) { %s __rk_x = { .%s = %s }; "+
		"__asm__ __volatile__(\".pushsection .rodata\\n__rk_sg%d:\\n\\t.byte %%c0\\n\\t.popsection\" :: "+
		"\"i\"(__builtin_constant_p(__rk_x.%s < 0) ? (__rk_x.%s < 0) : 2)); }",
		n, s, field, val, n, field, field)
}

// optimised adds -O2 to args unless they choose an optimisation level (the
// golden flags do not): the sign facts need gcc to fold the reads.
func optimised(args []string) []string {
	for _, a := range args {
		if strings.HasPrefix(a, "-O") {
			return args
		}
	}
	return append(args, "-O2")
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

func signedness(signed bool) string {
	if signed {
		return "signed"
	}
	return "unsigned"
}
