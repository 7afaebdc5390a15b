package targets

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/internal/lines"
)

// SourceTargetSpec is the Source and Code of every validator finding; the
// message starts with the rule that fired ("fp-simd: ...").
const SourceTargetSpec = "target-spec"

// Rule ids, the first word of each finding's message.
const (
	RuleSyntax          = "json-syntax"
	RuleNotObject       = "not-object"
	RuleDuplicateKey    = "duplicate-key"
	RuleRequiredKey     = "required-key"
	RuleWrongType       = "wrong-type"
	RuleArch            = "arch"
	RuleFPSIMD          = "fp-simd"
	RuleSoftFloat       = "soft-float"
	RuleFloatABI        = "float-abi"
	RuleRedZone         = "red-zone"
	RuleOS              = "os"
	RulePanicStrategy   = "panic-strategy"
	RuleCodeModel       = "code-model"
	RuleRelocationModel = "relocation-model"
	RuleObsoleteKey     = "obsolete-key"
	RuleUnknownKey      = "unknown-key"
	RuleWidthType       = "width-type"
	RuleWidthValue      = "width-value"
	RuleDataLayout      = "data-layout"
)

// ValidateFor checks a target specification for what keeps it from
// building a kernel module with the rustc described by tc (from Find):
// format rules then say exactly what that rustc accepts, and the data-layout
// is compared with the one its LLVM requires; the zero Toolchain judges
// version-dependent rules against current rustc. file is used for the
// findings' positions and fixes; data is its content.
func ValidateFor(file string, data []byte, tc Toolchain) []diagnostics.Finding {
	c := &checker{file: file, data: data, lines: lines.New(data), tc: tc}
	root, err := parseJSON(data)
	if err != nil {
		var se *jsonSyntaxError
		if !errors.As(err, &se) {
			se = &jsonSyntaxError{0, err.Error()}
		}
		end := se.off
		if end < len(data) {
			end++
		}
		c.add(RuleSyntax, diagnostics.Error, se.off, end,
			"invalid JSON, rustc cannot read this target spec: "+se.msg)
		return c.findings
	}
	if root.kind != jsonObject {
		c.add(RuleNotObject, diagnostics.Error, root.start, root.end,
			fmt.Sprintf("a target spec is a JSON object of settings, not %s", root.kind))
		return c.findings
	}
	c.root = root
	c.arch = c.detectArch()
	c.checkKeys()
	c.checkRequired()
	c.checkWidths()
	c.checkDataLayout()
	c.checkArch()
	c.checkOS()
	c.checkDefaulted(RulePanicStrategy, "panic-strategy", "abort", "unwind",
		"the kernel has no unwinder, and unwinding code references _Unwind_Resume and __rust_eh_personality, which modpost reports as undefined")
	c.checkDefaulted(RuleRelocationModel, "relocation-model", "static", "pic",
		"kbuild builds modules without PIC, and position-independent code reaches data through the GOT, whose relocations the module loader rejects (insmod: \"Unknown rela relocation\")")
	c.checkCodeModel()
	c.checkRedZone()
	c.checkFloat()
	diagnostics.Sort(c.findings)
	return c.findings
}

// checker holds one validation run.
type checker struct {
	file     string
	data     []byte
	lines    lines.Index
	tc       Toolchain
	root     *jsonValue
	arch     string // spec arch, or derived from llvm-target; "" if unknown
	findings []diagnostics.Finding
}

func (c *checker) rng(start, end int) diagnostics.Range {
	l1, c1 := c.lines.Position(start)
	l2, c2 := c.lines.Position(end)
	return diagnostics.Range{Start: diagnostics.Position{Line: l1, Column: c1}, End: diagnostics.Position{Line: l2, Column: c2}}
}

func (c *checker) add(rule string, sev diagnostics.Severity, start, end int, msg string, fixes ...diagnostics.Fix) {
	c.findings = append(c.findings, diagnostics.Finding{
		File:     c.file,
		Range:    c.rng(start, end),
		Severity: sev,
		Code:     diagnostics.CodeTargetSpec,
		Source:   SourceTargetSpec,
		Message:  rule + ": " + msg,
		Fixes:    fixes,
	})
}

