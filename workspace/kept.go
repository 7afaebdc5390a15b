package workspace

import (
	"github.com/rustko/rustko-lsp/bindings"
	"github.com/rustko/rustko-lsp/diagnostics"
)

// KeptFindings are the findings for bindings.Result.Kept, one at each
// output path holding a file rustko did not generate, the same from check,
// build and the language server.
func KeptFindings(kept []string) []diagnostics.Finding {
	var out []diagnostics.Finding
	for _, p := range kept {
		out = append(out, diagnostics.Finding{
			File: p, Range: diagnostics.Point(1, 1), Severity: diagnostics.Warning, Source: diagnostics.SourceRustko,
			Code: diagnostics.CodeBindingsNotOurs, Message: bindings.KeptMessage(p),
		})
	}
	return out
}
