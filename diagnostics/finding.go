// Package diagnostics owns the Finding type that every part of rustko-lsp
// reports problems with, and the formats findings are printed in (text with a
// caret, JSON, SARIF). Rust source analysis lives in the rustsrc subpackage.
//
// Findings deliberately use their own small position types rather than LSP's:
// `rustko-lsp check` and the language server share everything below server/.
package diagnostics

import "fmt"

// Severity orders findings the way compilers and LSP do: lower is worse.
type Severity int

const (
	Error Severity = iota + 1
	Warning
	Info
	Hint
)

var severityNames = [...]string{Error: "error", Warning: "warning", Info: "info", Hint: "hint"}

func (s Severity) String() string {
	if s >= Error && s <= Hint {
		return severityNames[s]
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// Position is 1-based in both line and column; Column counts bytes of the
// UTF-8 line, as gcc and rustc do. The server converts to the client's
// negotiated encoding using the document text.
type Position struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

// Range is half-open: End is the first byte after the range.
type Range struct {
	Start Position `json:"start"`
	End   Position `json:"end"`
}

// Point returns an empty range at p; tools without a span (modpost) use a
// whole-line range instead where the line is known.
func Point(line, col int) Range {
	return Range{Start: Position{line, col}, End: Position{line, col}}
}

// Edit replaces Range in File with NewText. File is absolute.
type Edit struct {
	File    string `json:"file"`
	Range   Range  `json:"range"`
	NewText string `json:"newText"`
}

// Fix is a quick fix a finding offers; applying every Edit resolves it.
type Fix struct {
	Title string `json:"title"`
	Edits []Edit `json:"edits"`
	// Preferred marks the fix an editor may apply with one key.
	Preferred bool `json:"preferred,omitempty"`
}

// Related points at another place that explains the finding (rustc's
// secondary spans, the C declaration, the licence line).
type Related struct {
	File    string `json:"file"`
	Range   Range  `json:"range"`
	Message string `json:"message"`
}

// Finding is one problem, from our own analysis or from a tool we ran.
type Finding struct {
	File     string    `json:"file"` // absolute path
	Range    Range     `json:"range"`
	Severity Severity  `json:"severity"`
	Code     string    `json:"code,omitempty"` // stable kebab-case for rustko's own findings; rustc's E0308 etc.
	Source   string    `json:"source"`         // "rustko", "rustc", "gcc", "modpost", "kbuild", "objcheck", "target-spec"
	Message  string    `json:"message"`
	Related  []Related `json:"related,omitempty"`
	Fixes    []Fix     `json:"fixes,omitempty"`
}

func (f Finding) String() string {
	code := ""
	if f.Code != "" {
		code = " [" + f.Code + "]"
	}
	return fmt.Sprintf("%s:%d:%d: %s: %s%s", f.File, f.Range.Start.Line, f.Range.Start.Column, f.Severity, f.Message, code)
}

// Source names used across packages.
const (
	SourceRustko  = "rustko"
	SourceRustc   = "rustc"
	SourceGCC     = "gcc"
	SourceModpost = "modpost"
	SourceKbuild  = "kbuild"
	SourceObject  = "objcheck"
)
