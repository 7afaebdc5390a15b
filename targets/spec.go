package targets

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/rustko/rustko-lsp/internal/lines"
)

// Spec holds the fields of a target specification that the build pipeline
// and the validator reason about. Absent keys carry rustc's defaults, so a
// Spec describes what rustc will actually do.
type Spec struct {
	LLVMTarget      string
	Arch            string // "x86_64", "aarch64", "arm", "riscv64"
	OS              string // rustc's default is "none"
	ABI             string // cfg(target_abi): "softfloat", "eabi", ...
	CPU             string
	Features        []string // in order, each with its sign: "+soft-float", "-sse"
	DataLayout      string
	PointerWidth    int // from either the old string or the new integer form
	CIntWidth       int
	CodeModel       string // "" means LLVM's default (small)
	RelocationModel string // rustc's default is "pic"
	DisableRedzone  bool
	PanicStrategy   string // rustc's default is "unwind"
	RustcABI        string // "softfloat", "x86-softfloat", ""
	LLVMABIName     string // riscv: "lp64"
	LLVMFloatABI    string // arm: "soft"
	FramePointer    string
	MaxAtomicWidth  int
}

// Parse reads a target specification. Errors name the line and column of
// the offending text; ValidateFor reports every problem instead of the first.
func Parse(data []byte) (*Spec, error) {
	root, err := parseJSON(data)
	if err != nil {
		var se *jsonSyntaxError
		if errors.As(err, &se) {
			line, col := lines.New(data).Position(se.off)
			return nil, fmt.Errorf("line %d, column %d: %s", line, col, se.msg)
		}
		return nil, err
	}
	if root.kind != jsonObject {
		return nil, fmt.Errorf("line 1: a target specification is a JSON object, not %s", root.kind)
	}
	s := &Spec{OS: "none", RelocationModel: "pic", PanicStrategy: "unwind", CIntWidth: 32}
	li := lines.New(data)
	var problems []string
	bad := func(m *jsonMember, want string) {
		line, col := li.Position(m.value.start)
		problems = append(problems, fmt.Sprintf("line %d, column %d: %q must be %s, not %s", line, col, m.key, want, m.value.kind))
	}
	str := func(key string, dst *string) {
		if m := root.member(key); m != nil {
			if m.value.kind != jsonString {
				bad(m, "a string")
				return
			}
			*dst = m.value.str
		}
	}
	width := func(key string, dst *int) {
		m := root.member(key)
		if m == nil {
			return
		}
		n, ok := widthValue(m.value)
		if !ok {
			bad(m, `an integer such as 64 (or, for rustc before 1.91, a string such as "64")`)
			return
		}
		*dst = n
	}
	str("llvm-target", &s.LLVMTarget)
	str("arch", &s.Arch)
	str("os", &s.OS)
	str("abi", &s.ABI)
	str("cpu", &s.CPU)
	str("data-layout", &s.DataLayout)
	str("code-model", &s.CodeModel)
	str("relocation-model", &s.RelocationModel)
	str("panic-strategy", &s.PanicStrategy)
	str("rustc-abi", &s.RustcABI)
	str("llvm-abiname", &s.LLVMABIName)
	str("llvm-floatabi", &s.LLVMFloatABI)
	str("frame-pointer", &s.FramePointer)
	width("target-pointer-width", &s.PointerWidth)
	width("target-c-int-width", &s.CIntWidth)
	width("max-atomic-width", &s.MaxAtomicWidth)
	if m := root.member("features"); m != nil {
		if m.value.kind != jsonString {
			bad(m, "a string of comma-separated features")
		} else {
			for _, f := range splitFeatures(m.value.str) {
				s.Features = append(s.Features, f.text)
			}
		}
	}
	if m := root.member("disable-redzone"); m != nil {
		if m.value.kind != jsonBool {
			bad(m, "true or false")
		} else {
			s.DisableRedzone = m.value.boolean
		}
	}
	for _, key := range requiredKeys {
		if root.member(key) == nil {
			problems = append(problems, fmt.Sprintf("required key %q is missing", key))
		}
	}
	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "; "))
	}
	return s, nil
}

// requiredKeys are the keys without which rustc refuses to load a spec.
var requiredKeys = []string{"llvm-target", "target-pointer-width", "data-layout", "arch"}

// widthValue accepts both spellings rustc has used for widths.
func widthValue(v *jsonValue) (int, bool) {
	if v.kind != jsonString && v.kind != jsonNumber {
		return 0, false
	}
	n, err := strconv.Atoi(v.str)
	return n, err == nil && n > 0
}

// feature is one entry of the comma-separated "features" string, with its
// byte offset inside the decoded string.
type feature struct {
	text string // "+sse"
	off  int
}

func (f feature) name() string {
	if len(f.text) > 0 && (f.text[0] == '+' || f.text[0] == '-') {
		return f.text[1:]
	}
	return f.text
}

func (f feature) enabled() bool { return strings.HasPrefix(f.text, "+") }

func splitFeatures(s string) []feature {
	var out []feature
	off := 0
	for _, part := range strings.Split(s, ",") {
		trimmed := strings.TrimSpace(part)
		if trimmed != "" {
			out = append(out, feature{text: trimmed, off: off + strings.Index(part, trimmed)})
		}
		off += len(part) + 1
	}
	return out
}
