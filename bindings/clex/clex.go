// Package clex is rustko's one C lexer: the header scan, the macro verdicts
// and the bindings' macro expansion all split C text with it. It is lexical
// only (no preprocessing): comments and line continuations are dropped, and
// it never fails; an unterminated string or comment runs to the end of its
// line or of the text.
package clex

import "strings"

// Kind is the lexical class of a token.
type Kind uint8

const (
	Ident Kind = iota + 1
	Number
	String
	Char
	Punct
)

// Token is one C token. Line and Col are 1-based (Col counts bytes).
type Token struct {
	Kind Kind
	Text string
	Line int
	Col  int
	// BOL marks the first token of a line, which is what makes a '#' a
	// directive.
	BOL bool
	// Space says white space or a comment came before the token: the #
	// operator keeps one space there when it stringizes.
	Space bool
	// Hide lists the macros whose expansion produced the token; they are
	// not expanded again in it (C's "painted blue" rule). The lexer leaves
	// it empty.
	Hide []string
}

// Lex splits src into tokens.
func Lex(src string) []Token {
	var out []Token
	s := NewScanner(src)
	for {
		t, ok := s.Next()
		if !ok {
			return out
		}
		out = append(out, t)
	}
}

// Scanner yields tokens one at a time without allocating, so the header
// scan can read tens of megabytes of headers cheaply.
type Scanner struct {
	src       string
	i         int
	line, col int
	bol       bool
}

// NewScanner starts at the beginning of src.
func NewScanner(src string) *Scanner { return &Scanner{src: src, line: 1, col: 1, bol: true} }

func (s *Scanner) adv(n int) {
	for k := 0; k < n && s.i < len(s.src); k++ {
		if s.src[s.i] == '\n' {
			s.line++
			s.col = 1
		} else {
			s.col++
		}
		s.i++
	}
}

// Next returns the next token; false at the end of the text.
func (s *Scanner) Next() (Token, bool) {
	src := s.src
	space := false
	for s.i < len(src) {
		c := src[s.i]
		switch {
		case c == '\n':
			s.bol, space = true, true
			s.adv(1)
			continue
		case c == '\\' && s.i+1 < len(src) && (src[s.i+1] == '\n' || src[s.i+1] == '\r'):
			space = true
			s.adv(2)
			continue
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			space = true
			s.adv(1)
			continue
		case c == '/' && s.i+1 < len(src) && src[s.i+1] == '/':
			for s.i < len(src) && src[s.i] != '\n' {
				if src[s.i] == '\\' && s.i+1 < len(src) && src[s.i+1] == '\n' {
					s.adv(1)
				}
				s.adv(1)
			}
			space = true
			continue
		case c == '/' && s.i+1 < len(src) && src[s.i+1] == '*':
			end := strings.Index(src[s.i+2:], "*/")
			if end < 0 {
				s.adv(len(src) - s.i)
			} else {
				s.adv(end + 4)
			}
			space = true
			continue
		}
		start, sl, scol := s.i, s.line, s.col
		kind := Punct
		switch {
		case IsIdentStart(c):
			kind = Ident
			for s.i < len(src) && IsIdentChar(src[s.i]) {
				s.adv(1)
			}
			// L"..", u8"..": a string with a prefix.
			if s.i < len(src) && (src[s.i] == '"' || src[s.i] == '\'') && isStringPrefix(src[start:s.i]) {
				kind = s.quoted()
			}
		case c >= '0' && c <= '9' || c == '.' && s.i+1 < len(src) && src[s.i+1] >= '0' && src[s.i+1] <= '9':
			kind = Number
			for s.i < len(src) {
				d := src[s.i]
				if IsIdentChar(d) || d == '.' {
					s.adv(1)
				} else if (d == '+' || d == '-') && (src[s.i-1]|0x20 == 'e' || src[s.i-1]|0x20 == 'p') {
					s.adv(1)
				} else {
					break
				}
			}
		case c == '"' || c == '\'':
			kind = s.quoted()
		default:
			s.adv(PunctLen(src[s.i:]))
		}
		t := Token{Kind: kind, Text: src[start:s.i], Line: sl, Col: scol, BOL: s.bol, Space: space}
		s.bol = false
		return t, true
	}
	return Token{}, false
}

var (
	puncts3 = []string{"...", "<<=", ">>="}
	puncts2 = []string{"->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "*=", "/=", "%=", "+=", "-=", "&=", "^=", "|=", "##"}
)

// PunctLen is the length of the punctuator s starts with.
func PunctLen(s string) int {
	for _, p := range puncts3 {
		if strings.HasPrefix(s, p) {
			return 3
		}
	}
	for _, p := range puncts2 {
		if strings.HasPrefix(s, p) {
			return 2
		}
	}
	return 1
}

func (s *Scanner) quoted() Kind {
	src := s.src
	q := src[s.i]
	s.adv(1)
	for s.i < len(src) && src[s.i] != q && src[s.i] != '\n' {
		if src[s.i] == '\\' {
			s.adv(1)
		}
		s.adv(1)
	}
	s.adv(1)
	if q == '"' {
		return String
	}
	return Char
}

// IsIdentStart says whether c can start an identifier ($ is a GNU C
// identifier character).
func IsIdentStart(c byte) bool { return c == '_' || c|0x20 >= 'a' && c|0x20 <= 'z' || c == '$' }

// IsIdentChar says whether c can continue an identifier.
func IsIdentChar(c byte) bool { return IsIdentStart(c) || c >= '0' && c <= '9' }

func isStringPrefix(s string) bool { return s == "L" || s == "u" || s == "U" || s == "u8" }

// Join writes tokens back as text with single spaces where C needs them,
// for messages.
func Join(ts []Token) string {
	var b strings.Builder
	for i, t := range ts {
		if i > 0 && needSpace(ts[i-1], t) {
			b.WriteByte(' ')
		}
		b.WriteString(t.Text)
	}
	return b.String()
}

func needSpace(a, b Token) bool {
	word := func(t Token) bool { return t.Kind != Punct }
	if word(a) && word(b) {
		return true
	}
	switch b.Text {
	case "(", ")", "[", "]", ",", ";", ".", "->":
		return false
	}
	switch a.Text {
	case "(", "[", ".", "->", "!", "~", "&", "*":
		return false
	}
	return true
}

// Args reads the parenthesised argument list starting at ts[open] (a macro
// invocation's or a call's); it returns the arguments and the index of the
// closing parenthesis, false when the list does not close.
func Args(ts []Token, open int) ([][]Token, int, bool) {
	depth := 0
	var args [][]Token
	var cur []Token
	for i := open; i < len(ts); i++ {
		switch ts[i].Text {
		case "(", "[", "{":
			depth++
			if depth == 1 {
				continue
			}
		case ")", "]", "}":
			depth--
			if depth == 0 {
				args = append(args, cur)
				return args, i, true
			}
		case ",":
			if depth == 1 {
				args = append(args, cur)
				cur = nil
				continue
			}
		}
		cur = append(cur, ts[i])
	}
	return nil, 0, false
}
