package targets

import (
	"fmt"
	"strings"

	"github.com/rustko/rustko-lsp/diagnostics"
)

// obsoleteKeys are keys older specs (rust.ko's among them) carry that rustc
// no longer reads. Before sinceSerdeSpecs rustc warned "target json file
// contains unused fields"; from then on it refuses the file.
var obsoleteKeys = map[string]string{
	"eliminate-frame-pointer": `was replaced by "frame-pointer" ("always", "non-leaf" or "may-omit") in rustc 1.58`,
	"custom-unwind-resume":    "was removed from rustc in 2019; it only mattered for unwinding, which kernel code must not do",
	"no-compiler-rt":          "was removed from rustc in 2016, when compiler-rt became the compiler_builtins crate",
	"is-builtin":              "is only printed by --print target-spec-json of older rustc; it was never an input",
	"is-like-osx":             `was renamed "is-like-darwin"`,
	"has-elf-tls":             `was renamed "has-thread-local"`,
	"target-word-size":        `was renamed "target-pointer-width" in 2015`,
}

// knownKeys are the keys rustc 1.95 accepts (from its "unknown field"
// error), plus a few that newer nightlies added.
var knownKeys = map[string]bool{}

func init() {
	for _, k := range strings.Fields(`llvm-target target-pointer-width data-layout arch metadata target-endian
		frame-pointer target-c-int-width c-enum-min-bits os env abi vendor linker linker-flavor lld-flavor
		linker-is-gnu pre-link-objects post-link-objects pre-link-objects-fallback post-link-objects-fallback
		crt-objects-fallback link-self-contained pre-link-args late-link-args late-link-args-dynamic
		late-link-args-static post-link-args link-script link-env link-env-remove asm-args cpu
		need-explicit-cpu features dynamic-linking direct-access-external-data dll-tls-export only-cdylib
		executables relocation-model code-model tls-model disable-redzone function-sections dll-prefix
		dll-suffix exe-suffix staticlib-prefix staticlib-suffix target-family abi-return-struct-as-int
		is-like-aix is-like-darwin is-like-solaris is-like-windows is-like-gpu is-like-msvc is-like-wasm
		is-like-android is-like-vexos binary-format default-dwarf-version allows-weak-linkage has-rpath
		no-default-libraries position-independent-executables static-position-independent-executables
		plt-by-default relro-level archive-format allow-asm static-initializer-must-be-acyclic
		main-needs-argc-argv has-thread-local obj-is-bitcode max-atomic-width min-atomic-width atomic-cas
		panic-strategy crt-static-allows-dylibs crt-static-default crt-static-respected stack-probes
		min-global-align default-codegen-units default-codegen-backend trap-unreachable requires-lto
		singlethread no-builtins default-visibility emit-debug-gdb-scripts requires-uwtable default-uwtable
		simd-types-indirect limit-rdylib-exports override-export-symbols merge-functions target-mcount
		llvm-mcount-intrinsic llvm-abiname llvm-floatabi rustc-abi relax-elf-relocations llvm-args
		use-ctors-section eh-frame-header has-thumb-interworking debuginfo-kind split-debuginfo
		supported-split-debuginfo supported-sanitizers default-sanitizers generate-arange-section
		supports-stack-protector small-data-threshold-support entry-name supports-xray entry-abi`) {
		knownKeys[k] = true
	}
}

// keySeverity: what current rustc refuses is an error; an old rustc only
// warns about keys it does not read.
func (c *checker) keySeverity() (diagnostics.Severity, string) {
	if c.tc.assumeCurrent(sinceSerdeSpecs) {
		return diagnostics.Error, fmt.Sprintf("rustc %s and later refuse the whole file (\"unknown field\")", sinceSerdeSpecs)
	}
	return diagnostics.Warning, fmt.Sprintf("%s ignores it with a warning, rustc %s and later refuse the file", c.tc.name(), sinceSerdeSpecs)
}

func (c *checker) checkKeys() {
	last := map[string]int{}
	for i := range c.root.members {
		last[c.root.members[i].key] = i
	}
	for i := range c.root.members {
		m := &c.root.members[i]
		if j := last[m.key]; j != i {
			line, _ := c.lines.Position(c.root.members[j].keyStart)
			c.atKey(m, RuleDuplicateKey, diagnostics.Error, fmt.Sprintf(
				"%q is set again on line %d: rustc %s and later refuse duplicate keys, older ones silently use the last one",
				m.key, line, sinceSerdeSpecs), c.deleteMember(m))
		}
		if why, ok := obsoleteKeys[m.key]; ok {
			sev, what := c.keySeverity()
			fix := c.deleteMember(m)
			if m.key == "eliminate-frame-pointer" && c.root.member("frame-pointer") == nil {
				fp := `"may-omit"`
				if m.value.kind == jsonBool && !m.value.boolean {
					fp = `"always"`
				}
				fix = c.fix(`Replace with "frame-pointer": `+fp, c.edit(m.keyStart, m.value.end, `"frame-pointer": `+fp))
			}
			c.atKey(m, RuleObsoleteKey, sev, fmt.Sprintf("%q %s: %s", m.key, why, what), fix)
			continue
		}
		if isCommentKey(m.key) {
			sev, what := c.keySeverity()
			c.atKey(m, RuleUnknownKey, sev, fmt.Sprintf(
				"%q holds a note (JSON has no comments, so older specs kept theirs under such keys), but it is not a target-spec key: %s. Move the note into a README or the Makefile",
				m.key, what), c.deleteMember(m))
			continue
		}
		if !knownKeys[m.key] {
			sev, what := c.keySeverity()
			msg := fmt.Sprintf("%q is not a target-spec key: %s", m.key, what)
			if s := closestKey(m.key); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
				fix := c.fix(fmt.Sprintf("Rename to %q", s), c.edit(m.keyStart, m.keyEnd, quoteJSON(s)))
				c.atKey(m, RuleUnknownKey, sev, msg, fix)
				continue
			}
			c.atKey(m, RuleUnknownKey, sev, msg, c.deleteMember(m))
			continue
		}
		c.checkType(m)
	}
}

