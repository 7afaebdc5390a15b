package rustsrc

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The licence reader's Rust lexer (C goes through bindings/clex), just
// enough to find .modinfo statics without being fooled by comments or
// strings. Literals are decoded to bytes, and each byte keeps the offset
// of the source text it came from, so a licence found inside a literal
// maps back to an exact range for quick fixes.

type lexKind uint8

const (
	lexWord   lexKind = iota // an identifier, a lifetime or one byte of punctuation: text
	lexString                // "..", b"..", r#".."#: bytes in val
	lexChar                  // 'x', b'x': bytes in val
)

type lexeme struct {
	kind lexKind
	text string
	val  []byte // decoded literal bytes
	offs []int  // source offset of each byte of val
	end  int    // offset after the token
}

// rustTokens splits Rust src into lexemes, skipping white space and
// comments (nested, as Rust nests them).
func rustTokens(src []byte) []lexeme {
	var out []lexeme
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' || c == '\n':
			i++
			continue
		case c == '/' && i+1 < len(src) && src[i+1] == '/':
			i = skipLine(src, i)
			continue
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			i, _ = skipBlockComment(src, i)
			continue
		}
		t, ok := rustPrefixed(src, i)
		switch {
		case ok:
		case c == '"':
			t = unquote(src, '"', i+1, true)
		case c == '\'' && !isLifetime(src, i):
			t = unquote(src, '\'', i+1, true)
			t.kind = lexChar
		default:
			end := i + 1
			if c == '\'' || lexIdentStart(c) {
				for end < len(src) && lexIdentByte(src[end]) {
					end++
				}
			}
			t = lexeme{text: string(src[i:end]), end: end}
		}
		out = append(out, t)
		i = t.end
	}
	return out
}

// lexIdentStart and lexIdentByte take any non-ASCII byte as part of an
// identifier (rustc takes non-ASCII letters), so a word is never split.
func lexIdentStart(c byte) bool { return isIdentStart(c) || c >= utf8.RuneSelf }

func lexIdentByte(c byte) bool { return isIdentByte(c) || c >= utf8.RuneSelf }

// isLifetime tells 'a (a Rust lifetime or label) at i from 'a' (a char).
func isLifetime(src []byte, i int) bool {
	j := i + 1
	if j >= len(src) || src[j] == '\\' || !lexIdentStart(src[j]) {
		return false
	}
	_, size := utf8.DecodeRune(src[j:])
	return j+size >= len(src) || src[j+size] != '\''
}

// rustPrefixed lexes b"..", b'.', r"..", r#".."#, br#".."# at i; it
// reports false when there is none (a b or r then starts an identifier).
func rustPrefixed(src []byte, i int) (lexeme, bool) {
	j := i
	if src[j] == 'b' {
		j++
	}
	if j < len(src) && src[j] == 'r' {
		k := j + 1
		for k < len(src) && src[k] == '#' {
			k++
		}
		if k >= len(src) || src[k] != '"' {
			return lexeme{}, false
		}
		body := k + 1
		closing := "\"" + strings.Repeat("#", k-j-1)
		n := bytes.Index(src[body:], []byte(closing))
		if n < 0 {
			return lexeme{kind: lexString, end: len(src)}, true // unterminated: the rest is the literal
		}
		t := lexeme{kind: lexString, val: src[body : body+n], end: body + n + len(closing)}
		for o := range n {
			t.offs = append(t.offs, body+o)
		}
		return t, true
	}
	if j == i+1 && j < len(src) && (src[j] == '"' || src[j] == '\'') {
		t := unquote(src, src[j], j+1, true)
		if src[j] == '\'' {
			t.kind = lexChar
		}
		return t, true
	}
	return lexeme{}, false
}

// unquote decodes a literal whose body starts at body and ends at the
// next unescaped q (in C also at the line's end, even when unterminated).
func unquote(s []byte, q byte, body int, rust bool) lexeme {
	t := lexeme{kind: lexString}
	k := body
	for k < len(s) && s[k] != q {
		if s[k] == '\n' && !rust {
			break
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
			v, _ := strconv.ParseUint(string(s[k+1:n]), 16, 8)
			b, k = []byte{byte(v)}, n
		case 'u':
			if rust && k+1 < len(s) && s[k+1] == '{' {
				n := k + 2
				for n < len(s) && s[n] != '}' && s[n] != q {
					n++
				}
				v, _ := strconv.ParseUint(string(s[k+2:min(n, len(s))]), 16, 32)
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
				v, _ := strconv.ParseUint(string(s[k:n]), 8, 16)
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
	return t
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}
