package diagnostics

// ruleDescriptions are the one-line descriptions code-scanning UIs show for
// rustko's stable codes (issue 6). Codes from other tools (rustc's E0308)
// are described by the tool that reported them.
var ruleDescriptions = map[string]string{
	"inline-function":     "A static inline C function is called without a helper that gives it a symbol.",
	"function-macro":      "A function-like C macro is used as if it were a function.",
	"macro-without-value": "An object-like C macro that has no value is used as a constant.",
	"not-exported":        "The kernel does not export this function, so modpost will fail.",
	"gpl-only":            "A GPL-only export is used while MODULE_LICENSE is not GPL-compatible.",
	"not-declared":        "No configured kernel header declares this name.",
	"signature-mismatch":  "A Rust function and its C prototype disagree: a hand-written extern \"C\" declaration against the kernel header or the C shim's definition, or a Rust function the C shim declares and calls.",
	"float":               "Floating point in kernel code, where the FPU state is not saved.",
	"printk-format":       "A non-literal is passed as the format string of a printk-family function.",
	"missing-extern-c":    "A #[no_mangle] function called from C (the shim, or the kernel: init_module, cleanup_module) is not extern \"C\".",
	"non-gpl-license":     "MODULE_LICENSE is not GPL-compatible: loading taints the kernel and GPL-only exports are out of reach.",
	"hard-coded-constant": "A bare number is passed where the kernel has named constants whose values change between kernels.",
	"shadowed-constant":   "A Rust constant named after a kernel macro or enum constant has another value than this kernel gives it.",
	"missing-nul":         "A string literal without a terminating NUL is passed to C as a char pointer.",
	"missing-license":     "The module declares no MODULE_LICENSE, so modpost stops the build.",
	"target-spec":         "The Rust target specification is wrong for building a kernel module.",
	"codegen-unsupported": "The Rust toolchain cannot generate code the way the kernel's configuration asks (return thunks, IBT, retpolines).",
	"missing-endbr":       "A Rust function that can be called indirectly does not start with endbr64 on a kernel with IBT.",
	"bare-return":         "A Rust function returns with a bare ret on a kernel built with return thunks.",
	"indirect-branch":     "An indirect call or jump bypasses the retpoline thunks the kernel is built with.",
	"legacy-rust.ko":      "A rust.ko-era leftover (xargo build, std/ bindgen crate, obsolete lang item or #![feature], old target spec, C shim hack) that `rustko-lsp migrate` rewrites.",
	"bindings-not-ours":   "The bindings (or helpers) output path holds a file rustko did not generate; rustko leaves it alone and generates into its cache.",
	"module-oops":         "The module oopsed, hit a BUG or WARN, or panicked in a test boot (rustko-lsp run); reported at the first backtrace frame in the module's own code.",
	"module-run-failed":   "The module failed in a test boot (rustko-lsp run) without a backtrace: insmod or rmmod refused, a hang, a taint, or a missing expected log line.",
}

var sourceDescriptions = map[string]string{
	SourceRustc:   "Reported by rustc.",
	SourceGCC:     "Reported by gcc while kbuild compiled the C shim.",
	SourceModpost: "Reported by modpost while linking the module.",
	SourceKbuild:  "Reported by kbuild.",
	SourceObject:  "Found in the compiled object (relocations, FPU use, red zone).",
	// vm.SourceKernel; diagnostics cannot import vm, which imports it.
	"kernel": "Read from the guest kernel's log in a test boot (rustko-lsp run).",
}

func ruleDescription(id, source string) string {
	if d, ok := ruleDescriptions[id]; ok {
		return d
	}
	if d, ok := sourceDescriptions[source]; ok {
		return d
	}
	return id
}
