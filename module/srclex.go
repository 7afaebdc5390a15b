package module

import (
	"strconv"
	"unicode/utf8"
)

// A small lexer for C and Rust source, just enough to find licence
// declarations without being fooled by comments, strings or (in C)
// preprocessor directives. Literals are decoded to bytes, and each byte
// keeps the offset of the source text it came from, so a licence found
// inside a literal maps back to an exact range for quick fixes.

type tokKind int

const (
	tokIdent tokKind = iota
	tokPunct
	tokString // "...", b"...", r#"..."#: bytes in val
	tokChar   // 'x', b'x': bytes in val
)

type token struct {
	kind tokKind
	text string // ident or punct text
	val  []byte // decoded literal bytes
	offs []int  // source offset of each byte of val
	pos  int    // offset of the token's first byte
	end  int    // offset after the token
}

type lexer struct {
	src  string
	rust bool
	i    int
	bol  bool // only blanks since the start of the line (C directives)
}

func lexSource(src string, rust bool) []token {
	lx := &lexer{src: src, rust: rust, bol: true}
	var toks []token
	for {
		t, ok := lx.next()
		if !ok {
			return toks
		}
		toks = append(toks, t)
	}
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isIdentByte(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }

func (lx *lexer) next() (token, bool) {
	s := lx.src
	for lx.i < len(s) {
		c := s[lx.i]
		switch {
		case c == '\n':
			lx.i++
			lx.bol = true
			continue
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			lx.i++
			continue
		case c == '/' && lx.i+1 < len(s) && s[lx.i+1] == '/':
			for lx.i < len(s) && s[lx.i] != '\n' {
				lx.i++
			}
			continue
		case c == '/' && lx.i+1 < len(s) && s[lx.i+1] == '*':
			lx.blockComment()
			continue
		case c == '#' && lx.bol && !lx.rust:
			lx.directive()
			continue
		}
		lx.bol = false
		start := lx.i
		switch {
		case lx.rust && (c == 'b' || c == 'r'):
			if t, ok := lx.rustPrefixed(); ok {
				return t, true
			}
		case c == '"':
			return lx.quoted('"', start, start+1), true
		case c == '\'':
			if lx.rust && lx.isLifetime() {
				lx.i++
				for lx.i < len(s) && isIdentByte(s[lx.i]) {
					lx.i++
				}
				return token{kind: tokPunct, text: s[start:lx.i], pos: start, end: lx.i}, true
			}
			t := lx.quoted('\'', start, start+1)
			t.kind = tokChar
			return t, true
		}
		if isIdentStart(c) {
			for lx.i < len(s) && isIdentByte(s[lx.i]) {
				lx.i++
			}
			return token{kind: tokIdent, text: s[start:lx.i], pos: start, end: lx.i}, true
		}
		lx.i++
		return token{kind: tokPunct, text: s[start:lx.i], pos: start, end: lx.i}, true
	}
	return token{}, false
}

// blockComment skips /* ... */; Rust's nest, C's do not.
func (lx *lexer) blockComment() {
	s := lx.src
	depth := 0
	for lx.i < len(s) {
		switch {
		case lx.i+1 < len(s) && s[lx.i] == '/' && s[lx.i+1] == '*':
			depth++
			lx.i += 2
			if !lx.rust && depth > 1 {
				depth = 1
			}
		case lx.i+1 < len(s) && s[lx.i] == '*' && s[lx.i+1] == '/':
			depth--
			lx.i += 2
			if depth == 0 {
				return
			}
		default:
			if s[lx.i] == '\n' {
				lx.bol = true
			}
			lx.i++
		}
	}
}

// directive skips a C preprocessor line with its continuations: a
// MODULE_LICENSE inside a #define is not the module's licence.
func (lx *lexer) directive() {
	s := lx.src
	for lx.i < len(s) && s[lx.i] != '\n' {
		if s[lx.i] == '\\' && lx.i+1 < len(s) && s[lx.i+1] == '\n' {
			lx.i += 2
			continue
		}
		if lx.i+1 < len(s) && s[lx.i] == '/' && s[lx.i+1] == '*' {
			lx.blockComment()
			continue
		}
		lx.i++
	}
}

// isLifetime tells 'a (a Rust lifetime or label) from 'a' (a char).
func (lx *lexer) isLifetime() bool {
	s := lx.src
	j := lx.i + 1
	if j >= len(s) || s[j] == '\\' || !isIdentStart(s[j]) {
		return false
	}
	_, size := utf8.DecodeRuneInString(s[j:])
	return j+size >= len(s) || s[j+size] != '\''
}

// rustPrefixed lexes b"..", b'.', r".." , r#".."#, br#".."#; it reports
// false when the b or r starts an identifier instead.
func (lx *lexer) rustPrefixed() (token, bool) {
	s, start := lx.src, lx.i
	j := lx.i
	if s[j] == 'b' {
		j++
	}
	raw := j < len(s) && s[j] == 'r'
	if raw {
		j++
	}
	if raw {
		hashes := 0
		for j < len(s) && s[j] == '#' {
			hashes++
			j++
		}
		if j >= len(s) || s[j] != '"' {
			return token{}, false
		}
		bodyStart := j + 1
		closing := "\"" + repeatHash(hashes)
		for k := bodyStart; k+len(closing) <= len(s); k++ {
			if s[k:k+len(closing)] == closing {
				t := token{kind: tokString, pos: start, end: k + len(closing)}
				for o := bodyStart; o < k; o++ {
					t.val = append(t.val, s[o])
					t.offs = append(t.offs, o)
				}
				lx.i = t.end
				return t, true
			}
		}
		lx.i = len(s) // unterminated: the rest is the literal
		return token{kind: tokString, pos: start, end: len(s)}, true
	}
	if j == start+1 && j < len(s) && (s[j] == '"' || s[j] == '\'') {
		t := lx.quoted(s[j], start, j+1)
		if s[j] == '\'' {
			t.kind = tokChar
		}
		return t, true
	}
	return token{}, false
}

func repeatHash(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = '#'
	}
	return string(b)
}

