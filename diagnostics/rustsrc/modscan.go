package rustsrc

import (
	"unicode/utf8"
)

// mayDeclareModFile reports whether src can hold an out-of-line module
// declaration (`mod name;`, the only kind walkCrate follows or turns off),
// so that a file without one is not parsed just to find none: the
// generated bindings (about 1 MB, a third of a second to parse) are a
// crate file of every module. It skips comments, strings and character
// literals, and answers true whenever it is unsure, which costs only the
// parse it would have saved.
func mayDeclareModFile(src []byte) bool {
	n := len(src)
	for i := 0; i < n; {
		c := src[i]
		switch {
		case c == '/' && i+1 < n && src[i+1] == '/':
			i = skipLine(src, i)
		case c == '/' && i+1 < n && src[i+1] == '*':
			var ok bool
			if i, ok = skipBlockComment(src, i); !ok {
				return true
			}
		case c == '"':
			var ok bool
			if i, ok = skipString(src, i+1); !ok {
				return true
			}
		case c == '\'':
			i = skipQuote(src, i)
		case isIdentStart(c):
			j := i
			for j < n && isIdentByte(src[j]) {
				j++
			}
			word := src[i:j]
			switch {
			case (string(word) == "r" || string(word) == "br" || string(word) == "b" || string(word) == "cr" || string(word) == "c") &&
				j < n && (src[j] == '"' || src[j] == '#'):
				// A raw or byte string: r"..", r#".."#, b"..", br#".."#.
				k, ok := skipPrefixedString(src, j)
				if !ok {
					return true
				}
				if k == j { // r#ident: a raw identifier
					j = skipRawIdent(src, j)
				} else {
					j = k
				}
			case string(word) == "mod" && (i == 0 || src[i-1] != '#'):
				if modDeclAt(src, j) {
					return true
				}
			}
			i = j
		case c >= utf8.RuneSelf:
			// Non-ASCII identifiers (rare) start with a letter rustc
			// accepts; treat the whole run as a word that is not `mod`.
			_, size := utf8.DecodeRune(src[i:])
			i += size
		default:
			i++
		}
	}
	return false
}

// modDeclAt reports whether `mod` ending at i is followed by a name and a
// semicolon (comments allowed between); anything odd counts as yes.
func modDeclAt(src []byte, i int) bool {
	i, ok := skipSpace(src, i)
	if !ok {
		return true
	}
	if i+1 < len(src) && src[i] == 'r' && src[i+1] == '#' {
		i += 2
	}
	if i >= len(src) || !isIdentStart(src[i]) {
		// `mod` as a path segment (a::mod is not Rust, but broken code
		// is) or followed by something unexpected: only a name would
		// make it a declaration.
		return i >= len(src) || src[i] >= utf8.RuneSelf
	}
	for i < len(src) && isIdentByte(src[i]) {
		i++
	}
	if i < len(src) && src[i] >= utf8.RuneSelf {
		return true
	}
	i, ok = skipSpace(src, i)
	return !ok || i >= len(src) || src[i] == ';'
}

// skipSpace skips white space and comments; false means an unterminated
// comment.
func skipSpace(src []byte, i int) (int, bool) {
	for i < len(src) {
		switch c := src[i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '/' && i+1 < len(src) && src[i+1] == '/':
			i = skipLine(src, i)
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			var ok bool
			if i, ok = skipBlockComment(src, i); !ok {
				return i, false
			}
		default:
			return i, true
		}
	}
	return i, true
}

func skipLine(src []byte, i int) int {
	for i < len(src) && src[i] != '\n' {
		i++
	}
	return i
}

// skipBlockComment skips /* ... */ at i, nested as Rust nests them.
func skipBlockComment(src []byte, i int) (int, bool) {
	depth := 0
	for i < len(src) {
		switch {
		case src[i] == '/' && i+1 < len(src) && src[i+1] == '*':
			depth++
			i += 2
		case src[i] == '*' && i+1 < len(src) && src[i+1] == '/':
			depth--
			i += 2
			if depth == 0 {
				return i, true
			}
		default:
			i++
		}
	}
	return i, false
}

// skipString skips the rest of a "..." string whose body starts at i.
func skipString(src []byte, i int) (int, bool) {
	for i < len(src) {
		switch src[i] {
		case '\\':
			i += 2
		case '"':
			return i + 1, true
		default:
			i++
		}
	}
	return i, false
}

// skipPrefixedString skips a string after its r/b/br/c/cr prefix, at i
// (a quote or a #). It returns i itself when the #s lead to no quote
// (r#ident).
func skipPrefixedString(src []byte, i int) (int, bool) {
	raw := src[i-1] == 'r'
	hashes := 0
	j := i
	for j < len(src) && src[j] == '#' {
		hashes++
		j++
	}
	if j >= len(src) || src[j] != '"' {
		return i, true
	}
	if hashes > 0 && !raw {
		return i, true // b#".." is not a literal; let the caller go on
	}
	if !raw {
		return skipString(src, j+1)
	}
	for k := j + 1; k < len(src); k++ {
		if src[k] != '"' {
			continue
		}
		m := 0
		for m < hashes && k+1+m < len(src) && src[k+1+m] == '#' {
			m++
		}
		if m == hashes {
			return k + 1 + m, true
		}
	}
	return len(src), false
}

func skipRawIdent(src []byte, i int) int {
	i++ // the #
	for i < len(src) && isIdentByte(src[i]) {
		i++
	}
	return i
}

// skipQuote skips a character literal ('a', '\n', '\u{1F600}', 'é') or
// just the quote of a lifetime ('a).
func skipQuote(src []byte, i int) int {
	if i+1 >= len(src) {
		return i + 1
	}
	if src[i+1] == '\\' {
		// The escaped character is never the closing quote ('\'').
		for k := i + 3; k < len(src) && k < i+16; k++ {
			if src[k] == '\'' {
				return k + 1
			}
		}
		return i + 1
	}
	_, size := utf8.DecodeRune(src[i+1:])
	if i+1+size < len(src) && src[i+1+size] == '\'' {
		return i + 2 + size
	}
	return i + 1
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdentByte(c byte) bool {
	return isIdentStart(c) || c >= '0' && c <= '9'
}
