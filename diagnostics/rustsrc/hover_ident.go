package rustsrc

import "strings"

// ident is the Rust identifier under the cursor, read from the text with
// just enough syntax around it to map it to a kernel item by spelling when
// the resolver has no answer (fields, text not analysed yet).
type ident struct {
	name       string
	start, end int      // byte offsets in the source
	path       []string // qualifiers before it: bindings::file_operations → [bindings]
	field      bool     // a field: after '.' or before a single ':' in a struct literal
	record     string   // for a struct-literal field: the literal's type name
}

var rustKeywords = map[string]bool{
	"as": true, "break": true, "const": true, "continue": true, "crate": true, "else": true, "enum": true,
	"extern": true, "false": true, "fn": true, "for": true, "if": true, "impl": true, "in": true, "let": true,
	"loop": true, "match": true, "mod": true, "move": true, "mut": true, "pub": true, "ref": true, "return": true,
	"self": true, "Self": true, "static": true, "struct": true, "super": true, "trait": true, "true": true,
	"type": true, "unsafe": true, "use": true, "where": true, "while": true, "dyn": true, "union": true,
}

// identAt finds the identifier at byte offset off (or just before it, where
// a cursor after the last letter lands). Comments and strings are not
// excluded: a hover there is rare and harmless.
func identAt(src string, off int) (ident, bool) {
	if off > len(src) {
		off = len(src)
	}
	if off < 0 {
		return ident{}, false
	}
	if off == len(src) || !isIdentByte(src[off]) {
		if off == 0 || !isIdentByte(src[off-1]) {
			return ident{}, false
		}
		off--
	}
	start, end := identStart(src, off), off
	for end < len(src) && isIdentByte(src[end]) {
		end++
	}
	name := src[start:end]
	if name[0] >= '0' && name[0] <= '9' || rustKeywords[name] {
		return ident{}, false
	}
	id := ident{name: name, start: start, end: end}

	// Qualifiers: a::b::name.
	i := spaceBefore(src, start)
	for i >= 2 && src[i-1] == ':' && src[i-2] == ':' {
		j := spaceBefore(src, i-2)
		k := identStart(src, j)
		if k == j {
			break
		}
		id.path = append([]string{src[k:j]}, id.path...)
		i = spaceBefore(src, k)
	}
	if len(id.path) == 0 && i > 0 && src[i-1] == '.' && (i < 2 || src[i-2] != '.') {
		id.field = true
		return id, true
	}
	// A struct-literal field: `name:` (not `name::`) inside `Type { ... }`.
	j := spaceAfter(src, end)
	if len(id.path) == 0 && j < len(src) && src[j] == ':' && (j+1 >= len(src) || src[j+1] != ':') {
		if rec, ok := literalType(src, start); ok {
			id.field = true
			id.record = rec
		}
	}
	return id, true
}

// literalType finds the type name of the struct literal enclosing off: the
// identifier before the unmatched '{' to the left.
func literalType(src string, off int) (string, bool) {
	depth := 0
	for i := off - 1; i >= 0; i-- {
		switch src[i] {
		case '}', ')', ']':
			depth++
		case '(', '[':
			if depth == 0 {
				return "", false
			}
			depth--
		case '{':
			if depth > 0 {
				depth--
				continue
			}
			j := spaceBefore(src, i)
			name := src[identStart(src, j):j]
			if name == "" || rustKeywords[name] {
				return "", false
			}
			return name, true
		case ';':
			if depth == 0 {
				return "", false
			}
		}
	}
	return "", false
}

func spaceAfter(s string, i int) int {
	for i < len(s) && strings.IndexByte(" \t\r\n", s[i]) >= 0 {
		i++
	}
	return i
}

// identStart is where the identifier that ends at i starts (i when none
// does).
func identStart(s string, i int) int {
	for i > 0 && isIdentByte(s[i-1]) {
		i--
	}
	return i
}

// spaceBefore returns the offset just after the last non-space byte
// before i.
func spaceBefore(s string, i int) int {
	for i > 0 && strings.IndexByte(" \t\r\n", s[i-1]) >= 0 {
		i--
	}
	return i
}
