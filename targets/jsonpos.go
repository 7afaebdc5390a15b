package targets

import (
	"fmt"
	"sort"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// The validator must point at the exact key or value that is wrong, and
// encoding/json throws positions away once it has decoded a value. This is a
// small strict JSON reader (RFC 8259, as serde_json reads target specs: no
// comments, no trailing commas, valid UTF-8) that keeps the byte offsets of
// every key and value.

type jsonKind int

const (
	jsonObject jsonKind = iota + 1
	jsonArray
	jsonString
	jsonNumber
	jsonBool
	jsonNull
)

func (k jsonKind) String() string {
	switch k {
	case jsonObject:
		return "an object"
	case jsonArray:
		return "an array"
	case jsonString:
		return "a string"
	case jsonNumber:
		return "a number"
	case jsonBool:
		return "a boolean"
	case jsonNull:
		return "null"
	}
	return "nothing"
}

// jsonValue is one value with the offsets of its text: data[start:end].
type jsonValue struct {
	kind       jsonKind
	start, end int
	str        string // decoded text of a string; the literal text of a number
	escaped    bool   // the string literal holds escapes, so decoded and raw offsets differ
	boolean    bool
	members    []jsonMember // object members in source order, duplicates kept
	elems      []*jsonValue
}

type jsonMember struct {
	key              string
	keyStart, keyEnd int
	value            *jsonValue
}

// member returns the last member named key (serde keeps the last when it
// tolerates duplicates at all), or nil.
func (v *jsonValue) member(key string) *jsonMember {
	if v == nil || v.kind != jsonObject {
		return nil
	}
	for i := len(v.members) - 1; i >= 0; i-- {
		if v.members[i].key == key {
			return &v.members[i]
		}
	}
	return nil
}

// jsonSyntaxError carries the byte offset of the offending input.
type jsonSyntaxError struct {
	off int
	msg string
}

func (e *jsonSyntaxError) Error() string { return e.msg }

// maxJSONDepth bounds nesting; target specs are two or three levels deep and
// a hostile file must not exhaust the stack.
const maxJSONDepth = 256

type jsonParser struct {
	data  []byte
	pos   int
	depth int
}

// parseJSON reads exactly one JSON value surrounded by optional whitespace.
func parseJSON(data []byte) (*jsonValue, error) {
	if !utf8.Valid(data) {
		off := 0
		for off < len(data) {
			r, n := utf8.DecodeRune(data[off:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			off += n
		}
		return nil, &jsonSyntaxError{off, "the file is not valid UTF-8 (rustc reads target specs as UTF-8 text)"}
	}
	p := &jsonParser{data: data}
	p.skipSpace()
	if p.pos == len(data) {
		return nil, &jsonSyntaxError{p.pos, "the file is empty: expected a JSON object"}
	}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos < len(data) {
		return nil, p.errorf("unexpected %s after the end of the JSON value", p.describe())
	}
	return v, nil
}

func (p *jsonParser) errorf(format string, args ...any) error {
	return &jsonSyntaxError{p.pos, fmt.Sprintf(format, args...)}
}

// describe names the byte at the cursor the way a person would read it.
func (p *jsonParser) describe() string {
	if p.pos >= len(p.data) {
		return "end of file"
	}
	r, _ := utf8.DecodeRune(p.data[p.pos:])
	switch {
	case r == '\'':
		return "' (JSON strings use double quotes)"
	case r == '/':
		return "'/' (JSON has no comments)"
	case r < 0x20:
		return fmt.Sprintf("control character %U", r)
	}
	return strconv.QuoteRune(r)
}

func (p *jsonParser) skipSpace() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *jsonParser) value() (*jsonValue, error) {
	if p.pos >= len(p.data) {
		return nil, p.errorf("unexpected end of file: expected a value")
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		return p.stringValue()
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case c == 't':
		return p.literal("true", &jsonValue{kind: jsonBool, boolean: true})
	case c == 'f':
		return p.literal("false", &jsonValue{kind: jsonBool})
	case c == 'n':
		return p.literal("null", &jsonValue{kind: jsonNull})
	}
	return nil, p.errorf("unexpected %s: expected a value", p.describe())
}

func (p *jsonParser) literal(word string, v *jsonValue) (*jsonValue, error) {
	v.start = p.pos
	for i := 0; i < len(word); i++ {
		if p.pos >= len(p.data) || p.data[p.pos] != word[i] {
			return nil, p.errorf("invalid literal: expected %q", word)
		}
		p.pos++
	}
	v.end = p.pos
	return v, nil
}

func (p *jsonParser) enter() error {
	p.depth++
	if p.depth > maxJSONDepth {
		return p.errorf("values nested more than %d deep", maxJSONDepth)
	}
	return nil
}

func (p *jsonParser) object() (*jsonValue, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	v := &jsonValue{kind: jsonObject, start: p.pos}
	p.pos++ // {
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		v.end = p.pos
		return v, nil
	}
	for {
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			if p.pos < len(p.data) && p.data[p.pos] == '}' && len(v.members) > 0 {
				return nil, p.errorf("trailing comma before '}' (JSON does not allow one)")
			}
			return nil, p.errorf("unexpected %s: expected a key in double quotes", p.describe())
		}
		key, err := p.stringValue()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return nil, p.errorf("unexpected %s: expected ':' after key %q", p.describe(), key.str)
		}
		p.pos++
		p.skipSpace()
		val, err := p.value()
		if err != nil {
			return nil, err
		}
		v.members = append(v.members, jsonMember{key: key.str, keyStart: key.start, keyEnd: key.end, value: val})
		p.skipSpace()
		if p.pos >= len(p.data) {
			return nil, p.errorf("unexpected end of file: expected ',' or '}' (the object opened at byte %d is not closed)", v.start+1)
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			v.end = p.pos
			return v, nil
		default:
			return nil, p.errorf("unexpected %s: expected ',' or '}' after the value of %q (a missing comma?)", p.describe(), key.str)
		}
	}
}

