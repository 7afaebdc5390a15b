package cmacro

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/bindings/clex"
)

// table defines the macros in defs, one #define per line.
func table(defs string) func(string) *Def {
	m := map[string]*Def{}
	for _, line := range strings.Split(defs, "\n") {
		if d := Parse(line); d != nil {
			m[d.Name] = d
		}
	}
	return func(name string) *Def { return m[name] }
}

func texts(ts []clex.Token) string {
	var s []string
	for _, t := range ts {
		s = append(s, t.Text)
	}
	return strings.Join(s, " ")
}

// From the kernel's headers (6.1), where macro values depend on them.
const kernelish = `
#define CONFIG_HZ 250
#define HZ CONFIG_HZ
#define __AC(X,Y) (X##Y)
#define _AC(X,Y) __AC(X,Y)
#define CALL(f, args...) f(0, ## args)
#define VA(fmt, ...) fmt, ##__VA_ARGS__
#define STR(x) #x
#define XSTR(x) STR(x)
#define printk(fmt, ...) printk_index_wrap(_printk, fmt, ##__VA_ARGS__)
#define printk_index_wrap(_p_func, _fmt, ...) ({ __printk_index_emit(_fmt, NULL, NULL); _p_func(_fmt, ##__VA_ARGS__); })
#define __printk_index_emit(...) do {} while (0)
#define pr_info(fmt, ...) printk(KERN_INFO pr_fmt(fmt), ##__VA_ARGS__)
#define pr_fmt(fmt) fmt
#define KERN_SOH "\001"
#define KERN_INFO KERN_SOH "6"
#define COUNT_ARGS(X...) __COUNT_ARGS(, ##X, 3, 2, 1, 0)
#define __COUNT_ARGS(_0, _1, _2, _3, _n, X...) _n
`

// TestExpand checks the preprocessor corner cases constants depend on.
func TestExpand(t *testing.T) {
	for _, tc := range []struct{ defs, in, want string }{
		{kernelish, "CALL(g)", "g ( 0 )"},
		{kernelish, "CALL(g, 1, 2)", "g ( 0 , 1 , 2 )"},
		{kernelish, "VA(f)", "f"},
		{kernelish, "VA(f, a, b)", "f , a , b"},
		{kernelish, "XSTR(HZ)", `"250"`},
		{kernelish, "STR(HZ)", `"HZ"`},
		{kernelish, "_AC(1, UL)", "( 1UL )"},
		{kernelish, "COUNT_ARGS(a, b)", "2"},
		{kernelish, "COUNT_ARGS()", "0"},
		{"#define f(a) a*g\n#define g(a) f(a)", "f(2)(9)", "2 * 9 * g"},
		{"#define a a b\n#define b a", "a", "a a"},
		{"#define cat(a, b) a ## b\n#define e", "cat(, x) cat(y, ) cat(,)", "x y"},
		{"#define h() H", "h() h", "H h"},
		{"#define f(x) x\n#define g f", "f(f(1)) g(2)", "1 2"},
		{"#define f(x, y) x y", "f((a, b), {c, d})", "( a , b ) { c"},
		{"#define S(x) #x", `S( a  +  "q\"" 'c' )`, `"a + \"q\\\"\" 'c'"`},
		// A paste that is not one token stays the tokens it lexes to.
		{"#define P(x) x ## )", "P(a)", "a )"},
		{"#define P(x) , ## x", "P(y)", ", y"},
	} {
		x := &Expander{Lookup: table(tc.defs), Limit: 10000}
		out, err := x.Expand(clex.Lex(tc.in))
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
		} else if got := texts(out); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestExpandErrors(t *testing.T) {
	exp := "#define a0 x x\n"
	for i := 1; i < 40; i++ {
		exp += fmt.Sprintf("#define a%d a%d a%d\n", i, i-1, i-1)
	}
	for _, tc := range []struct {
		defs, in string
		want     error
	}{
		{exp, "a39", ErrLimit},
		{"#define f(x) x", "f(1, (2)", ErrUnbalanced},
	} {
		x := &Expander{Lookup: table(tc.defs), Limit: 10000}
		if _, err := x.Expand(clex.Lex(tc.in)); !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.in, err, tc.want)
		}
	}
}

