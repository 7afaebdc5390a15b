package workspace

import (
	"bytes"
	"fmt"
	"os"

	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/diagnostics/rustsrc"
	"github.com/rustko/rustko-lsp/migrate"
	"github.com/rustko/rustko-lsp/module"
	"github.com/rustko/rustko-lsp/targets"
)

// moduleFindings are about the module as a whole rather than one Rust
// file: its licence line, rust.ko-era leftovers and its target JSON
// (targets.CheckModule: the spec TARGET, LLVM_TARGET_SPEC or rust.ko's naming
// convention chose; the embedded default needs no check), judged against tc
// (nil: current rustc). They are assembled here, once per load, so that
// check and the editor show the same ones. src is the crate walk (nil when
// it failed: C_FILES and RUST_FILES then), lic the licence (nil: none) and
// licErr why it could not be read (a file of the module unreadable: the
// load warns, and nothing is said about a licence no one could read).
func moduleFindings(m *module.Module, src *rustsrc.Sources, lic *module.License, licErr error, tc *targets.Toolchain) []diagnostics.Finding {
	var out []diagnostics.Finding
	if lic == nil && licErr == nil {
		if f, ok := missingLicense(m, src); ok {
			out = append(out, f)
		}
	}
	if lic != nil && !module.GPLCompatible(lic.Value) {
		r := diagnostics.Range{Start: diagnostics.Position{Line: lic.Line, Column: lic.Column}, End: diagnostics.Position{Line: lic.EndLine, Column: lic.EndColumn}}
		to := module.DualLicense(lic.Value)
		out = append(out, diagnostics.Finding{
			File: lic.File, Range: r, Severity: diagnostics.Warning, Code: diagnostics.CodeNonGPLLicense, Source: diagnostics.SourceRustko,
			Message: fmt.Sprintf("licence %q is not GPL-compatible for the kernel: loading the module taints the kernel and "+
				"EXPORT_SYMBOL_GPL symbols are unavailable to it. If the code may be distributed under the GPL too, say %q.", lic.Value, to),
			Fixes: []diagnostics.Fix{{Title: fmt.Sprintf("Change the licence to %q", to), Edits: []diagnostics.Edit{{File: lic.File, Range: r, NewText: to}}}},
		})
	}
	// Each with the edits `rustko-lsp migrate --write` applies as its fix:
	// check and the editor list the same findings and offer the same edits.
	out = append(out, migrate.Findings(m)...)
	return append(out, targets.CheckModule(m, tc)...)
}

// missingLicense reports the absent MODULE_LICENSE at the top of the C file
// that registers the module (module_init), where the line belongs, else of
// the first source file; a module with no source files has nothing to
// point at.
func missingLicense(m *module.Module, src *rustsrc.Sources) (diagnostics.Finding, bool) {
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
		File: file, Range: diagnostics.Point(1, 1), Severity: diagnostics.Error, Code: diagnostics.CodeMissingLicense, Source: diagnostics.SourceRustko,
		Message: "the module declares no licence: modpost stops the build with \"missing MODULE_LICENSE()\", and an unlicensed module " +
			"would taint the kernel and be refused every EXPORT_SYMBOL_GPL symbol. Add MODULE_LICENSE(\"GPL\") (or \"Dual MIT/GPL\" ...) to the C shim.",
	}, true
}
