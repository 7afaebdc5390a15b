package rustsrc

import (
	"fmt"

	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/module"
	"github.com/rustko/rustko-lsp/targets"
)

// CodeNonGPLLicense marks a MODULE_LICENSE the kernel does not count as
// GPL-compatible ("MIT" alone): loading taints the kernel and every
// EXPORT_SYMBOL_GPL symbol is out of reach.
const CodeNonGPLLicense = "non-gpl-license"

// CheckModule runs the checks about the module as a whole rather than one
// Rust file: its licence line and its target JSON (targets.CheckModule: the
// spec TARGET, LLVM_TARGET_SPEC or rust.ko's naming convention chose; the
// embedded default needs no check). Target findings are judged against
// env.Toolchain when the caller probed one (targets.Probe), else against
// current rustc.
func CheckModule(env *Env) []diagnostics.Finding {
	if env == nil || env.Module == nil {
		return nil
	}
	var out []diagnostics.Finding
	if lic := env.License; lic != nil && !module.GPLCompatible(lic.Value) {
		r := diagnostics.Range{Start: diagnostics.Position{Line: lic.Line, Column: lic.Column}, End: diagnostics.Position{Line: lic.EndLine, Column: lic.EndColumn}}
		to := dualLicense(lic.Value)
		out = append(out, diagnostics.Finding{
			File: lic.File, Range: r, Severity: diagnostics.Warning, Code: CodeNonGPLLicense, Source: diagnostics.SourceRustko,
			Message: fmt.Sprintf("licence %q is not GPL-compatible for the kernel: loading the module taints the kernel and "+
				"EXPORT_SYMBOL_GPL symbols are unavailable to it. If the code may be distributed under the GPL too, say %q.", lic.Value, to),
			Fixes: []diagnostics.Fix{{Title: fmt.Sprintf("Change the licence to %q", to), Edits: []diagnostics.Edit{{File: lic.File, Range: r, NewText: to}}}},
		})
	}
	return append(out, targets.CheckModule(env.Module, env.Toolchain)...)
}
