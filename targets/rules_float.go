package targets

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rustko/rustko-lsp/diagnostics"
)

// The kernel saves only general-purpose registers when it enters kernel
// mode; module code that touches FP or SIMD registers corrupts the state of
// whichever user task was interrupted. These tables say, per arch, which
// LLVM features let the compiler use those registers on its own.
var fpExact = map[string]map[string]bool{
	"x86_64": set("mmx", "3dnow", "3dnowa", "f16c", "fma", "fma4", "xop", "aes", "vaes", "pclmul",
		"vpclmulqdq", "gfni", "sha", "sha512", "sm3", "sm4", "kl", "widekl"),
	"aarch64": set("neon", "fp-armv8", "fullfp16", "fp16fml", "crypto", "aes", "sha2", "sha3", "sm4",
		"dotprod", "rdm", "bf16", "i8mm", "f32mm", "f64mm", "fcma", "jsconv", "complxnum", "frintts"),
	"arm": set("neon", "d32", "fp16", "fp64", "fullfp16", "fp16fml", "crypto", "aes", "sha2", "dotprod",
		"bf16", "i8mm"),
	"riscv64": set("f", "d", "q", "v", "zfa", "zfh", "zfhmin", "zfbfmin", "zfinx", "zdinx", "zhinx", "zhinxmin"),
}

var fpPrefixes = map[string][]string{
	"x86_64":  {"sse", "avx", "amx"},
	"aarch64": {"sve", "sme"},
	"arm":     {"vfp", "fp-armv8", "mve"},
	"riscv64": {"zve", "zvf", "zvk", "zvb"},
}

func set(words ...string) map[string]bool {
	m := map[string]bool{}
	for _, w := range words {
		m[w] = true
	}
	return m
}

func fpFeature(arch, name string) bool {
	return fpExact[arch][name] || slices.ContainsFunc(fpPrefixes[arch], func(p string) bool { return strings.HasPrefix(name, p) })
}

// mustDisable are features the arch's baseline CPU enables, so the spec must
// switch them off explicitly; mustEnable are the soft-float switches.
var (
	mustDisable = map[string][]string{
		"x86_64":  {"sse"}, // LLVM clears sse2 and later with it
		"aarch64": {"neon", "fp-armv8"},
		"arm":     {"neon", "vfp2"}, // LLVM clears vfp3, vfp4 and fp-armv8 with vfp2
	}
	mustEnable = map[string]string{"x86_64": "soft-float", "arm": "soft-float"}
)

// featureState is the last mention of each feature: LLVM applies the list
// in order, so "+sse,-sse" leaves sse off.
type featureState struct {
	value *jsonMember
	list  []feature
	last  map[string]int // name -> index into list
}

func (c *checker) features() (*featureState, bool) {
	fs := &featureState{last: map[string]int{}}
	m := c.root.member("features")
	if m == nil {
		return fs, true
	}
	if m.value.kind != jsonString {
		return nil, false // checkType reports it
	}
	fs.value = m
	fs.list = splitFeatures(m.value.str)
	for i, f := range fs.list {
		fs.last[f.name()] = i
	}
	return fs, true
}

func (fs *featureState) state(name string) (enabled, mentioned bool) {
	i, ok := fs.last[name]
	if !ok {
		return false, false
	}
	return fs.list[i].enabled(), true
}

// span is where feature i sits in the file: on the token itself when the
// string has no escapes, else on the whole value.
func (c *checker) span(fs *featureState, i int) (int, int) {
	v := fs.value.value
	if v.escaped {
		return v.start, v.end
	}
	s := v.start + 1 + fs.list[i].off
	return s, s + len(fs.list[i].text)
}

// appendFeatures offers to add feats to the end of the features string, or
// to add a features key with them.
func (c *checker) appendFeatures(fs *featureState, feats []string) diagnostics.Fix {
	text := strings.Join(feats, ",")
	if fs.value == nil {
		return c.insertMember("features", quoteJSON(text))
	}
	v := fs.value.value
	if strings.TrimSpace(v.str) != "" {
		text = "," + text
	}
	return c.fix("Add "+strings.Join(feats, ","), c.edit(v.end-1, v.end-1, text))
}

// reportAt puts a finding on the features value, or on the top of the file
// when there is none.
func (c *checker) reportAt(fs *featureState, rule, msg string, fix diagnostics.Fix) {
	if fs.value == nil {
		c.atTop(rule, diagnostics.Error, "no \"features\": "+msg, fix)
		return
	}
	c.atValue(fs.value, rule, diagnostics.Error, msg, fix)
}