func (p *jsonParser) array() (*jsonValue, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	v := &jsonValue{kind: jsonArray, start: p.pos}
	p.pos++ // [
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		v.end = p.pos
		return v, nil
	}
	for {
		p.skipSpace()
		if p.pos < len(p.data) && p.data[p.pos] == ']' && len(v.elems) > 0 {
			return nil, p.errorf("trailing comma before ']' (JSON does not allow one)")
		}
		e, err := p.value()
		if err != nil {
			return nil, err
		}
		v.elems = append(v.elems, e)
		p.skipSpace()
		if p.pos >= len(p.data) {
			return nil, p.errorf("unexpected end of file: expected ',' or ']'")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			v.end = p.pos
			return v, nil
		default:
			return nil, p.errorf("unexpected %s: expected ',' or ']' in the array (a missing comma?)", p.describe())
		}
	}
}

func (p *jsonParser) stringValue() (*jsonValue, error) {
	v := &jsonValue{kind: jsonString, start: p.pos}
	p.pos++ // opening quote
	var buf []byte
	for {
		if p.pos >= len(p.data) {
			p.pos = v.start
			return nil, p.errorf("string is not closed: expected '\"' before the end of the file")
		}
		c := p.data[p.pos]
		switch {
		case c == '"':
			p.pos++
			v.end = p.pos
			if buf == nil {
				v.str = string(p.data[v.start+1 : v.end-1])
			} else {
				v.str = string(buf)
			}
			return v, nil
		case c < 0x20:
			return nil, p.errorf("%s inside a string (a string cannot span lines; write \\n)", p.describe())
		case c == '\\':
			if buf == nil {
				buf = append([]byte{}, p.data[v.start+1:p.pos]...)
			}
			v.escaped = true
			if err := p.escape(&buf); err != nil {
				return nil, err
			}
		default:
			if buf != nil {
				buf = append(buf, c)
			}
			p.pos++
		}
	}
}