// TestMemo: memoised expansions give what expanding afresh gives, and
// Used names every macro either way.
func TestMemo(t *testing.T) {
	defs := kernelish + "#define N (HZ + M)\n#define M _AC(1, UL)\n#define F STR\n#define G F(HZ)\n#define R R N"
	memo := Memo{}
	for _, in := range []string{"N", "M N", "G", "R", "N R", "(N)", "F(x)"} {
		plain := &Expander{Lookup: table(defs), Used: map[string]bool{}}
		want, err := plain.Expand(clex.Lex(in))
		if err != nil {
			t.Fatal(err)
		}
		memoized := &Expander{Lookup: table(defs), Memo: memo, Used: map[string]bool{}}
		got, err := memoized.Expand(clex.Lex(in))
		if err != nil {
			t.Fatal(err)
		}
		if texts(got) != texts(want) || fmt.Sprint(memoized.Used) != fmt.Sprint(plain.Used) {
			t.Errorf("%s: memoised %q (used %v), afresh %q (used %v)", in, texts(got), memoized.Used, texts(want), plain.Used)
		}
	}
	if memo["N"] == nil || !memo["N"].closed {
		t.Errorf("N was not memoised as closed: %+v", memo["N"])
	}
}

func TestLevels(t *testing.T) {
	for _, tc := range []struct {
		defs, in string
		want     []string // every level after the input
	}{
		{kernelish, `pr_info("x%d\n", n)`, []string{
			`printk(KERN_INFO pr_fmt("x%d\n"), n)`,
			`printk_index_wrap(_printk, KERN_INFO pr_fmt("x%d\n"), n)`,
			`({ __printk_index_emit(KERN_INFO pr_fmt("x%d\n"), NULL, NULL); _printk(KERN_INFO pr_fmt("x%d\n"), n); })`,
			`({ do { } while(0); _printk(KERN_SOH "6" "x%d\n", n); })`,
			`({ do { } while(0); _printk("\001" "6" "x%d\n", n); })`,
		}},
		// GNU's comma rule: no arguments, no comma.
		{kernelish, `printk("hi")`, []string{
			`printk_index_wrap(_printk, "hi")`,
			`({ __printk_index_emit("hi", NULL, NULL); _printk("hi"); })`,
			`({ do { } while(0); _printk("hi"); })`,
		}},
		// Arguments go in as written; a level paints them like the rest.
		{"#define f(x) [x]", "f(f(1))", []string{"[f(1)]"}},
		{"#define a b\n#define b a", "a", []string{"b", "a"}},
		// An unterminated call ends the level as written.
		{"#define a A\n#define f(x) x", "a f(1 a", []string{"A f(1 a"}},
		{"#define f(x) x", "g(1)", nil},
	} {
		x := &Expander{Lookup: table(tc.defs), Limit: 10000}
		lv := x.Levels(clex.Lex(tc.in), 40)
		var got []string
		for _, l := range lv[1:] {
			got = append(got, clex.Join(l))
		}
		if texts(lv[0]) != texts(clex.Lex(tc.in)) || strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("%s: levels\n %s\nwant\n %s", tc.in, strings.Join(got, "\n "), strings.Join(tc.want, "\n "))
		}
	}
}

