package targets

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestParseJSONValues(t *testing.T) {
	src := "{\n  \"s\": \"a\\\"b\\u00e9\\ud83d\\ude00\",\n  \"n\": -1.5e3,\n  \"t\": true, \"f\": false, \"z\": null,\n  \"a\": [1, {\"k\": []}],\n  \"s\": \"last\"\n}"
	v, err := parseJSON([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(v.members) != 7 {
		t.Fatalf("%d members", len(v.members))
	}
	if m := v.members[0]; m.value.str != "a\"bé😀" || !m.value.escaped || src[m.keyStart:m.keyEnd] != `"s"` {
		t.Errorf("string member: %+v", m)
	}
	if m := v.member("s"); m.value.str != "last" {
		t.Errorf("member returns the last duplicate, got %q", m.value.str)
	}
	if m := v.member("n"); m.value.kind != jsonNumber || m.value.str != "-1.5e3" {
		t.Errorf("number: %+v", m.value)
	}
	if m := v.member("a"); m.value.kind != jsonArray || len(m.value.elems) != 2 || src[m.value.start:m.value.end] != `[1, {"k": []}]` {
		t.Errorf("array: %+v", m.value)
	}
	if v.member("t").value.boolean != true || v.member("f").value.boolean || v.member("z").value.kind != jsonNull {
		t.Error("literals")
	}
}

func TestParseJSONErrors(t *testing.T) {
	tests := []struct {
		src      string
		off      int
		contains string
	}{
		{``, 0, "empty"},
		{"   \n", 4, "empty"},
		{`{"a": 1,}`, 8, "trailing comma"},
		{`[1,]`, 3, "trailing comma"},
		{`{"a" 1}`, 5, "expected ':'"},
		{`{"a": 1 "b": 2}`, 8, "missing comma"},
		{`{"a": tru}`, 9, "expected \"true\""},
		{`{"a": 01}`, 6, "leading zeros"},
		{`{"a": 1.}`, 8, "after '.'"},
		{`{"a": 1e}`, 8, "exponent"},
		{`{"a": -}`, 7, "expected a digit"},
		{`{"a": "\x"}`, 8, `invalid escape '\x'`},
		{`{"a": "\u12"}`, 9, "four hex digits"},
		{`{"a": "\ud800"}`, 13, "lone UTF-16 surrogate"},
		{"{\"a\": \"\xff\"}", 7, "not valid UTF-8"},
		{`{"a": 1} x`, 9, "after the end"},
		{`{"a": 1`, 7, "not closed"},
		{`{'a': 1}`, 1, "double quotes"},
		{`{/* c */}`, 1, "no comments"},
		{`{"a": [1 2]}`, 9, "missing comma"},
		{`{"a"`, 4, "expected ':'"},
		{`"abc`, 0, "not closed"},
		{strings.Repeat("[", maxJSONDepth+1), maxJSONDepth, "nested more than"},
		// Where jsontext words or places the error otherwise: it takes
		// "01" for 0 and a stray 1, and points at the backslash of an escape
		// or at the end of the file.
		{`01`, 0, "leading zeros"},
		{`[-01]`, 2, "leading zeros"},
		{`{"a": 1,,}`, 8, "expected a key"},
		{`"\ud800\u12"`, 9, "lone UTF-16 surrogate"},
		{`"\`, 1, "inside an escape"},
		{`"\u00`, 3, "incomplete"},
		{`[1e-]`, 4, "exponent"},
		{`{"a": [1, "b" "c"]}`, 14, "in the array"},
		{"{\"a\":\n  \"x\ty\"}", 10, "control character U+0009"},
		{`{"a": 1 /* c */}`, 8, "no comments"},
		{`[nul`, 4, `expected "null"`},
		{`{"a":}`, 5, "expected a value"},
	}
	for _, tt := range tests {
		_, err := parseJSON([]byte(tt.src))
		var se *jsonSyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: error %v, want a syntax error", tt.src, err)
			continue
		}
		if se.off != tt.off || !strings.Contains(se.msg, tt.contains) {
			t.Errorf("%q: error at %d %q; want at %d containing %q", tt.src, se.off, se.msg, tt.off, tt.contains)
		}
	}
}

// The reader must accept exactly what encoding/json accepts (both are RFC
// 8259), except invalid UTF-8, which rustc refuses and encoding/json repairs.
func FuzzParseJSONMatchesEncodingJSON(f *testing.F) {
	for _, s := range []string{`{}`, `[]`, `{"a":[1,2,{"b":null}]}`, `"\u00e9"`, `-0.0e-0`, `{"a":1,}`, `01`, "\"\\ud83d\\ude00\""} {
		f.Add([]byte(s))
	}
	for _, n := range Names() {
		f.Add(Data(n))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := parseJSON(data)
		stdOK := json.Valid(data)
		if err == nil && !stdOK {
			t.Fatalf("accepted what encoding/json rejects: %q", data)
		}
		if err != nil && stdOK && !strings.Contains(err.Error(), "UTF-8") && !strings.Contains(err.Error(), "surrogate") && !strings.Contains(err.Error(), "nested") {
			t.Fatalf("rejected valid JSON %q: %v", data, err)
		}
		if err == nil && (v.start < 0 || v.end > len(data) || v.start >= v.end) {
			t.Fatalf("bad span %d..%d", v.start, v.end)
		}
	})
}

func TestParseSpec(t *testing.T) {
	s, err := Parse(mutate(t, x86, `"target-pointer-width": 64`, `"target-pointer-width": "64"`))
	if err != nil || s.PointerWidth != 64 || s.CIntWidth != 32 || len(s.Features) != 10 || s.Features[9] != "+soft-float" {
		t.Errorf("Parse: %+v, %v", s, err)
	}
	tests := []struct{ src, want string }{
		{"{\n  \"os\": \"none\",\n}", "line 3, column 1: trailing comma"},
		{"[]", "a JSON object, not an array"},
		{`{"arch": 1, "llvm-target": "x", "data-layout": "e", "target-pointer-width": 64}`, `line 1, column 10: "arch" must be a string`},
		{`{"arch": "x86_64", "llvm-target": "x", "data-layout": "e", "target-pointer-width": true}`, `"target-pointer-width" must be an integer`},
		{`{"arch": "x86_64", "data-layout": "e", "target-pointer-width": 64}`, `required key "llvm-target" is missing`},
		{`{"arch": "x86_64", "llvm-target": "x", "data-layout": "e", "target-pointer-width": 64, "features": 3}`, `"features" must be a string`},
	}
	for _, tt := range tests {
		if _, err := Parse([]byte(tt.src)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) error %v, want %q", tt.src, err, tt.want)
		}
	}
}