// quoted decodes a literal whose body starts at body and ends at the next
// unescaped q.
func (lx *lexer) quoted(q byte, start, body int) token {
	s := lx.src
	t := token{kind: tokString, pos: start}
	k := body
	for k < len(s) && s[k] != q {
		if s[k] == '\n' && !lx.rust {
			break // C literals end at the line's end even when unterminated
		}
		if s[k] != '\\' || k+1 >= len(s) {
			t.val = append(t.val, s[k])
			t.offs = append(t.offs, k)
			k++
			continue
		}
		esc := k
		k++
		var b []byte
		switch e := s[k]; e {
		case 'n':
			b, k = []byte{'\n'}, k+1
		case 't':
			b, k = []byte{'\t'}, k+1
		case 'r':
			b, k = []byte{'\r'}, k+1
		case '\n': // Rust: a backslash-newline drops the newline and leading blanks
			k++
			for k < len(s) && (s[k] == ' ' || s[k] == '\t' || s[k] == '\n' || s[k] == '\r') {
				k++
			}
		case 'x':
			n := k + 1
			for n < len(s) && n < k+3 && isHex(s[n]) {
				n++
			}
			v, _ := strconv.ParseUint(s[k+1:n], 16, 8)
			b, k = []byte{byte(v)}, n
		case 'u':
			if lx.rust && k+1 < len(s) && s[k+1] == '{' {
				n := k + 2
				for n < len(s) && s[n] != '}' && s[n] != q {
					n++
				}
				v, _ := strconv.ParseUint(s[k+2:min(n, len(s))], 16, 32)
				b = utf8.AppendRune(nil, rune(v))
				k = min(n+1, len(s))
				break
			}
			b, k = []byte{'u'}, k+1
		default:
			if e >= '0' && e <= '7' {
				n := k
				for n < len(s) && n < k+3 && s[n] >= '0' && s[n] <= '7' {
					n++
				}
				v, _ := strconv.ParseUint(s[k:n], 8, 16)
				b, k = []byte{byte(v)}, n
				break
			}
			b, k = []byte{e}, k+1
		}
		for _, c := range b {
			t.val = append(t.val, c)
			t.offs = append(t.offs, esc)
		}
	}
	if k < len(s) && s[k] == q {
		k++
	}
	t.end = k
	lx.i = k
	return t
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}