// TestLevelsBounded: levels stop at the level count and before a level
// whose work (tokens read and produced) passes Limit.
func TestLevelsBounded(t *testing.T) {
	x := &Expander{Lookup: table("#define a a0 a0\n#define a0 a1 a1\n#define a1 a2 a2\n#define a2 a3 a3\n#define a3 x x"), Limit: 20}
	// The fifth level reads 8 tokens and produces 16.
	if lv := x.Levels(clex.Lex("a"), 40); len(lv) != 4 || len(lv[3]) != 8 {
		t.Errorf("got %d levels, the last %q; want 4, the last of 8 tokens", len(lv), texts(lv[len(lv)-1]))
	}
	x.Limit = 0
	if lv := x.Levels(clex.Lex("a"), 2); len(lv) != 3 {
		t.Errorf("got %d levels, want 3", len(lv))
	}
	x = &Expander{Lookup: table("#define D(x) x x x x x x x x x x\n#define E D(D(D(D(D(D(1))))))"), Limit: 1000}
	if lv := x.Levels(clex.Lex("E"), 40); len(lv[len(lv)-1]) > 1000 {
		t.Errorf("a level of %d tokens passed the limit", len(lv[len(lv)-1]))
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in       string
		name     string
		funcLike bool
		params   string
		variadic bool
		body     string
	}{
		{"#define A 1", "A", false, "", false, "1"},
		{"#define A (1)", "A", false, "", false, "( 1 )"},
		{"#define A (x) y", "A", false, "", false, "( x ) y"},
		{"#define F(a, b) a+b", "F", true, "a,b", false, "a + b"},
		{"# define F(fmt, args...) x", "F", true, "fmt,args", true, "x"},
		{"#define F(...) x", "F", true, "__VA_ARGS__", true, "x"},
		{"#define F() x", "F", true, "", false, "x"},
	} {
		d := Parse(tc.in)
		if d == nil {
			t.Errorf("%q: not parsed", tc.in)
			continue
		}
		if d.Name != tc.name || d.FuncLike != tc.funcLike || strings.Join(d.Params, ",") != tc.params || d.Variadic != tc.variadic || texts(d.Body) != tc.body {
			t.Errorf("%q: got %+v", tc.in, d)
		}
	}
	for _, bad := range []string{"", "define A", "#define", "#define (x)", "#define F(a"} {
		if d := Parse(bad); d != nil {
			t.Errorf("%q: parsed as %+v", bad, d)
		}
	}
}

func TestKindOf(t *testing.T) {
	for text, want := range map[string]clex.Kind{
		"x1": clex.Ident, "$a": clex.Ident, "0x1fUL": clex.Number, ".5": clex.Number, `L"s"`: clex.String,
		`u8'c'`: clex.Char, "<<=": clex.Punct, "": clex.Punct, "//": clex.Punct,
	} {
		if got := KindOf(text); got != want {
			t.Errorf("KindOf(%q) = %d, want %d", text, got, want)
		}
	}
}

// FuzzKindOf: the first-byte shortcut agrees with the lexer on any text.
func FuzzKindOf(f *testing.F) {
	for _, s := range []string{"x1", "$a", "0x1f", ".5", `L"s"`, `u8'c'`, "<<=", "", "a'b", "_", "9e+1", "U'x'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		want := clex.Punct
		if tok, ok := clex.NewScanner(text).Next(); ok {
			want = tok.Kind
		}
		if got := KindOf(text); got != want {
			t.Errorf("KindOf(%q) = %d, the lexer says %d", text, got, want)
		}
	})
}

// FuzzExpand: header text is input rustko does not control; expanding any
// of it ends (the limit) without a panic, a level never passes the limit,
// and a memoised expansion is the plain one.
func FuzzExpand(f *testing.F) {
	f.Add(kernelish, "pr_info(a, b) COUNT_ARGS(x) _AC(1, UL)")
	f.Add("#define F(a, ...) G(a, ##__VA_ARGS__)\n#define G(x, y...) ({ x; y; })", "F(1) F(1, 2, 3) G")
	f.Add("#define F(a) #a ## a\n#define H F(H)", "H F(F)(")
	f.Add("#define a a b\n#define b a\n#define c(x) x ## x c", "a b c(c)(1)")
	f.Fuzz(func(t *testing.T, defs, in string) {
		lookup := table(defs)
		const limit = 5000
		plain := &Expander{Lookup: lookup, Limit: limit}
		want, err := plain.Expand(clex.Lex(in))
		memoized := &Expander{Lookup: lookup, Limit: limit, Memo: Memo{}, Used: map[string]bool{}}
		got, merr := memoized.Expand(clex.Lex(in))
		if err == nil && merr == nil && texts(got) != texts(want) {
			t.Errorf("memoised %q, afresh %q", texts(got), texts(want))
		}
		x := &Expander{Lookup: lookup, Limit: limit}
		for _, l := range x.Levels(clex.Lex(in), 40)[1:] {
			if len(l) > limit {
				t.Fatalf("a level of %d tokens", len(l))
			}
		}
	})
}
