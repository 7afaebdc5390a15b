package bridge

import "strings"

// tokKind is the lexical class of a C token.
type tokKind uint8

const (
	tIdent tokKind = iota + 1
	tNumber
	tString
	tChar
	tPunct
)

// token is one C token. Line is 1-based; BOL marks the first token of a
// line, which is what makes a '#' a directive.
type token struct {
	Kind tokKind
	Text string
	Line int
	Col  int
	BOL  bool
	// hide lists the macros whose expansion produced this token; they are
	// not expanded again in it (C's "painted blue" rule).
	hide []string
}

var puncts3 = []string{"...", "<<=", ">>="}
var puncts2 = []string{"->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "*=", "/=", "%=", "+=", "-=", "&=", "^=", "|=", "##"}

// lexC splits C text into tokens, dropping comments and line continuations.
// It never fails: an unterminated string or comment runs to the end.
func lexC(src string) []token {
	var out []token
	sc := scanner{src: src, line: 1, col: 1, bol: true}
	for {
		t, ok := sc.next()
		if !ok {
			return out
		}
		out = append(out, t)
	}
}

// scanner yields C tokens one at a time without allocating, so the header
// scan can read tens of megabytes of headers cheaply.
type scanner struct {
	src       string
	i         int
	line, col int
	bol       bool
}

func (s *scanner) adv(n int) {
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

func (s *scanner) next() (token, bool) {
	src := s.src
	for s.i < len(src) {
		c := src[s.i]
		switch {
		case c == '\n':
			s.bol = true
			s.adv(1)
			continue
		case c == '\\' && s.i+1 < len(src) && (src[s.i+1] == '\n' || src[s.i+1] == '\r'):
			s.adv(2)
			continue
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			s.adv(1)
			continue
		case c == '/' && s.i+1 < len(src) && src[s.i+1] == '/':
			for s.i < len(src) && src[s.i] != '\n' {
				if src[s.i] == '\\' && s.i+1 < len(src) && src[s.i+1] == '\n' {
					s.adv(1)
				}
				s.adv(1)
			}
			continue
		case c == '/' && s.i+1 < len(src) && src[s.i+1] == '*':
			end := strings.Index(src[s.i+2:], "*/")
			if end < 0 {
				s.adv(len(src) - s.i)
			} else {
				s.adv(end + 4)
			}
			continue
		}
		start, sl, scol := s.i, s.line, s.col
		kind := tPunct
		switch {
		case isIdentStart(c):
			kind = tIdent
			for s.i < len(src) && isIdentChar(src[s.i]) {
				s.adv(1)
			}
			// L"..", u8"..": a string with a prefix.
			if s.i < len(src) && (src[s.i] == '"' || src[s.i] == '\'') && isStringPrefix(src[start:s.i]) {
				kind = s.quoted()
			}
		case c >= '0' && c <= '9' || c == '.' && s.i+1 < len(src) && src[s.i+1] >= '0' && src[s.i+1] <= '9':
			kind = tNumber
			for s.i < len(src) {
				d := src[s.i]
				if isIdentChar(d) || d == '.' {
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
			s.adv(punctLen(src[s.i:]))
		}
		t := token{Kind: kind, Text: src[start:s.i], Line: sl, Col: scol, BOL: s.bol}
		s.bol = false
		return t, true
	}
	return token{}, false
}

func punctLen(s string) int {
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

func (s *scanner) quoted() tokKind {
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
		return tString
	}
	return tChar
}

func isIdentStart(c byte) bool { return c == '_' || c|0x20 >= 'a' && c|0x20 <= 'z' || c == '$' }
func isIdentChar(c byte) bool  { return isIdentStart(c) || c >= '0' && c <= '9' }
func isStringPrefix(s string) bool {
	return s == "L" || s == "u" || s == "U" || s == "u8"
}

// joinTokens writes tokens back as text with single spaces where C needs
// them, for messages.
func joinTokens(ts []token) string {
	var b strings.Builder
	for i, t := range ts {
		if i > 0 && needSpace(ts[i-1], t) {
			b.WriteByte(' ')
		}
		b.WriteString(t.Text)
	}
	return b.String()
}

func needSpace(a, b token) bool {
	word := func(t token) bool { return t.Kind != tPunct }
	if word(a) && word(b) {
		return true
	}
	switch b.Text {
	case "(", ")", "[", "]", ",", ";", ".", "->":
		return false
	}
	switch a.Text {
	case "(", "[", ".", "->", "!", "~":
		return false
	case "&", "*":
		return false
	}
	return true
}