// keyTypes are the JSON types rustc expects for keys people write by hand.
var keyTypes = map[jsonKind][]string{
	jsonString: strings.Fields(`llvm-target arch os env abi vendor cpu features data-layout linker linker-flavor
		relocation-model code-model tls-model panic-strategy frame-pointer rustc-abi llvm-abiname llvm-floatabi
		archive-format target-endian`),
	jsonBool: strings.Fields(`executables dynamic-linking function-sections disable-redzone linker-is-gnu
		emit-debug-gdb-scripts singlethread no-builtins has-rpath trap-unreachable requires-uwtable
		eh-frame-header allow-asm has-thread-local position-independent-executables`),
	jsonNumber: strings.Fields(`max-atomic-width min-atomic-width c-enum-min-bits min-global-align default-dwarf-version`),
	jsonObject: strings.Fields(`pre-link-args late-link-args late-link-args-dynamic late-link-args-static
		post-link-args stack-probes`),
}

var keyType = map[string]jsonKind{}

func init() {
	for kind, keys := range keyTypes {
		for _, k := range keys {
			keyType[k] = kind
		}
	}
}

func (c *checker) checkType(m *jsonMember) {
	want, ok := keyType[m.key]
	if !ok || m.value.kind == want {
		return
	}
	msg := fmt.Sprintf("%q must be %s, not %s: rustc refuses the spec", m.key, want, m.value.kind)
	fix := diagnostics.Fix{}
	switch {
	case strings.HasSuffix(m.key, "link-args"):
		msg = fmt.Sprintf(`%q maps a linker flavor to its arguments, such as {"gcc": ["-m64"]}; rustc refuses %s. Kbuild links the module, not rustc, so the key can go`, m.key, m.value.kind)
		fix = c.deleteMember(m)
	case m.key == "disable-redzone":
		fix = c.replaceValue(m, "true")
	}
	if fix.Title == "" {
		c.atValue(m, RuleWrongType, diagnostics.Error, msg)
		return
	}
	c.atValue(m, RuleWrongType, diagnostics.Error, msg, fix)
}

// isCommentKey recognises the keys specs use for notes: "_" (rust.ko's),
// "//", "#", "comment" and their variants.
func isCommentKey(k string) bool {
	switch strings.ToLower(strings.Trim(k, "_/# -")) {
	case "", "comment", "comments", "note", "notes":
		return true
	}
	return strings.HasPrefix(k, "//") || strings.HasPrefix(k, "#")
}

// closestKey suggests a known key one edit away from a misspelt one, or two
// when the key is long enough that two edits still leave it recognisable:
// a short key such as "_" is two edits from "os" without being a typo of it.
func closestKey(k string) string {
	limit := 2
	if len(k) >= 8 {
		limit = 3
	}
	if len(k) < 3 {
		return ""
	}
	best, bestD := "", limit
	for known := range knownKeys {
		d := editDistance(k, known, limit)
		// Ties go to the alphabetically first key so the suggestion is stable.
		if d < bestD || (d == bestD && d < limit && known < best) {
			best, bestD = known, d
		}
	}
	return best
}

// editDistance is Levenshtein distance, giving up (returning limit) once
// every path exceeds limit.
func editDistance(a, b string, limit int) int {
	if d := len(a) - len(b); d >= limit || -d >= limit {
		return limit
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin >= limit {
			return limit
		}
		prev, cur = cur, prev
	}
	return min(prev[len(b)], limit)
}

func (c *checker) checkRequired() {
	for _, key := range requiredKeys {
		if c.root.member(key) != nil {
			continue
		}
		msg := fmt.Sprintf("%q is missing: rustc refuses a target spec without it", key)
		var fixes []diagnostics.Fix
		if name, ok := ForArch(c.arch); ok {
			if s := embeddedLiteral(name, key); s != "" {
				fixes = append(fixes, c.insertMember(key, s))
			}
		}
		c.atTop(RuleRequiredKey, diagnostics.Error, msg, fixes...)
	}
}

