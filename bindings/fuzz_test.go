package bindings

import (
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/bindings/clex"
)

// FuzzMacroEval: macro text comes from headers on disk; expanding and
// evaluating any of it must end (the expansion limit) with a value or a
// reason, never a panic.
func FuzzMacroEval(f *testing.F) {
	for _, line := range strings.Split(kernelishDefs, "\n") {
		if strings.HasPrefix(line, "#define ") {
			f.Add(kernelishDefs, strings.Fields(strings.TrimPrefix(line, "#define "))[0])
		}
	}
	for _, e := range []string{
		"#define X (1 << 31)", "#define X sizeof(struct rec)", "#define X ((u8)-1 >> 1)", "#define X '\\777'",
		"#define X \"a\" \"b\"", "#define X (~0ULL / -1)", "#define X 0x", "#define X (((((", "#define X a##b##",
		"#define X(a, ...) #__VA_ARGS__ a ## __VA_ARGS__\n#define Y X(1, 2, 3)", "#define X _Alignof(struct rec[2])",
		"#define X (-9223372036854775807LL - 1) / -1", "#define X __builtin_offsetof(struct rec, c[3])",
		"#define X (int (*)(int))0", "#define X __typeof__(1UL)", "#define X 1.0e400",
	} {
		f.Add(e, "X")
		f.Add(e, "Y")
	}
	env := newMapEnv()
	f.Fuzz(func(t *testing.T, defs, name string) {
		v, why := evalMacroText(defs, name, env)
		if why == "" && v.t == nil {
			t.Fatalf("a value without a type")
		}
		if why == "" {
			_ = v.v.Rust()
		}
	})
}

// FuzzCExpr: the expression evaluator alone, on arbitrary token text.
func FuzzCExpr(f *testing.F) {
	for _, s := range []string{"1 + 2 * 3", "(unsigned char)300", "sizeof(int[3][4])", "1 ? 2 : (3, 4)", "!~-+1",
		"'\\x41' << 2", "\"abc\"[1]", "(gfp_t)1 | (gfp_t)2", "((struct rec *)0)->b", "SEVEN % 0", "1 << 63", "-(-9223372036854775807-1)"} {
		f.Add(s)
	}
	env := newMapEnv()
	f.Fuzz(func(t *testing.T, s string) {
		toks := clex.Lex(s)
		if len(toks) > 2000 {
			return
		}
		_, _ = evalConstant(toks, env)
	})
}