var fpRegisters = map[string]string{
	"x86_64":  "x87/MMX/SSE/AVX registers",
	"aarch64": "FP/NEON/SVE registers",
	"arm":     "VFP/NEON registers",
	"riscv64": "F/D/V registers",
}

func (c *checker) checkFloat() {
	regs, ok := fpRegisters[c.arch]
	if !ok {
		return
	}
	fs, ok := c.features()
	if !ok {
		return
	}
	const saved = "the kernel does not save them for module code, so using them corrupts the interrupted task's state"
	for name, i := range fs.last {
		f := fs.list[i]
		if !f.enabled() || !fpFeature(c.arch, name) {
			continue
		}
		s, e := c.span(fs, i)
		c.add(RuleFPSIMD, diagnostics.Error, s, e, fmt.Sprintf("%q lets LLVM use %s, and %s. Disable it: -%s", f.text, regs, saved, name),
			c.fix("Replace with -"+name, c.edit(s, e, "-"+name)))
	}
	var missing []string
	for _, name := range mustDisable[c.arch] {
		if enabled, mentioned := fs.state(name); !mentioned && !enabled {
			missing = append(missing, "-"+name)
		}
	}
	if len(missing) > 0 {
		c.reportAt(fs, RuleFPSIMD, fmt.Sprintf("%s's baseline CPU enables %s, so LLVM uses %s unless the spec disables them; %s. Add %s",
			c.arch, strings.TrimPrefix(strings.Join(missing, ", "), "-"), regs, saved, strings.Join(missing, ",")), c.appendFeatures(fs, missing))
	}
	if sf, ok := mustEnable[c.arch]; ok {
		c.checkSoftFloat(fs, sf)
	}
	switch c.arch {
	case "x86_64":
		c.checkX86RustcABI(fs)
	case "aarch64":
		c.checkAarch64ABI()
	case "arm":
		c.checkARMFloatABI()
	case "riscv64":
		if m, v, ok := c.str("llvm-abiname"); ok && v != "lp64" {
			c.atValue(m, RuleFloatABI, diagnostics.Error, fmt.Sprintf(
				"llvm-abiname %q passes floats in F/D registers; the kernel is built for lp64 (-mabi=lp64) with no F/D. Use \"lp64\"", v),
				c.replaceValue(m, `"lp64"`))
		}
	}
}

func (c *checker) checkSoftFloat(fs *featureState, sf string) {
	enabled, mentioned := fs.state(sf)
	if enabled {
		return
	}
	why := map[string]string{
		"x86_64": "without it LLVM computes floats on the x87 FPU (fild, faddp), which the kernel does not save either (the kernel builds with -mno-80387 and -msoft-float)",
		"arm":    "the ARM kernel builds with -msoft-float; without it LLVM uses VFP instructions for floats",
	}[c.arch]
	if mentioned {
		i := fs.last[sf]
		s, e := c.span(fs, i)
		c.add(RuleSoftFloat, diagnostics.Error, s, e, fmt.Sprintf("%q turns soft-float off: %s. Use +%s", fs.list[i].text, why, sf),
			c.fix("Replace with +"+sf, c.edit(s, e, "+"+sf)))
		return
	}
	c.reportAt(fs, RuleSoftFloat, fmt.Sprintf("+%s is missing: %s. Add +%s", sf, why, sf), c.appendFeatures(fs, []string{"+" + sf}))
}

// checkX86RustcABI: from 1.86 rustc refuses x86 +soft-float unless
// "rustc-abi" names the soft-float ABI; its spelling changed in 1.95.
func (c *checker) checkX86RustcABI(fs *featureState) {
	if on, _ := fs.state("soft-float"); !on || !c.tc.assumeCurrent(sinceRustcABI) {
		return
	}
	want := "softfloat"
	if !c.tc.assumeCurrent(sinceSoftfloatX86) {
		want = "x86-softfloat"
	}
	versions := fmt.Sprintf(`"x86-softfloat" for rustc %s to 1.94, "softfloat" from %s; rustc before %s ignores the key`, sinceRustcABI, sinceSoftfloatX86, sinceRustcABI)
	m, v, ok := c.str("rustc-abi")
	switch {
	case m == nil:
		i := fs.last["soft-float"]
		s, e := c.span(fs, i)
		who := fmt.Sprintf("rustc %s and later refuse", sinceRustcABI)
		if c.tc.Release.Known() {
			who = c.tc.name() + " refuses"
		}
		c.add(RuleFloatABI, diagnostics.Error, s, e, fmt.Sprintf(
			"+soft-float without \"rustc-abi\": %s the spec (\"target feature `sse2` is required by the ABI\"). Add \"rustc-abi\": %q (%s)",
			who, want, versions), c.insertMember("rustc-abi", quoteJSON(want)))
	case !ok:
	case v != "softfloat" && v != "x86-softfloat":
		c.atValue(m, RuleFloatABI, diagnostics.Error, fmt.Sprintf("rustc-abi %q is not the soft-float ABI that +soft-float needs: use %q (%s)", v, want, versions),
			c.replaceValue(m, quoteJSON(want)))
	case v == "softfloat" && want == "x86-softfloat":
		c.atValue(m, RuleFloatABI, diagnostics.Error, fmt.Sprintf("%s does not know rustc-abi \"softfloat\" on x86 (%s)", c.tc.name(), versions),
			c.replaceValue(m, `"x86-softfloat"`))
	case v == "x86-softfloat" && want == "softfloat":
		c.atValue(m, RuleFloatABI, diagnostics.Info, fmt.Sprintf(
			"rustc-abi \"x86-softfloat\" is the old spelling: nightlies since July 2026 (rust-lang/rust#157151) accept only \"softfloat\" (%s)", versions),
			c.replaceValue(m, `"softfloat"`))
	}
}