// embeddedLiteral is the JSON text of key in the embedded spec called name.
func embeddedLiteral(name, key string) string {
	data := Data(name)
	root, err := parseJSON(data)
	if err != nil {
		return ""
	}
	if m := root.member(key); m != nil {
		return string(data[m.value.start:m.value.end])
	}
	return ""
}

// pointerWidth is each supported arch's pointer width.
var pointerWidth = map[string]int{"x86_64": 64, "aarch64": 64, "riscv64": 64, "arm": 32}

func (c *checker) checkWidths() {
	c.checkWidth("target-pointer-width", sincePointerWidthInt, pointerWidth[c.arch])
	c.checkWidth("target-c-int-width", sinceSerdeSpecs, 32)
}

// checkWidth handles a width key whose JSON type changed from string to
// integer in release since.
func (c *checker) checkWidth(key string, since release, want int) {
	m := c.root.member(key)
	if m == nil {
		return
	}
	n, ok := widthValue(m.value)
	if !ok {
		c.atValue(m, RuleWrongType, diagnostics.Error, fmt.Sprintf("%q must be a positive integer such as %d (a string such as \"%d\" before rustc %s), not %s",
			key, max(want, 32), max(want, 32), since, m.value.kind))
		return
	}
	switch {
	case m.value.kind == jsonString && c.tc.assumeCurrent(since):
		c.atValue(m, RuleWidthType, diagnostics.Error, fmt.Sprintf(
			"%s is the string %q: rustc %s and later require the integer %d (\"invalid type: string, expected u16\"); rustc before %s, such as Debian 12's 1.63, requires the string. rustko-lsp writes the right form for the rustc it finds",
			key, m.value.str, since, n, since), c.replaceValue(m, fmt.Sprint(n)))
	case m.value.kind == jsonNumber && !c.tc.assumeCurrent(since):
		// rustc 1.63 refuses an integer pointer width but silently ignores an
		// integer C int width, keeping its default of 32.
		sev, effect := diagnostics.Error, "refuses the spec"
		if key == "target-c-int-width" {
			sev, effect = diagnostics.Warning, "ignores it and uses 32"
		}
		c.atValue(m, RuleWidthType, sev, fmt.Sprintf(
			"%s is the integer %d: %s wants the string \"%d\" and %s (the integer form arrived in rustc %s)",
			key, n, c.tc.name(), n, effect, since), c.replaceValue(m, fmt.Sprintf(`"%d"`, n)))
	}
	if want != 0 && n != want {
		lit := fmt.Sprint(want)
		if m.value.kind == jsonString {
			lit = `"` + lit + `"`
		}
		c.atValue(m, RuleWidthValue, diagnostics.Error, fmt.Sprintf("%s is %d but %s kernels use %d", key, n, archOrUnknown(c.arch), want),
			c.replaceValue(m, lit))
	}
}

func archOrUnknown(a string) string {
	if a == "" {
		return "this architecture's"
	}
	return a
}

func (c *checker) checkDataLayout() {
	m, layout, ok := c.str("data-layout")
	if !ok {
		return
	}
	if want, known := c.tc.DataLayout(c.arch); known {
		switch {
		case layout == want:
		case c.tc.assumeCurrent(sinceDataLayoutCheck):
			c.atValue(m, RuleDataLayout, diagnostics.Error, fmt.Sprintf(
				"data-layout differs from the one %s (LLVM %d) requires for %s, %q: rustc refuses the spec (\"differs from LLVM target's default layout\")",
				c.tc.name(), c.tc.LLVMMajor, c.arch, want), c.replaceValue(m, quoteJSON(want)))
		default:
			// Measured: rustc 1.63 builds objects with rust.ko's pre-LLVM-10
			// layout and says nothing.
			c.atValue(m, RuleDataLayout, diagnostics.Warning, fmt.Sprintf(
				"data-layout differs from the one LLVM %d uses for %s, %q: %s accepts it (rustc compares the two only from %s on, and refuses the spec then: \"differs from LLVM target's default layout\"); the fix sets the layout this rustc's LLVM uses",
				c.tc.LLVMMajor, c.arch, want, c.tc.name(), sinceDataLayoutCheck), c.replaceValue(m, quoteJSON(want)))
		}
		return
	}
	known := knownLayouts[c.arch]
	if len(known) == 0 {
		return
	}
	for _, k := range known {
		if k.layout == layout {
			return
		}
	}
	// Only x86_64's history is certain enough to call a mismatch an error
	// without knowing the rustc.
	sev := diagnostics.Warning
	if c.arch == "x86_64" {
		sev = diagnostics.Error
	}
	c.atValue(m, RuleDataLayout, sev, fmt.Sprintf(
		"data-layout matches no LLVM that rustc has used since LLVM %d: rustc %s and later refuse a layout that differs from their LLVM's (older ones use it unchecked); LLVM %d and later want %q",
		known[len(known)-1].minLLVM, sinceDataLayoutCheck, known[0].minLLVM, known[0].layout), c.replaceValue(m, quoteJSON(known[0].layout)))
}