// atKey reports on a member's key; atValue on its value; atTop on the opening
// brace, for keys that are missing altogether.
func (c *checker) atKey(m *jsonMember, rule string, sev diagnostics.Severity, msg string, fixes ...diagnostics.Fix) {
	c.add(rule, sev, m.keyStart, m.keyEnd, msg, fixes...)
}

func (c *checker) atValue(m *jsonMember, rule string, sev diagnostics.Severity, msg string, fixes ...diagnostics.Fix) {
	c.add(rule, sev, m.value.start, m.value.end, msg, fixes...)
}

func (c *checker) atTop(rule string, sev diagnostics.Severity, msg string, fixes ...diagnostics.Fix) {
	c.add(rule, sev, c.root.start, c.root.start+1, msg, fixes...)
}

func (c *checker) edit(start, end int, text string) diagnostics.Edit {
	return diagnostics.Edit{File: c.file, Range: c.rng(start, end), NewText: text}
}

func (c *checker) fix(title string, edits ...diagnostics.Edit) diagnostics.Fix {
	return diagnostics.Fix{Title: title, Edits: edits, Preferred: len(edits) == 1}
}

// replaceValue offers to set a member's value to the JSON text lit.
func (c *checker) replaceValue(m *jsonMember, lit string) diagnostics.Fix {
	return c.fix(fmt.Sprintf("Set %q to %s", m.key, lit), c.edit(m.value.start, m.value.end, lit))
}

// deleteMember offers to remove member m (a pointer into c.root.members).
func (c *checker) deleteMember(m *jsonMember) diagnostics.Fix {
	for i := range c.root.members {
		if &c.root.members[i] == m {
			s, e := memberSpan(c.root, i)
			return c.fix(fmt.Sprintf("Remove %q", m.key), c.edit(s, e, ""))
		}
	}
	return diagnostics.Fix{}
}

// insertMember offers to add "key": lit as the first member, indented like
// the existing ones.
func (c *checker) insertMember(key, lit string) diagnostics.Fix {
	at := c.root.start + 1
	indent := "  "
	sep := ","
	if len(c.root.members) == 0 {
		sep = ""
	} else {
		first := c.root.members[0].keyStart
		line, col := c.lines.Position(first)
		lineStart := c.lines.Start(line)
		if ws := string(c.data[lineStart : lineStart+col-1]); strings.TrimLeft(ws, " \t") == "" && line > 1 {
			indent = ws
		} else {
			indent = ""
		}
	}
	text := "\n" + indent + quoteJSON(key) + ": " + lit + sep
	if indent == "" {
		text = quoteJSON(key) + ": " + lit + sep + " "
	}
	return c.fix(fmt.Sprintf("Add %q: %s", key, lit), c.edit(at, at, text))
}

// str returns a member's string value; ok is false when the key is absent
// or not a string (checkType reports the latter once).
func (c *checker) str(key string) (m *jsonMember, val string, ok bool) {
	m = c.root.member(key)
	if m == nil || m.value.kind != jsonString {
		return m, "", false
	}
	return m, m.value.str, true
}

// detectArch prefers "arch" and falls back to the llvm-target's first part.
func (c *checker) detectArch() string {
	if m := c.root.member("arch"); m != nil && m.value.kind == jsonString {
		return m.value.str
	}
	if m := c.root.member("llvm-target"); m != nil && m.value.kind == jsonString {
		return archOfLLVMTarget(m.value.str)
	}
	return ""
}

// archOfLLVMTarget maps an LLVM triple to the spec's "arch" spelling.
func archOfLLVMTarget(triple string) string {
	first, _, _ := strings.Cut(triple, "-")
	switch {
	case first == "x86_64":
		return "x86_64"
	case first == "aarch64" || first == "arm64":
		return "aarch64"
	case strings.HasPrefix(first, "arm") || strings.HasPrefix(first, "thumb"):
		return "arm"
	case strings.HasPrefix(first, "riscv64"):
		return "riscv64"
	case first == "i386" || first == "i586" || first == "i686":
		return "x86"
	}
	return first
}