var simpleEscapes = map[byte]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// escape decodes one backslash escape at the cursor into buf.
func (p *jsonParser) escape(buf *[]byte) error {
	if p.pos+1 >= len(p.data) {
		return p.errorf("string is not closed: the file ends inside an escape")
	}
	c := p.data[p.pos+1]
	if r, ok := simpleEscapes[c]; ok {
		*buf = append(*buf, r)
		p.pos += 2
		return nil
	}
	if c != 'u' {
		p.pos++
		return p.errorf("invalid escape '\\%c' in string", c)
	}
	r, err := p.hex4(p.pos + 2)
	if err != nil {
		return err
	}
	p.pos += 6
	if utf16.IsSurrogate(r) {
		r2 := rune(utf8.RuneError)
		if p.pos+1 < len(p.data) && p.data[p.pos] == '\\' && p.data[p.pos+1] == 'u' {
			if lo, err := p.hex4(p.pos + 2); err == nil {
				if d := utf16.DecodeRune(r, lo); d != utf8.RuneError {
					r2 = d
					p.pos += 6
				}
			}
		}
		if r2 == utf8.RuneError {
			return p.errorf("lone UTF-16 surrogate \\u%04X in string", r)
		}
		r = r2
	}
	*buf = utf8.AppendRune(*buf, r)
	return nil
}

func (p *jsonParser) hex4(at int) (rune, error) {
	if at+4 > len(p.data) {
		p.pos = at
		return 0, p.errorf("incomplete \\u escape: expected four hex digits")
	}
	n, err := strconv.ParseUint(string(p.data[at:at+4]), 16, 32)
	if err != nil {
		p.pos = at
		return 0, p.errorf("invalid \\u escape %q: expected four hex digits", p.data[at:at+4])
	}
	return rune(n), nil
}

func (p *jsonParser) number() (*jsonValue, error) {
	v := &jsonValue{kind: jsonNumber, start: p.pos}
	digits := func() int {
		n := 0
		for p.pos < len(p.data) && p.data[p.pos] >= '0' && p.data[p.pos] <= '9' {
			p.pos++
			n++
		}
		return n
	}
	if p.data[p.pos] == '-' {
		p.pos++
	}
	intStart := p.pos
	if digits() == 0 {
		return nil, p.errorf("invalid number: expected a digit")
	}
	if p.data[intStart] == '0' && p.pos-intStart > 1 {
		p.pos = intStart
		return nil, p.errorf("invalid number: leading zeros are not allowed in JSON")
	}
	if p.pos < len(p.data) && p.data[p.pos] == '.' {
		p.pos++
		if digits() == 0 {
			return nil, p.errorf("invalid number: expected a digit after '.'")
		}
	}
	if p.pos < len(p.data) && (p.data[p.pos] == 'e' || p.data[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.data) && (p.data[p.pos] == '+' || p.data[p.pos] == '-') {
			p.pos++
		}
		if digits() == 0 {
			return nil, p.errorf("invalid number: expected a digit in the exponent")
		}
	}
	v.end = p.pos
	v.str = string(p.data[v.start:v.end])
	return v, nil
}

// lineIndex maps byte offsets to 1-based line and 1-based byte column.
type lineIndex []int // offsets at which lines start

func newLineIndex(data []byte) lineIndex {
	idx := lineIndex{0}
	for i, c := range data {
		if c == '\n' {
			idx = append(idx, i+1)
		}
	}
	return idx
}

func (li lineIndex) position(off int) (line, col int) {
	i := sort.Search(len(li), func(i int) bool { return li[i] > off }) - 1
	if i < 0 {
		i = 0
	}
	return i + 1, off - li[i] + 1
}
