package diagnostics

import (
	"fmt"
	"strings"
)

// The codes of rustko's own findings. They are user-visible and stable: CI
// scripts filter on them and code-scanning UIs key alerts on them, so a code
// is never renamed. Two pairs name one problem seen at two stages and stay
// apart for that reason: gpl-only and float are the source checks before
// any build, gpl-only-symbol and float-instruction what the built object (or
// modpost) shows; build's deduplication matches the object check's codes
// against modpost's, not against the source checks'.
const (
	// Rust source analysis (diagnostics/rustsrc).
	CodeInlineFunction    = "inline-function"
	CodeFunctionMacro     = "function-macro"
	CodeMacroWithoutValue = "macro-without-value"
	CodeNotExported       = "not-exported"
	CodeGPLOnly           = "gpl-only"
	CodeNotDeclared       = "not-declared"
	CodeSignatureMismatch = "signature-mismatch"
	CodeFloat             = "float"
	CodePrintkFormat      = "printk-format"
	CodeMissingExternC    = "missing-extern-c"
	CodeHardCodedConstant = "hard-coded-constant"
	CodeShadowedConstant  = "shadowed-constant"
	CodeMissingNUL        = "missing-nul"
	CodeNonGPLLicense     = "non-gpl-license"
	CodeMissingLicense    = "missing-license"
	CodeTargetSpec        = "target-spec"
	CodeLegacyRustKo      = "legacy-rust.ko"

	// Bindings and the build.
	CodeBindingsNotOurs       = "bindings-not-ours"
	CodeBindings              = "bindings"
	CodeHelperRefused         = "helper-refused"
	CodeCodegenUnsupported    = "codegen-unsupported"
	CodeUndefinedSymbol       = "undefined-symbol"
	CodeGPLOnlySymbol         = "gpl-only-symbol"
	CodeFloatInstruction      = "float-instruction"
	CodeGOTRelocation         = "got-relocation"
	CodeUnsupportedRelocation = "unsupported-relocation"
	CodeRedZone               = "red-zone"
	CodeMissingEndbr          = "missing-endbr"
	CodeBareReturn            = "bare-return"
	CodeIndirectBranch        = "indirect-branch"

	// Test boots (rustko-lsp run).
	CodeModuleOops      = "module-oops"
	CodeModuleRunFailed = "module-run-failed"

	// The tool itself.
	CodeToolError     = "tool-error"
	CodeKernelHeaders = "kernel-headers"
	CodeMakefileError = "makefile-error"
	CodeFileTooLarge  = "file-too-large"
)

// HelpURI is where the findings are listed for users, one row a code; a
// test keeps that table and the registry equal.
const HelpURI = "https://github.com/rustko/rustko-lsp#what-check-reports"

// Rule describes one code: its usual severity (a producer may lower it, as
// modpost's warnings or the object check's "N more not shown" do), the line
// code-scanning UIs show, and where to read more.
type Rule struct {
	Code     string
	Severity Severity
	Summary  string
	HelpURI  string
}

