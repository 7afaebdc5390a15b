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
	jsonPlace
	Severity string `json:"severity"`
	Code     string `json:"code"`
	Source   string `json:"source"`
	Message  string `json:"message"`
	// Related is present only when the finding has related places (the C
	// declaration, a decoded oops's callers), so scripts reading the nine
	// fields above see the same documents as before.
	Related []jsonRelated `json:"related,omitempty"`
	// Fixes is present only when the finding offers fixes: the edits the
	// editor's code actions (and, for legacy-rust.ko, migrate --write) apply,
	// so a script can apply them too.
	Fixes []jsonFix `json:"fixes,omitempty"`
}

// jsonFix is one fix: a title and its edits, all applied together.
type jsonFix struct {
	Title     string     `json:"title"`
	Preferred bool       `json:"preferred,omitempty"`
	Edits     []jsonEdit `json:"edits"`
}

// jsonEdit replaces the range (same position fields as a diagnostic's) with
// newText; a file that does not exist yet is created by the edit.
type jsonEdit struct {
	jsonPlace
	NewText string `json:"newText"`
}

// jsonRelated is another place that explains a diagnostic, with the same
// position fields.
type jsonRelated struct {
	jsonPlace
	Message string `json:"message"`
}

// jsonPlace is the file and range every entry starts with: embedded, its
// fields stand first and flat in the entry, as scripts read them.
type jsonPlace struct {
	File      string `json:"file"`
	Line      int    `json:"line"`
	Column    int    `json:"column"`
	EndLine   int    `json:"endLine"`
	EndColumn int    `json:"endColumn"`
}

// placeOf is file and r as an entry shows them: file relative to root.
func placeOf(root, file string, r Range) jsonPlace {
	return jsonPlace{File: relPath(root, file), Line: r.Start.Line, Column: r.Start.Column, EndLine: r.End.Line, EndColumn: r.End.Column}
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
	return encodeIndented(w, out, "JSON diagnostics")
}

// encodeIndented writes v as every JSON document of ours is written:
// indented, with <, > and & as they are; what names it in the error.
func encodeIndented(w io.Writer, v any, what string) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("writing %s: %w", what, err)
	}
	return nil
}

func toJSONDiagnostic(f Finding, root string) jsonDiagnostic {
	var related []jsonRelated
	for _, r := range f.Related {
		related = append(related, jsonRelated{placeOf(root, r.File, r.Range), r.Message})
	}
	var fixes []jsonFix
	for _, fx := range f.Fixes {
		jf := jsonFix{Title: fx.Title, Preferred: fx.Preferred, Edits: []jsonEdit{}}
		for _, e := range fx.Edits {
			jf.Edits = append(jf.Edits, jsonEdit{placeOf(root, e.File, e.Range), e.NewText})
		}
		fixes = append(fixes, jf)
	}
	return jsonDiagnostic{
		jsonPlace: placeOf(root, f.File, f.Range),
		Severity:  f.Severity.String(),
		Code:      f.Code,
		Source:    f.Source,
		Message:   f.Message,
		Related:   related,
		Fixes:     fixes,
	}
}
