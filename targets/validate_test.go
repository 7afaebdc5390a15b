package targets

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/internal/lines"
)

// at is an expected finding: rule, 1-based line and byte column, severity.
type at struct {
	rule      string
	line, col int
	sev       diagnostics.Severity
}

func (a at) String() string { return fmt.Sprintf("%s@%d:%d/%s", a.rule, a.line, a.col, a.sev) }

func e(rule string, line, col int) at { return at{rule, line, col, diagnostics.Error} }
func w(rule string, line, col int) at { return at{rule, line, col, diagnostics.Warning} }

// in is a test input: the embedded spec name with replacements applied.
func in(name string, pairs ...string) func(*testing.T) []byte {
	return func(t *testing.T) []byte { return mutate(t, name, pairs...) }
}

func raw(s string) func(*testing.T) []byte { return func(*testing.T) []byte { return []byte(s) } }

// mutate applies old->new replacements to an embedded spec; each old must
// occur exactly once so a drifting spec breaks the test loudly.
func mutate(t *testing.T, name string, pairs ...string) []byte {
	t.Helper()
	s := string(Data(name))
	if s == "" {
		t.Fatalf("no embedded spec %s", name)
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		if n := strings.Count(s, pairs[i]); n != 1 {
			t.Fatalf("%s: %q occurs %d times, want once", name, pairs[i], n)
		}
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	return []byte(s)
}

func got(fs []diagnostics.Finding) []at {
	var out []at
	for _, f := range fs {
		rule, _, _ := strings.Cut(f.Message, ":")
		out = append(out, at{rule, f.Range.Start.Line, f.Range.Start.Column, f.Severity})
	}
	return out
}

func sameFindings(t *testing.T, fs []diagnostics.Finding, want []at) {
	t.Helper()
	g := got(fs)
	gs, ws := fmt.Sprint(sortedAts(g)), fmt.Sprint(sortedAts(want))
	if gs != ws {
		t.Errorf("findings\n got %s\nwant %s\n%s", gs, ws, findingLines(fs))
	}
	for _, f := range fs {
		if f.Code != SourceTargetSpec || f.Source != SourceTargetSpec {
			t.Errorf("finding has code %q source %q, want %q", f.Code, f.Source, SourceTargetSpec)
		}
	}
}

func sortedAts(a []at) []at {
	out := append([]at{}, a...)
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

const (
	x86   = "x86_64-unknown-none-gnu"
	arm64 = "aarch64-unknown-none-gnu"
	arm32 = "armv7-unknown-none-gnueabi"
	rv64  = "riscv64-unknown-none-gnu"
)

func TestValidateRules(t *testing.T) {
	old := Toolchain{Release: Version{Major: 1, Minor: 63}, LLVMMajor: 14}
	v190 := Toolchain{Release: Version{Major: 1, Minor: 90}, LLVMMajor: 20}
	v195 := Toolchain{Release: Version{Major: 1, Minor: 95}, LLVMMajor: 22}
	v196 := Toolchain{Release: Version{Major: 1, Minor: 96}, LLVMMajor: 22}
	tests := []struct {
		name string
		data func(t *testing.T) []byte
		tc   Toolchain
		want []at
		// msg, when set, must appear in one of the findings' messages.
		msg string
	}{
		{"x86 +sse is positioned on the feature", in(x86, "-mmx,-sse,", "-mmx,+sse,"), Toolchain{},
			[]at{e(RuleFPSIMD, 10, 21)}, `"+sse" lets LLVM use`},
		{"x86 the last mention of sse wins", in(x86, "-avx2,+soft-float", "-avx2,+sse,+soft-float"), Toolchain{},
			[]at{e(RuleFPSIMD, 10, 72)}, `"+sse" lets LLVM use`},
		{"x86 +avx512f", in(x86, "-avx2,+soft-float", "-avx2,+avx512f,+soft-float"), Toolchain{},
			[]at{e(RuleFPSIMD, 10, 72)}, "-avx512f"},
		{"x86 sse not disabled", in(x86, "-mmx,-sse,", "-mmx,"), Toolchain{},
			[]at{e(RuleFPSIMD, 10, 15)}, "baseline CPU enables sse"},
		{"x86 +soft-float missing", in(x86, ",+soft-float", ""), Toolchain{},
			[]at{e(RuleSoftFloat, 10, 15)}, "x87"},
		{"x86 -soft-float", in(x86, "+soft-float", "-soft-float"), Toolchain{},
			[]at{e(RuleSoftFloat, 10, 72)}, "Use +soft-float"},
		{"x86 rustc-abi missing", in(x86, "  \"rustc-abi\": \"softfloat\",\n", ""), Toolchain{},
			[]at{e(RuleFloatABI, 10, 72)}, `Add "rustc-abi": "softfloat"`},
		{"x86 rustc-abi missing, rustc 1.90 wants the old spelling", in(x86, "  \"rustc-abi\": \"softfloat\",\n", "", `"target-pointer-width": 64`, `"target-pointer-width": "64"`), v190, []at{e(RuleFloatABI, 10, 72)}, `"x86-softfloat"`},
		{"x86 rustc-abi softfloat too new for 1.90", in(x86, `"target-pointer-width": 64`, `"target-pointer-width": "64"`), v190, []at{e(RuleFloatABI, 11, 16)}, "does not know"},
		{"x86 rustc-abi old spelling", in(x86, `"softfloat"`, `"x86-softfloat"`), Toolchain{},
			[]at{{RuleFloatABI, 11, 16, diagnostics.Info}}, "157151"},
		{"x86 red zone false", in(x86, `"disable-redzone": true`, `"disable-redzone": false`), Toolchain{},
			[]at{e(RuleRedZone, 12, 22)}, "interrupts"},
		{"x86 red zone missing", in(x86, "  \"disable-redzone\": true,\n", ""), Toolchain{},
			[]at{e(RuleRedZone, 1, 1)}, "-mno-red-zone"},
		{"x86 red zone not a bool", in(x86, `"disable-redzone": true`, `"disable-redzone": "yes"`), Toolchain{},
			[]at{e(RuleWrongType, 12, 22)}, "must be a boolean"},
		{"os linux", in(x86, `"os": "none"`, `"os": "linux"`), Toolchain{},
			[]at{e(RuleOS, 9, 9)}, `Use "none"`},
		{"panic unwind", in(x86, `"panic-strategy": "abort"`, `"panic-strategy": "unwind"`), Toolchain{},
			[]at{e(RulePanicStrategy, 13, 21)}, "_Unwind_Resume"},
		{"panic missing", in(x86, "  \"panic-strategy\": \"abort\",\n", ""), Toolchain{},
			[]at{e(RulePanicStrategy, 1, 1)}, `defaults to "unwind"`},
		{"x86 code model small", in(x86, `"code-model": "kernel"`, `"code-model": "small"`), Toolchain{},
			[]at{e(RuleCodeModel, 14, 17)}, "-mcmodel=kernel"},
		{"x86 code model missing", in(x86, "  \"code-model\": \"kernel\",\n", ""), Toolchain{},
			[]at{e(RuleCodeModel, 1, 1)}, `Use "kernel"`},
		{"relocation model pic", in(x86, `"relocation-model": "static"`, `"relocation-model": "pic"`), Toolchain{},
			[]at{e(RuleRelocationModel, 15, 23)}, "GOT"},
		{"relocation model missing", in(x86, "  \"relocation-model\": \"static\",\n", ""), Toolchain{},
			[]at{e(RuleRelocationModel, 1, 1)}, `defaults to "pic"`},
		{"obsolete keys", in(x86, "  \"frame-pointer\": \"may-omit\",\n", "  \"frame-pointer\": \"may-omit\",\n  \"eliminate-frame-pointer\": true,\n  \"no-compiler-rt\": true,\n  \"custom-unwind-resume\": false,\n"), Toolchain{}, []at{e(RuleObsoleteKey, 17, 3), e(RuleObsoleteKey, 18, 3), e(RuleObsoleteKey, 19, 3)}, "frame-pointer"},
		{"obsolete keys only warn for rustc 1.63", in(x86, "  \"frame-pointer\": \"may-omit\",\n", "  \"no-compiler-rt\": true,\n", `"target-pointer-width": 64`, `"target-pointer-width": "64"`, `"target-c-int-width": 32`, `"target-c-int-width": "32"`, `"e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"`, `"e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"`), old, []at{w(RuleObsoleteKey, 16, 3)}, "rustc 1.63.0 ignores it"},
		{"unknown key with a suggestion", in(x86, `"disable-redzone"`, `"disable-red-zone"`), Toolchain{},
			[]at{e(RuleUnknownKey, 12, 3), e(RuleRedZone, 1, 1)}, `did you mean "disable-redzone"?`},
		{"pointer width as a string", in(x86, `"target-pointer-width": 64`, `"target-pointer-width": "64"`), Toolchain{},
			[]at{e(RuleWidthType, 7, 27)}, "rustc 1.91 and later require the integer 64"},
		{"pointer width as an integer for rustc 1.63", in(x86, `"target-c-int-width": 32`, `"target-c-int-width": "32"`, `"e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"`, `"e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"`), old, []at{e(RuleWidthType, 7, 27)}, `wants the string "64"`},
		{"pointer width wrong for the arch", in(x86, `"target-pointer-width": 64`, `"target-pointer-width": 32`), Toolchain{},
			[]at{e(RuleWidthValue, 7, 27)}, "x86_64 kernels use 64"},
		{"c int width as a string", in(x86, `"target-c-int-width": 32`, `"target-c-int-width": "32"`), Toolchain{},
			[]at{e(RuleWidthType, 8, 25)}, "rustc 1.90 and later"},
		{"old x86 data-layout", in(x86, `"e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"`, `"e-m:e-i64:64-f80:128-n8:16:32:64-S128"`), Toolchain{}, []at{e(RuleDataLayout, 3, 18)}, "matches no LLVM"},
		{"data-layout of another LLVM", in(x86),
			Toolchain{Release: Version{Major: 1, Minor: 77}, LLVMMajor: 17, DataLayouts: map[string]string{"x86_64": "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"}},
			[]at{e(RuleDataLayout, 3, 18), e(RuleWidthType, 7, 27), w(RuleWidthType, 8, 25)}, "LLVM 17"},
		{"duplicate key", in(x86, "  \"os\": \"none\",\n", "  \"os\": \"none\",\n  \"os\": \"none\",\n"), Toolchain{},
			[]at{e(RuleDuplicateKey, 9, 3)}, "set again on line 10"},
		{"required key missing", in(x86, "  \"llvm-target\": \"x86_64-unknown-none-gnu\",\n", ""), Toolchain{},
			[]at{e(RuleRequiredKey, 1, 1)}, `"llvm-target" is missing`},
		{"link args as a list", in(x86, "{\n", "{\n  \"pre-link-args\": [\"-m64\"],\n"), Toolchain{},
			[]at{e(RuleWrongType, 2, 20)}, `{"gcc": ["-m64"]}`},
		{"llvm-target of another arch", in(x86, `"llvm-target": "x86_64-unknown-none-gnu"`, `"llvm-target": "aarch64-unknown-none"`), Toolchain{}, []at{e(RuleArch, 2, 18)}, "aarch64"},
		{"unsupported arch", in(x86, `"arch": "x86_64"`, `"arch": "mips"`), Toolchain{},
			[]at{w(RuleArch, 4, 11)}, "skipped"},

		{"aarch64 +neon", in(arm64, "+v8a,-neon,", "+v8a,+neon,"), Toolchain{},
			[]at{e(RuleFPSIMD, 10, 21)}, "FP/NEON/SVE"},
		{"aarch64 +sve2", in(arm64, "-fp-armv8\"", "-fp-armv8,+sve2\""), Toolchain{},
			[]at{e(RuleFPSIMD, 10, 37)}, "-sve2"},
		{"aarch64 fp-armv8 not disabled", in(arm64, ",-fp-armv8", ""), Toolchain{},
			[]at{e(RuleFPSIMD, 10, 15)}, "Add -fp-armv8"},
		{"aarch64 abi missing", in(arm64, "  \"abi\": \"softfloat\",\n", ""), Toolchain{},
			[]at{e(RuleFloatABI, 1, 1)}, "neon is required by the ABI"},
		{"aarch64 rustc-abi missing, rustc unknown", in(arm64, "  \"rustc-abi\": \"softfloat\",\n", ""), Toolchain{},
			[]at{w(RuleFloatABI, 1, 1)}, "1.95 and earlier refuse"},
		{"aarch64 rustc-abi missing for 1.96", in(arm64, "  \"rustc-abi\": \"softfloat\",\n", ""), v196,
			[]at{e(RuleFloatABI, 1, 1)}, "rustc 1.96.0 refuses"},
		{"aarch64 rustc-abi present for 1.95", in(arm64), v195,
			[]at{e(RuleFloatABI, 11, 3)}, "only valid for x86"},
		{"aarch64 code model large", in(arm64, `"code-model": "small"`, `"code-model": "large"`), Toolchain{},
			[]at{e(RuleCodeModel, 14, 17)}, `Use "small"`},

		{"arm hard float abi", in(arm32, `"llvm-floatabi": "soft"`, `"llvm-floatabi": "hard"`), Toolchain{},
			[]at{e(RuleFloatABI, 11, 20)}, "VFP registers"},
		{"arm llvm-floatabi missing", in(arm32, "  \"llvm-floatabi\": \"soft\",\n", ""), Toolchain{},
			[]at{e(RuleFloatABI, 1, 1)}, "must set llvm-floatabi"},
		{"arm +vfp4", in(arm32, "-vfp4", "+vfp4"), Toolchain{},
			[]at{e(RuleFPSIMD, 12, 58)}, "VFP/NEON"},
		{"arm eabihf", in(arm32, `"abi": "eabi"`, `"abi": "eabihf"`), Toolchain{},
			[]at{e(RuleFloatABI, 10, 10)}, "hard-float ABI"},
		{"arm soft-float missing", in(arm32, "+soft-float,", ""), Toolchain{},
			[]at{e(RuleSoftFloat, 12, 15)}, "-msoft-float"},
		{"arm pointer width 64", in(arm32, `"target-pointer-width": 32`, `"target-pointer-width": 64`), Toolchain{},
			[]at{e(RuleWidthValue, 6, 27)}, "arm kernels use 32"},

		{"riscv64 +d", in(rv64, ",-d\"", ",+d\""), Toolchain{},
			[]at{e(RuleFPSIMD, 10, 28)}, "F/D/V"},
		{"riscv64 +v", in(rv64, ",-d\"", ",-d,+v\""), Toolchain{},
			[]at{e(RuleFPSIMD, 10, 31)}, "-v"},
		{"riscv64 lp64d", in(rv64, `"llvm-abiname": "lp64"`, `"llvm-abiname": "lp64d"`), Toolchain{},
			[]at{e(RuleFloatABI, 11, 19)}, "-mabi=lp64"},
		{"riscv64 code model missing", in(rv64, "  \"code-model\": \"medium\",\n", ""), Toolchain{},
			[]at{e(RuleCodeModel, 1, 1)}, "medany"},

		{"syntax: missing comma", in(x86, `"os": "none",`, `"os": "none"`), Toolchain{},
			[]at{e(RuleSyntax, 10, 3)}, "a missing comma?"},
		{"syntax: trailing comma", in(x86, `"linker-flavor": "gcc"`, `"linker-flavor": "gcc",`), Toolchain{},
			[]at{e(RuleSyntax, 21, 1)}, "trailing comma"},
		{"syntax: unterminated string", raw("{\n  \"os\": \"none\n}\n"), Toolchain{},
			[]at{e(RuleSyntax, 2, 14)}, "cannot span lines"},
		{"syntax: single quotes", raw("{\n  'os': 'none'\n}\n"), Toolchain{},
			[]at{e(RuleSyntax, 2, 3)}, "double quotes"},
		{"syntax: comment", raw("{\n  // kernel\n  \"os\": \"none\"\n}\n"), Toolchain{},
			[]at{e(RuleSyntax, 2, 3)}, "no comments"},
		{"syntax: empty file", raw(""), Toolchain{},
			[]at{e(RuleSyntax, 1, 1)}, "empty"},
		{"syntax: truncated", raw(string(Data(x86)[:100])), Toolchain{},
			[]at{e(RuleSyntax, 3, 18)}, "not closed"},
		{"not an object", raw("[1, 2]\n"), Toolchain{},
			[]at{e(RuleNotObject, 1, 1)}, "not an array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.data(t)
			fs := ValidateFor("/m/x.json", data, tt.tc)
			sameFindings(t, fs, tt.want)
			said := false
			for _, f := range fs {
				said = said || strings.Contains(f.Message, tt.msg)
			}
			if !said {
				t.Errorf("no finding says %q:\n%s", tt.msg, findingLines(fs))
			}
			checkFixes(t, data, fs, tt.tc)
		})
	}
}

// checkFixes applies each finding's first fix: the result must still be JSON
// and must have fewer findings of that rule.
func checkFixes(t *testing.T, data []byte, fs []diagnostics.Finding, tc Toolchain) {
	t.Helper()
	count := func(fs []diagnostics.Finding, rule string) int {
		n := 0
		for _, f := range fs {
			if strings.HasPrefix(f.Message, rule+":") {
				n++
			}
		}
		return n
	}
	for _, f := range fs {
		if len(f.Fixes) == 0 {
			continue
		}
		rule, _, _ := strings.Cut(f.Message, ":")
		fixed := applyFix(t, data, f.Fixes[0])
		after := ValidateFor("/m/x.json", fixed, tc)
		if count(after, RuleSyntax) > 0 {
			t.Errorf("fix %q breaks the JSON:\n%s", f.Fixes[0].Title, fixed)
			continue
		}
		if count(after, rule) >= count(fs, rule) {
			t.Errorf("fix %q does not resolve %s:\n%s\nafter:\n%s", f.Fixes[0].Title, rule, fixed, findingLines(after))
		}
	}
}

func applyFix(t *testing.T, data []byte, fix diagnostics.Fix) []byte {
	t.Helper()
	li := lines.New(data)
	off := func(p diagnostics.Position) int { return li[p.Line-1] + p.Column - 1 }
	var edits []textEdit
	for _, e := range fix.Edits {
		edits = append(edits, textEdit{off(e.Range.Start), off(e.Range.End), e.NewText})
	}
	out, err := applyEdits(data, edits)
	if err != nil {
		t.Fatalf("fix %q: %v", fix.Title, err)
	}
	return out
}

func TestEmbeddedSpecsHaveNoFindings(t *testing.T) {
	for _, n := range Names() {
		if fs := ValidateFor(n+".json", Data(n), Toolchain{}); len(fs) > 0 {
			t.Errorf("%s:\n%s", n, findingLines(fs))
		}
	}
}

// The original rust.ko x86_64 target file, written the way it was: string
// pointer width, removed keys, pre-LLVM-10 data-layout, SSE on, no
// soft-float, no panic strategy.
func TestValidateRustKoSeedSpec(t *testing.T) {
	data, err := os.ReadFile("testdata/rustko-x86_64-unknown-none-gnu.json")
	if err != nil {
		t.Fatal(err)
	}
	fs := ValidateFor("/m/x86_64-unknown-none-gnu.json", data, Toolchain{})
	sameFindings(t, fs, []at{
		e(RulePanicStrategy, 1, 1),
		e(RuleWidthType, 4, 29),
		e(RuleDataLayout, 7, 20),
		e(RuleWrongType, 8, 22),
		e(RuleSoftFloat, 10, 17),
		e(RuleFPSIMD, 10, 23),
		e(RuleFPSIMD, 10, 28),
		e(RuleObsoleteKey, 12, 5),
		e(RuleObsoleteKey, 14, 5),
		e(RuleObsoleteKey, 15, 5),
	})
	checkFixes(t, data, fs, Toolchain{})
	for _, f := range fs {
		if f.Range.End.Line < f.Range.Start.Line || (f.Range.End.Line == f.Range.Start.Line && f.Range.End.Column <= f.Range.Start.Column) {
			t.Errorf("empty range %v for %s", f.Range, f.Message)
		}
	}
}

// Features inside a string with escapes cannot be pointed at one by one; the
// finding then covers the whole value.
func TestValidateEscapedFeatures(t *testing.T) {
	data := mutate(t, x86, "-mmx,-sse,", `-mmx,\u002bsse,`)
	fs := ValidateFor("/m/x.json", data, Toolchain{})
	sameFindings(t, fs, []at{e(RuleFPSIMD, 10, 15)})
}

func FuzzValidate(f *testing.F) {
	for _, n := range Names() {
		f.Add(Data(n))
	}
	if seed, err := os.ReadFile("testdata/rustko-x86_64-unknown-none-gnu.json"); err == nil {
		f.Add(seed)
	}
	f.Add([]byte(`{"features": "+sse,,+\u0073se", "arch": "x86_64", "os": 1}`))
	f.Add([]byte("{\"a\":[[[[{}]]]], \"b\": -0.5e+7, \"c\": \"\\ud83d\\ude00\"}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fs := ValidateFor("/f.json", data, Toolchain{})
		lines := strings.Count(string(data), "\n") + 1
		for _, fd := range fs {
			r := fd.Range
			if r.Start.Line < 1 || r.Start.Column < 1 || r.Start.Line > lines || r.End.Line < r.Start.Line {
				t.Fatalf("bad range %+v in %s", r, fd.Message)
			}
			for _, fx := range fd.Fixes {
				applyFix(t, data, fx)
			}
		}
		_, _ = Parse(data)
	})
}