var registry = []Rule{
	{CodeInlineFunction, Error, "A static inline C function is called without a helper that gives it a symbol.", HelpURI},
	{CodeFunctionMacro, Error, "A function-like C macro is used as if it were a function.", HelpURI},
	{CodeMacroWithoutValue, Error, "An object-like C macro that has no value is used as a constant.", HelpURI},
	{CodeNotExported, Error, "The kernel does not export this function, so modpost will fail.", HelpURI},
	{CodeGPLOnly, Error, "A GPL-only export is used while MODULE_LICENSE is not GPL-compatible.", HelpURI},
	{CodeNotDeclared, Error, "No configured kernel header declares this name.", HelpURI},
	{CodeSignatureMismatch, Error, "A Rust function and its C prototype disagree: a hand-written extern \"C\" declaration against the kernel header or the C shim's definition, or a Rust function the C shim declares and calls.", HelpURI},
	{CodeFloat, Error, "Floating point in kernel code, where the FPU state is not saved.", HelpURI},
	{CodePrintkFormat, Warning, "A non-literal is passed as the format string of a printk-family function.", HelpURI},
	{CodeMissingExternC, Error, "A #[no_mangle] function called from C (the shim, or the kernel: init_module, cleanup_module) is not extern \"C\".", HelpURI},
	{CodeHardCodedConstant, Warning, "A bare number is passed where the kernel has named constants whose values change between kernels.", HelpURI},
	{CodeShadowedConstant, Warning, "A Rust constant named after a kernel macro or enum constant has another value than this kernel gives it.", HelpURI},
	{CodeMissingNUL, Error, "A string literal without a terminating NUL is passed to C as a char pointer.", HelpURI},
	{CodeNonGPLLicense, Warning, "MODULE_LICENSE is not GPL-compatible: loading taints the kernel and GPL-only exports are out of reach.", HelpURI},
	{CodeMissingLicense, Error, "The module declares no MODULE_LICENSE, so modpost stops the build.", HelpURI},
	{CodeTargetSpec, Error, "The Rust target specification is wrong for building a kernel module.", HelpURI},
	{CodeLegacyRustKo, Warning, "A rust.ko-era leftover (xargo build, std/ bindgen crate, obsolete lang item or #![feature], old target spec, C shim hack) that `rustko-lsp migrate` rewrites.", HelpURI},

	{CodeBindingsNotOurs, Warning, "The bindings (or helpers) output path holds a file rustko did not generate; rustko leaves it alone and generates into its cache.", HelpURI},
	{CodeBindings, Error, "Generating the Rust bindings from the KERNEL_INCLUDE headers failed.", HelpURI},
	{CodeHelperRefused, Error, "rustko cannot write a C helper for a KERNEL_HELPERS entry; the message says why.", HelpURI},
	{CodeCodegenUnsupported, Warning, "The Rust toolchain cannot generate code the way the kernel's configuration asks (return thunks, IBT, retpolines).", HelpURI},
	{CodeUndefinedSymbol, Error, "The built module uses a symbol the kernel does not export (found in the Rust object, or by modpost), so it cannot load.", HelpURI},
	{CodeGPLOnlySymbol, Error, "The built module uses a GPL-only export while MODULE_LICENSE is not GPL-compatible (found in the Rust object, or by modpost).", HelpURI},
	{CodeFloatInstruction, Error, "The compiled Rust object uses floating-point or SIMD instructions, whose registers the kernel does not save for module code.", HelpURI},
	{CodeGOTRelocation, Error, "The compiled Rust object has a relocation that needs a global offset table, which kernel modules do not have.", HelpURI},
	{CodeUnsupportedRelocation, Error, "The compiled Rust object has a relocation type the kernel's module loader does not support.", HelpURI},
	{CodeRedZone, Error, "Compiled Rust code uses the red zone below the stack pointer, which an interrupt in the kernel overwrites.", HelpURI},
	{CodeMissingEndbr, Error, "A Rust function that can be called indirectly does not start with endbr64 on a kernel with IBT.", HelpURI},
	{CodeBareReturn, Warning, "A Rust function returns with a bare ret on a kernel built with return thunks.", HelpURI},
	{CodeIndirectBranch, Warning, "An indirect call or jump bypasses the retpoline thunks the kernel is built with.", HelpURI},

	{CodeModuleOops, Error, "The module oopsed, hit a BUG or WARN, or panicked in a test boot (rustko-lsp run); reported at the first backtrace frame in the module's own code.", HelpURI},
	{CodeModuleRunFailed, Error, "The module failed in a test boot (rustko-lsp run) without a backtrace: insmod or rmmod refused, a hang, a taint, or a missing expected log line.", HelpURI},

	{CodeToolError, Error, "rustko-lsp could not check the module (exit 2): the module, kernel tree or toolchain could not be read.", HelpURI},
	{CodeKernelHeaders, Warning, "The kernel headers do not parse, so the editor has no bindings: hover, definition and the checks that need the kernel's declarations are off.", HelpURI},
	{CodeMakefileError, Error, "make cannot read the module's makefile, so the editor cannot load the module.", HelpURI},
	{CodeFileTooLarge, Info, "The file is over 1 MiB, so the editor does not run rustko's checks, hover or definition on it (rustc still checks it at build time).", HelpURI},
}

var byCode = func() map[string]Rule {
	m := make(map[string]Rule, len(registry))
	for _, r := range registry {
		if _, dup := m[r.Code]; dup {
			panic("diagnostics: code registered twice: " + r.Code)
		}
		m[r.Code] = r
	}
	return m
}()

// Lookup returns the rule of one of rustko's codes.
func Lookup(code string) (Rule, bool) {
	r, ok := byCode[code]
	return r, ok
}

// foreignCodes are the sources whose findings carry the tool's own code
// (rustc's E0308 or lint name, gcc's -Wformat), which rustko does not
// register.
var foreignCodes = map[string]bool{SourceRustc: true, SourceGCC: true}

// CheckCodes reports the findings whose code is neither registered nor
// their tool's own. The formatters run it in test binaries, so that any
// test that prints findings fails on a producer that made up a code.
func CheckCodes(fs []Finding) error {
	var bad []string
	for _, f := range fs {
		if f.Code == "" || foreignCodes[f.Source] {
			continue
		}
		if _, ok := byCode[f.Code]; !ok {
			bad = append(bad, fmt.Sprintf("%q (source %s, %s:%d)", f.Code, f.Source, f.File, f.Range.Start.Line))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("unregistered finding codes, add them to diagnostics/codes.go: %s", strings.Join(bad, ", "))
	}
	return nil
}
