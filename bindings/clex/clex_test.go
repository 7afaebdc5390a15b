package clex

import (
	"strings"
	"testing"
)

func TestLex(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want string // Kind:Text per token, BOL marked ^, Space marked _
	}{
		{"#define A(x) ((x)<<=2)", "^P:# I:define _I:A P:( I:x P:) _P:( P:( I:x P:) P:<<= N:2 P:)"},
		{"a /* c */ b // d\nc", "^I:a _I:b ^_I:c"},
		{"x \\\n y", "^I:x _I:y"},
		{`L"wide" u8"s" 'c' "un`, `^S:L"wide" _S:u8"s" _C:'c' _S:"un`},
		{"1.5e+3 .5 0x1fUL a->b ...", "^N:1.5e+3 _N:.5 _N:0x1fUL _I:a P:-> I:b _P:..."},
		{"$x /* unterminated", "^I:$x"},
	} {
		var got []string
		for _, tk := range Lex(tc.src) {
			mark := ""
			if tk.BOL {
				mark += "^"
			}
			if tk.Space {
				mark += "_"
			}
			got = append(got, mark+"?INSCP"[tk.Kind:tk.Kind+1]+":"+tk.Text)
		}
		if g := strings.Join(got, " "); g != tc.want {
			t.Errorf("Lex(%q)\n got %s\nwant %s", tc.src, g, tc.want)
		}
	}
}

func TestPositions(t *testing.T) {
	ts := Lex("int a;\n  /* x\n */ b")
	last := ts[len(ts)-1]
	if last.Text != "b" || last.Line != 3 || last.Col != 5 || !last.BOL {
		t.Errorf("b at %d:%d BOL=%v, want 3:5 BOL", last.Line, last.Col, last.BOL)
	}
}

func TestJoin(t *testing.T) {
	if got := Join(Lex("f ( a , * b ) -> c [ 1 ]")); got != "f(a, *b)->c[1]" {
		t.Errorf("Join = %q", got)
	}
}

// Any text lexes without panicking, and the tokens are pieces of it in
// order.
func FuzzLex(f *testing.F) {
	for _, s := range []string{"#define X(a) a##b", "'\\", "\"\\\n", "/*", "u8'", "1e+", "a\\\r\nb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		at := 0
		for _, tk := range Lex(src) {
			i := strings.Index(src[at:], tk.Text)
			if tk.Text == "" || i < 0 {
				t.Fatalf("token %q is not in the rest of the text %q", tk.Text, src[at:])
			}
			at += i + len(tk.Text)
		}
	})
}