// archOrder lists the architectures rustko-lsp has kernel rules for.
var archOrder = []string{"x86_64", "aarch64", "arm", "riscv64"}

func (c *checker) checkArch() {
	m, arch, ok := c.str("arch")
	if !ok {
		return
	}
	known := slices.Contains(archOrder, arch)
	if !known {
		c.atValue(m, RuleArch, diagnostics.Warning, fmt.Sprintf(
			"arch %q: rustko-lsp knows the kernel's FP/SIMD and code-model rules only for %s; those checks were skipped",
			arch, strings.Join(archOrder, ", ")))
	}
	if lm, triple, ok := c.str("llvm-target"); ok {
		if ta := archOfLLVMTarget(triple); known && ta != arch {
			c.atValue(lm, RuleArch, diagnostics.Error, fmt.Sprintf(
				"llvm-target %q is for %s but arch is %q: LLVM would generate %s code", triple, ta, arch, ta))
		}
	}
}

func (c *checker) checkOS() {
	m, os, ok := c.str("os")
	if ok && os != "none" {
		c.atValue(m, RuleOS, diagnostics.Error, fmt.Sprintf(
			"os %q: kernel code runs under no operating system's user-space ABI; with %q rustc sets cfg(target_os = %q) and crates assume that OS's libc and syscalls. Use \"none\"",
			os, os, os), c.replaceValue(m, `"none"`))
	}
}

// checkDefaulted wants key to be want, where rustc's default dflt is wrong
// for the kernel for the reason why.
func (c *checker) checkDefaulted(rule, key, want, dflt, why string) {
	m, v, ok := c.str(key)
	switch {
	case m == nil:
		c.atTop(rule, diagnostics.Error, fmt.Sprintf("no %q: rustc defaults to %q; %s", key, dflt, why),
			c.insertMember(key, quoteJSON(want)))
	case ok && v != want:
		c.atValue(m, rule, diagnostics.Error, fmt.Sprintf("%s %q: %s. Use %q", key, v, why, want),
			c.replaceValue(m, quoteJSON(want)))
	}
}

// kernelCodeModel is the code model each kernel compiles modules with.
var kernelCodeModel = map[string]struct{ model, why string }{
	"x86_64":  {"kernel", "modules live in the top 2 GiB of the address space and the kernel compiles them with -mcmodel=kernel"},
	"riscv64": {"medium", "the kernel compiles with -mcmodel=medany (LLVM's medium), so that code and data may sit anywhere within 2 GiB of each other"},
	"aarch64": {"small", "the kernel compiles with the default small code model"},
}

func (c *checker) checkCodeModel() {
	want, ok := kernelCodeModel[c.arch]
	if !ok {
		return
	}
	m, v, ok := c.str("code-model")
	switch {
	case m == nil && want.model != "small":
		c.atTop(RuleCodeModel, diagnostics.Error, fmt.Sprintf(`no "code-model": rustc uses LLVM's small model, but %s. Use %q`, want.why, want.model),
			c.insertMember("code-model", quoteJSON(want.model)))
	case ok && v != want.model:
		c.atValue(m, RuleCodeModel, diagnostics.Error, fmt.Sprintf("code-model %q on %s: %s. Use %q", v, c.arch, want.why, want.model),
			c.replaceValue(m, quoteJSON(want.model)))
	}
}

func (c *checker) checkRedZone() {
	if c.arch != "x86_64" {
		return
	}
	const why = "interrupts arrive on the current kernel stack and overwrite the 128 bytes below the stack pointer that the red zone lets functions use"
	m := c.root.member("disable-redzone")
	switch {
	case m == nil:
		c.atTop(RuleRedZone, diagnostics.Error, `no "disable-redzone" on x86_64: `+why+` (the kernel compiles with -mno-red-zone)`,
			c.insertMember("disable-redzone", "true"))
	case m.value.kind != jsonBool:
		// checkType reports it.
	case !m.value.boolean:
		c.atValue(m, RuleRedZone, diagnostics.Error, "disable-redzone is false on x86_64: "+why,
			c.replaceValue(m, "true"))
	}
}
