package build

import (
	"context"
	"fmt"

	"github.com/rustko/rustko-lsp/bindings"
	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/workspace"
)

// generateBindings writes the module's BINDINGS file from the default
// headers and KERNEL_INCLUDE with kbuild's own flags. The bindings package caches by everything the
// output depends on, so an unchanged module costs a lookup, and the file is
// only rewritten when its text changes (cargo and kbuild go by times).
// A header that does not parse is the module's problem, reported on the
// line that set KERNEL_INCLUDE; ok is false then.
func (b *builder) generateBindings(ctx context.Context) (detail string, ok bool, err error) {
	// The module's own settings (headers, bindings file, KERNEL_HELPERS and
	// their C file), exactly as bindgen and the language server read them,
	// so that no two of them keep rewriting each other's files.
	o := b.w.BindingsOptions()
	res, err := bindings.Generate(ctx, o)
	if err != nil {
		if ctx.Err() != nil {
			return "", false, err
		}
		b.res.Findings = append(b.res.Findings, b.w.BindingsFailed(o.Headers, err))
		return "failed", false, nil
	}
	b.res.Findings = append(b.res.Findings, workspace.KeptFindings(res.Kept)...)
	if h := res.Helpers; h != nil {
		// C_FILES was read before the helper file first existed: link it
		// whether or not the wildcard saw it.
		b.helpersC = h.File
		file, line := b.w.SetAt("KERNEL_HELPERS")
		for _, r := range h.Refused {
			b.res.Findings = append(b.res.Findings, diagnostics.Finding{
				File: file, Range: diagnostics.Point(line, 1), Severity: diagnostics.Error, Source: diagnostics.SourceRustko,
				Code: diagnostics.CodeHelperRefused, Message: fmt.Sprintf("KERNEL_HELPERS: no C helper for %s: %s", r.Name, r.Reason),
			})
		}
	}
	if res.Cached {
		return "cached", true, nil
	}
	return fmt.Sprintf("generated %d items from %d headers", res.Emitted, len(o.Headers)), true, nil
}