// checkAarch64ABI: rustc refuses -neon/-fp-armv8 unless the spec declares
// the soft-float ABI, and from 1.96 wants it said twice.
func (c *checker) checkAarch64ABI() {
	m, v, ok := c.str("abi")
	switch {
	case m == nil:
		c.atTop(RuleFloatABI, diagnostics.Error, `no "abi": with NEON and FP off, rustc refuses the hard-float ABI ("target feature neon is required by the ABI"). Add "abi": "softfloat"`,
			c.insertMember("abi", `"softfloat"`))
	case ok && v != "softfloat":
		c.atValue(m, RuleFloatABI, diagnostics.Error, fmt.Sprintf(`abi %q: with NEON and FP off, the ABI must be "softfloat" (the kernel's -mgeneral-regs-only)`, v),
			c.replaceValue(m, `"softfloat"`))
	}
	rm := c.root.member("rustc-abi")
	switch {
	case !c.tc.Release.Known() && rm == nil:
		c.atTop(RuleFloatABI, diagnostics.Warning, fmt.Sprintf(
			`no "rustc-abi": rustc %s and later refuse an aarch64 "softfloat" abi without "rustc-abi": "softfloat", while rustc 1.95 and earlier refuse that key on aarch64; rustko-lsp writes the right form for the rustc it finds`,
			sinceRustcABIAarch64), c.insertMember("rustc-abi", `"softfloat"`))
	case c.tc.Release.Known() && c.tc.atLeast(sinceRustcABIAarch64) && rm == nil:
		c.atTop(RuleFloatABI, diagnostics.Error, fmt.Sprintf(`no "rustc-abi": %s refuses an aarch64 "softfloat" abi without "rustc-abi": "softfloat"`, c.tc.name()),
			c.insertMember("rustc-abi", `"softfloat"`))
	case c.tc.Release.Known() && !c.tc.atLeast(sinceRustcABIAarch64) && rm != nil:
		c.atKey(rm, RuleFloatABI, diagnostics.Error, fmt.Sprintf("%s refuses \"rustc-abi\" on aarch64 (\"`softfloat` ABI is only valid for x86 and s390x targets\"); it is needed from rustc %s", c.tc.name(), sinceRustcABIAarch64),
			c.deleteMember(rm))
	}
}

func (c *checker) checkARMFloatABI() {
	m, v, ok := c.str("llvm-floatabi")
	switch {
	case m == nil && c.tc.assumeCurrent(sinceLLVMFloatABI):
		c.atTop(RuleFloatABI, diagnostics.Error, fmt.Sprintf(`no "llvm-floatabi": rustc %s and later refuse an ARM spec without it ("ARM targets must set llvm-floatabi"). Add "llvm-floatabi": "soft"`, sinceLLVMFloatABI),
			c.insertMember("llvm-floatabi", `"soft"`))
	case ok && v != "soft":
		c.atValue(m, RuleFloatABI, diagnostics.Error, fmt.Sprintf(`llvm-floatabi %q passes floats in VFP registers; the ARM kernel uses the soft-float ABI. Use "soft"`, v),
			c.replaceValue(m, `"soft"`))
	}
	if m, v, ok := c.str("abi"); ok && v == "eabihf" {
		c.atValue(m, RuleFloatABI, diagnostics.Error, `abi "eabihf" is the hard-float ABI; the ARM kernel uses "eabi"`, c.replaceValue(m, `"eabi"`))
	}
}
