package diagnostics

import (
	"encoding/json"
	"fmt"
	"io"
)

// jsonDiagnostic is one entry of `rustko-lsp check --format json`. The field
// set and names are a documented interface for CI scripts: add fields, never
// rename them.
type jsonDiagnostic struct {
	File      string `json:"file"`
	Line      int    `json:"line"`
	Column    int    `json:"column"`
	EndLine   int    `json:"endLine"`
	EndColumn int    `json:"endColumn"`
	Severity  string `json:"severity"`
	Code      string `json:"code"`
	Source    string `json:"source"`
	Message   string `json:"message"`
}

// WriteJSON writes {"diagnostics":[...]}: 1-based lines and byte columns,
// files relative to root when inside it, sorted as shown (see SortUnder), and an empty
// list as [] rather than null.
func WriteJSON(w io.Writer, fs []Finding, root string) error {
	out := struct {
		Diagnostics []jsonDiagnostic `json:"diagnostics"`
	}{Diagnostics: []jsonDiagnostic{}}
	for _, f := range sorted(fs, root) {
		out.Diagnostics = append(out.Diagnostics, toJSONDiagnostic(f, root))
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("writing JSON diagnostics: %w", err)
	}
	return nil
}

func toJSONDiagnostic(f Finding, root string) jsonDiagnostic {
	return jsonDiagnostic{
		File:      relPath(root, f.File),
		Line:      f.Range.Start.Line,
		Column:    f.Range.Start.Column,
		EndLine:   f.Range.End.Line,
		EndColumn: f.Range.End.Column,
		Severity:  f.Severity.String(),
		Code:      f.Code,
		Source:    f.Source,
		Message:   f.Message,
	}
}
