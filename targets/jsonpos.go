package targets

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// The validator must point at the exact key or value that is wrong, and
// encoding/json throws positions away once it has decoded a value.
// jsontext's decoder reads strictly (RFC 8259, as serde_json reads target
// specs: no comments, no trailing commas, valid UTF-8) and says where each
// token ends; this file keeps those offsets in a small tree, and words the
// decoder's syntax errors for a person editing a target spec.

type jsonKind int

const (
	jsonObject jsonKind = iota + 1
	jsonArray
	jsonString
	jsonNumber
	jsonBool
	jsonNull
)

var jsonKindNames = [...]string{"nothing", "an object", "an array", "a string", "a number", "a boolean", "null"}

func (k jsonKind) String() string {
	if k < 0 || int(k) >= len(jsonKindNames) {
		return "nothing"
	}
	return jsonKindNames[k]
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

func errorf(off int, format string, args ...any) error {
	return &jsonSyntaxError{off, fmt.Sprintf(format, args...)}
}

// maxJSONDepth bounds nesting; target specs are two or three levels deep and
// a hostile file must not make a tree that deep.
const maxJSONDepth = 256

// expect is what the reader wanted when the decoder failed, which is what
// the error message says was missing.
type expect int

const (
	expectValue   expect = iota // a value: at the top, after ':', first in an array
	expectKey                   // the first key of an object
	expectMember                // ',' or '}' after a member's value
	expectElement               // ',' or ']' after an array element
)

type jsonReader struct {
	data []byte
	dec  *jsontext.Decoder
	last *jsonValue // the last scalar read: a "0" before a digit is a leading zero
}

// parseJSON reads exactly one JSON value surrounded by optional whitespace.
func parseJSON(data []byte) (*jsonValue, error) {
	// Checked first, over the whole file, so that the error is the same
	// wherever the bad byte is (jsontext would say it only on reaching it).
	if !utf8.Valid(data) {
		off := 0
		for off < len(data) {
			r, n := utf8.DecodeRune(data[off:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			off += n
		}
		return nil, errorf(off, "the file is not valid UTF-8 (rustc reads target specs as UTF-8 text)")
	}
	r := &jsonReader{data: data, dec: jsontext.NewDecoder(bytes.NewReader(data), jsontext.AllowDuplicateNames(true))}
	if r.skipSpace(0) == len(data) {
		return nil, errorf(len(data), "the file is empty: expected a JSON object")
	}
	v, err := r.value(expectValue, nil, "")
	if err != nil {
		return nil, err
	}
	// The decoder would read a stream of values; a spec is one.
	if at := r.skipSpace(int(r.dec.InputOffset())); at < len(data) {
		if r.leadingZero(at) {
			return nil, errorf(at-1, errLeadingZero)
		}
		return nil, errorf(at, "unexpected %s after the end of the JSON value", r.describe(at))
	}
	return v, nil
}

const errLeadingZero = "invalid number: leading zeros are not allowed in JSON"

// leadingZero tells whether the digit at off follows a number that is a
// lone 0: the decoder took "01" for the number 0 and then a stray 1.
func (r *jsonReader) leadingZero(off int) bool {
	c := r.data[off]
	return c >= '0' && c <= '9' && r.last != nil && r.last.kind == jsonNumber && r.last.end == off && (r.last.str == "0" || r.last.str == "-0")
}

// value reads the next value; what, obj and key say where it stands, for
// the error if it cannot be read.
func (r *jsonReader) value(what expect, obj *jsonValue, key string) (*jsonValue, error) {
	kind := r.dec.PeekKind()
	if kind != '{' && kind != '[' {
		raw, err := r.dec.ReadValue()
		if err != nil {
			return nil, r.explain(err, what, obj, key)
		}
		end := int(r.dec.InputOffset())
		v := &jsonValue{start: end - len(raw), end: end}
		switch kind {
		case '"':
			v.kind, v.escaped = jsonString, bytes.IndexByte(raw, '\\') >= 0
			s, _ := jsontext.AppendUnquote(nil, raw) // the decoder checked it
			v.str = string(s)
		case '0':
			v.kind, v.str = jsonNumber, string(raw)
		case 't', 'f':
			v.kind, v.boolean = jsonBool, kind == 't'
		case 'n':
			v.kind = jsonNull
		}
		r.last = v
		return v, nil
	}
	if _, err := r.dec.ReadToken(); err != nil {
		return nil, r.explain(err, what, obj, key)
	}
	v := &jsonValue{start: int(r.dec.InputOffset()) - 1}
	if r.dec.StackDepth() > maxJSONDepth {
		return nil, errorf(v.start, "values nested more than %d deep", maxJSONDepth)
	}
	if kind == '{' {
		v.kind = jsonObject
		for what := expectKey; ; what = expectMember {
			k := r.dec.PeekKind()
			if k == '}' {
				break
			}
			if k == 0 {
				return nil, r.explain(r.readError(), what, v, key)
			}
			name, err := r.dec.ReadValue()
			if err != nil {
				return nil, r.explain(err, what, v, key)
			}
			end := int(r.dec.InputOffset())
			dec, _ := jsontext.AppendUnquote(nil, name)
			key = string(dec)
			val, err := r.value(expectValue, v, key)
			if err != nil {
				return nil, err
			}
			v.members = append(v.members, jsonMember{key: key, keyStart: end - len(name), keyEnd: end, value: val})
		}
	} else {
		v.kind = jsonArray
		for what := expectValue; ; what = expectElement {
			k := r.dec.PeekKind()
			if k == ']' {
				break
			}
			if k == 0 {
				return nil, r.explain(r.readError(), what, v, "")
			}
			e, err := r.value(what, v, "")
			if err != nil {
				return nil, err
			}
			v.elems = append(v.elems, e)
		}
	}
	if _, err := r.dec.ReadToken(); err != nil { // the closer PeekKind saw
		return nil, err
	}
	v.end = int(r.dec.InputOffset())
	return v, nil
}

// readError is the error a failed PeekKind holds back for the next read.
func (r *jsonReader) readError() error {
	_, err := r.dec.ReadToken()
	return err
}

// explain turns the decoder's error into one that says what was expected,
// at the byte a person has to change. The decoder stopped after its last
// good token: from there the reader walks over what must come next (a
// separator, then the token) to the first byte that does not fit.
func (r *jsonReader) explain(err error, what expect, in *jsonValue, key string) error {
	var se *jsontext.SyntacticError
	if !errors.As(err, &se) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return errorf(int(r.dec.InputOffset()), "%v", err)
	}
	bad := len(r.data) // where the decoder saw the problem
	if se != nil && !errors.Is(se.Err, io.ErrUnexpectedEOF) {
		bad = int(se.ByteOffset)
	}
	at := r.skipSpace(int(r.dec.InputOffset()))
	if what == expectValue && in != nil && in.kind == jsonObject && at < len(r.data) && r.data[at] == ':' {
		at = r.skipSpace(at + 1)
	} else if what == expectValue && in != nil && in.kind == jsonObject {
		return errorf(at, "unexpected %s: expected ':' after key %q", r.describe(at), key)
	}
	switch what {
	case expectMember, expectElement:
		closer, where := byte('}'), fmt.Sprintf("after the value of %q (a missing comma?)", key)
		if what == expectElement {
			closer, where = ']', "in the array (a missing comma?)"
		}
		switch {
		case at == len(r.data) && what == expectMember:
			return errorf(at, "unexpected end of file: expected ',' or '}' (the object opened at byte %d is not closed)", in.start+1)
		case at == len(r.data):
			return errorf(at, "unexpected end of file: expected ',' or ']'")
		case r.leadingZero(at):
			return errorf(at-1, errLeadingZero)
		case r.data[at] != ',':
			return errorf(at, "unexpected %s: expected ',' or '%c' %s", r.describe(at), closer, where)
		}
		at = r.skipSpace(at + 1)
		if at < len(r.data) && r.data[at] == closer {
			return errorf(at, "trailing comma before '%c' (JSON does not allow one)", closer)
		}
		if what == expectMember {
			what = expectKey
		} else {
			what = expectValue
		}
	}
	if at == len(r.data) && what == expectValue {
		return errorf(at, "unexpected end of file: expected a value")
	}
	c := r.data[min(at, len(r.data)-1)]
	switch {
	case at < len(r.data) && c == '"':
		return r.badString(at)
	case what == expectKey:
		return errorf(at, "unexpected %s: expected a key in double quotes", r.describe(at))
	case c == '-' || (c >= '0' && c <= '9'):
		switch prev := r.data[max(bad-1, at)]; {
		case bad <= at:
		case prev == '.':
			return errorf(bad, "invalid number: expected a digit after '.'")
		case prev == 'e' || prev == 'E' || ((prev == '+' || prev == '-') && bad-1 > at):
			return errorf(bad, "invalid number: expected a digit in the exponent")
		}
		return errorf(bad, "invalid number: expected a digit")
	case c == 't' || c == 'f' || c == 'n':
		word := map[byte]string{'t': "true", 'f': "false", 'n': "null"}[c]
		return errorf(bad, "invalid literal: expected %q", word)
	}
	return errorf(at, "unexpected %s: expected a value", r.describe(at))
}

// badString explains the string starting at start that the decoder
// refused: a control character, a bad escape, or no closing quote. It reads
// the string again, since the decoder says where the string went wrong but
// not always at the byte to fix (the start of an escape, the end of file).
func (r *jsonReader) badString(start int) error {
	d := r.data
	hex4 := func(at int) (rune, bool) {
		if at+4 > len(d) {
			return 0, false
		}
		n, err := strconv.ParseUint(string(d[at:at+4]), 16, 32)
		return rune(n), err == nil
	}
	for i := start + 1; i < len(d); {
		switch c := d[i]; {
		case c == '"':
			return errorf(i, "invalid string")
		case c < 0x20:
			return errorf(i, "%s inside a string (a string cannot span lines; write \\n)", r.describe(i))
		case c != '\\':
			i++
			continue
		}
		switch {
		case i+1 >= len(d):
			return errorf(i, "string is not closed: the file ends inside an escape")
		case strings.IndexByte(`"\\/bfnrt`, d[i+1]) >= 0:
			i += 2
			continue
		case d[i+1] != 'u':
			return errorf(i+1, "invalid escape '\\%c' in string", d[i+1])
		case i+6 > len(d):
			return errorf(i+2, "incomplete \\u escape: expected four hex digits")
		}
		r1, ok := hex4(i + 2)
		if !ok {
			return errorf(i+2, "invalid \\u escape %q: expected four hex digits", d[i+2:i+6])
		}
		i += 6
		if !utf16.IsSurrogate(r1) {
			continue
		}
		if i+1 < len(d) && d[i] == '\\' && d[i+1] == 'u' {
			r2, ok := hex4(i + 2)
			if ok && utf16.DecodeRune(r1, r2) != utf8.RuneError {
				i += 6
				continue
			}
			if !ok { // the would-be low half is what is broken
				i += 2
			}
		}
		return errorf(i, "lone UTF-16 surrogate \\u%04X in string", r1)
	}
	return errorf(start, "string is not closed: expected '\"' before the end of the file")
}

// describe names the byte at off the way a person would read it.
func (r *jsonReader) describe(off int) string {
	if off >= len(r.data) {
		return "end of file"
	}
	c, _ := utf8.DecodeRune(r.data[off:])
	switch {
	case c == '\'':
		return "' (JSON strings use double quotes)"
	case c == '/':
		return "'/' (JSON has no comments)"
	case c < 0x20:
		return fmt.Sprintf("control character %U", c)
	}
	return strconv.QuoteRune(c)
}

func (r *jsonReader) skipSpace(off int) int {
	for off < len(r.data) {
		switch r.data[off] {
		case ' ', '\t', '\n', '\r':
			off++
		default:
			return off
		}
	}
	return off
}
