package rustsrc

import (
	"bytes"
	"fmt"
	"os"

	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/migrate"
	"github.com/rustko/rustko-lsp/module"
	"github.com/rustko/rustko-lsp/targets"
)

// CodeNonGPLLicense marks a MODULE_LICENSE the kernel does not count as
// GPL-compatible ("MIT" alone): loading taints the kernel and every
// EXPORT_SYMBOL_GPL symbol is out of reach.
const CodeNonGPLLicense = diagnostics.CodeNonGPLLicense

// CodeMissingLicense marks a module without MODULE_LICENSE: modpost stops
// the build ("missing MODULE_LICENSE()"), long after check said nothing.
const CodeMissingLicense = diagnostics.CodeMissingLicense

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
	if env.License == nil {
		if f, ok := missingLicense(env.Module, env.sourceSet()); ok {
			out = append(out, f)
		}
	}
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
	// rust.ko-era leftovers, each with the edits `rustko-lsp migrate --write`
	// applies as its fix: check and the editor (whose module analysis also
	// ends here) list the same findings and offer the same edits.
	out = append(out, migrate.Findings(env.Module)...)
	return append(out, targets.CheckModule(env.Module, env.Toolchain)...)
}

// missingLicense reports the absent MODULE_LICENSE at the top of the C file
// that registers the module (module_init), where the line belongs, else of
// the first source file; a module with no source files has nothing to
// point at.
func missingLicense(m *module.Module, src *Sources) (diagnostics.Finding, bool) {
	cfiles, rfiles := m.Vars.CFiles, m.Vars.RustFiles
	if src != nil {
		cfiles, rfiles = src.C, src.Rust
	}
	file := ""
	for _, c := range cfiles {
		if b, err := os.ReadFile(c); err == nil && bytes.Contains(b, []byte("module_init")) {
			file = c
			break
		}
	}
	if file == "" {
		switch {
		case len(cfiles) > 0:
			file = cfiles[0]
		case len(rfiles) > 0:
			file = rfiles[0]
		default:
			return diagnostics.Finding{}, false
		}
	}
	return diagnostics.Finding{
		File: file, Range: diagnostics.Range{Start: diagnostics.Position{Line: 1, Column: 1}, End: diagnostics.Position{Line: 1, Column: 1}},
		Severity: diagnostics.Error, Code: CodeMissingLicense, Source: diagnostics.SourceRustko,
		Message: "the module declares no licence: modpost stops the build with \"missing MODULE_LICENSE()\", and an unlicensed module " +
			"would taint the kernel and be refused every EXPORT_SYMBOL_GPL symbol. Add MODULE_LICENSE(\"GPL\") (or \"Dual MIT/GPL\" ...) to the C shim.",
	}, true
}
