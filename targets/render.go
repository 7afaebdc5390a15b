package targets

import (
	"fmt"
	"sort"
)

// Render returns the embedded spec called name in the form the rustc
// described by tc accepts. No single file serves every rustc: 1.63 needs
// "target-pointer-width": "64" where 1.91+ needs 64, each LLVM wants its own
// data-layout, and the soft-float ABI is spelled differently (or must be
// absent) depending on the release. The zero Toolchain gets the canonical
// form, which current rustc accepts.
func Render(name string, tc Toolchain) ([]byte, error) {
	data := Data(name)
	if data == nil {
		return nil, unknownSpec(name)
	}
	root, err := parseJSON(data)
	if err != nil {
		return nil, fmt.Errorf("embedded target spec %s: %w", name, err)
	}
	if !tc.Release.Known() && tc.LLVMMajor == 0 && len(tc.DataLayouts) == 0 {
		return data, nil
	}
	arch := ""
	if m := root.member("arch"); m != nil {
		arch = m.value.str
	}
	var edits []textEdit
	replace := func(key, text string) {
		if m := root.member(key); m != nil && string(data[m.value.start:m.value.end]) != text {
			edits = append(edits, textEdit{m.value.start, m.value.end, text})
		}
	}
	remove := func(key string) {
		for i := range root.members {
			if root.members[i].key == key {
				s, e := memberSpan(root, i)
				edits = append(edits, textEdit{s, e, ""})
			}
		}
	}
	if tc.Release.Known() {
		if !tc.atLeast(sincePointerWidthInt) {
			if m := root.member("target-pointer-width"); m != nil {
				replace("target-pointer-width", `"`+m.value.str+`"`)
			}
		}
		if !tc.atLeast(sinceSerdeSpecs) {
			if m := root.member("target-c-int-width"); m != nil {
				replace("target-c-int-width", `"`+m.value.str+`"`)
			}
		}
		if !tc.atLeast(sinceLLVMFloatABI) {
			remove("llvm-floatabi")
		}
		if root.member("rustc-abi") != nil {
			switch {
			case arch == "x86_64" && !tc.atLeast(sinceRustcABI):
				remove("rustc-abi")
			case arch == "x86_64" && !tc.atLeast(sinceSoftfloatX86):
				replace("rustc-abi", `"x86-softfloat"`)
			case arch == "aarch64" && !tc.atLeast(sinceRustcABIAarch64):
				remove("rustc-abi")
			}
		}
	}
	if layout, ok := tc.DataLayout(arch); ok {
		replace("data-layout", quoteJSON(layout))
	}
	out, err := applyEdits(data, edits)
	if err != nil {
		return nil, fmt.Errorf("rendering target spec %s for %s: %w", name, tc.name(), err)
	}
	return out, nil
}

// textEdit replaces data[start:end] with text.
type textEdit struct {
	start, end int
	text       string
}

// applyEdits applies non-overlapping edits to a copy of data.
func applyEdits(data []byte, edits []textEdit) ([]byte, error) {
	sorted := append([]textEdit(nil), edits...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].start < sorted[j].start })
	out := make([]byte, 0, len(data))
	at := 0
	for _, e := range sorted {
		if e.start < at || e.end < e.start || e.end > len(data) {
			return nil, fmt.Errorf("overlapping or out-of-range edit at byte %d", e.start)
		}
		out = append(out, data[at:e.start]...)
		out = append(out, e.text...)
		at = e.end
	}
	return append(out, data[at:]...), nil
}

// memberSpan is the text to delete to remove member i of obj and leave valid
// JSON: up to the next key (taking the comma and the line break with it), or,
// for the last member, from the end of the previous value.
func memberSpan(obj *jsonValue, i int) (start, end int) {
	m := obj.members[i]
	switch {
	case i+1 < len(obj.members):
		return m.keyStart, obj.members[i+1].keyStart
	case i > 0:
		return obj.members[i-1].value.end, m.value.end
	}
	return m.keyStart, m.value.end
}

// quoteJSON writes s as a JSON string literal.
func quoteJSON(s string) string {
	b := []byte{'"'}
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r < 0x20:
			b = append(b, fmt.Sprintf(`\u%04x`, r)...)
		default:
			b = append(b, string(r)...)
		}
	}
	return string(append(b, '"'))
}
