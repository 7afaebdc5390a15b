package server

import (
	"context"
	"os"
	"path/filepath"
	"slices"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/rustko/rustko-lsp/diagnostics"
)

// CodeAction offers the quick fixes of the findings under the range: add a
// function to KERNEL_HELPERS, add a header to KERNEL_INCLUDE, replace a
// number with the macro it equals, apply rustc's machine-applicable
// suggestions. Each fix is the finding's own edit list, so the editor
// applies exactly what `rustko-lsp check --fix` would.
func (s *Server) CodeAction(ctx context.Context, p *protocol.CodeActionParams) ([]protocol.CommandOrCodeAction, error) {
	out := []protocol.CommandOrCodeAction{}
	if len(p.Context.Only) > 0 && !slices.ContainsFunc(p.Context.Only, func(k protocol.CodeActionKind) bool {
		return k == protocol.CodeActionKindQuickFix || k == "quickfix" || k == ""
	}) {
		return out, nil
	}
	_, path := uriKey(p.TextDocument.URI)
	se := s.sessionFor(path)
	if se == nil {
		return out, nil
	}
	enc, caps := s.negotiated()
	doc := s.docs.byPath(path)
	se.mu.Lock()
	list := se.collect(path, doc)
	se.mu.Unlock()

	texts := map[string]*text{}
	if doc != nil {
		texts[path] = doc.text // the version the findings were placed on
	}
	textOf := func(f string) *text { return s.fileText(f, texts) }
	t := textOf(path)
	for _, f := range list {
		if len(f.Fixes) == 0 {
			continue
		}
		d := toDiagnostic(f, t, enc, caps.relatedInfo, textOf)
		if !overlaps(d.Range, p.Range) {
			continue
		}
		for _, fix := range f.Fixes {
			edit := s.workspaceEdit(fix.Edits, textOf, enc)
			if edit == nil {
				continue
			}
			a := &protocol.CodeAction{
				Title:       fix.Title,
				Kind:        new(protocol.CodeActionKindQuickFix),
				Diagnostics: []protocol.Diagnostic{matching(d, p.Context.Diagnostics)},
				Edit:        edit,
			}
			if fix.Preferred {
				a.IsPreferred = new(true)
			}
			out = append(out, a)
		}
	}
	return out, nil
}

// matching returns the client's copy of d when it sent one, so the editor
// can tie the action to the diagnostic it displays.
func matching(d protocol.Diagnostic, sent []protocol.Diagnostic) protocol.Diagnostic {
	for _, c := range sent {
		if c.Range == d.Range && messageOf(c) == messageOf(d) {
			return c
		}
	}
	return d
}

func messageOf(d protocol.Diagnostic) string {
	switch m := d.Message.(type) {
	case protocol.String:
		return string(m)
	case *protocol.MarkupContent:
		return m.Value
	}
	return ""
}

// overlaps reports whether two ranges share a position; touching counts, so
// a cursor at either end of a diagnostic gets its fixes.
func overlaps(a, b protocol.Range) bool {
	return !before(a.End, b.Start) && !before(b.End, a.Start)
}

func before(x, y protocol.Position) bool {
	return x.Line < y.Line || x.Line == y.Line && x.Character < y.Character
}

// workspaceEdit converts a fix's edits. Files that do not exist yet (a new
// config.mk) are created first, which needs documentChanges; otherwise the
// plain changes map every client supports is used.
func (s *Server) workspaceEdit(edits []diagnostics.Edit, textOf func(string) *text, enc encoding) *protocol.WorkspaceEdit {
	if len(edits) == 0 {
		return nil
	}
	byFile := map[string][]protocol.TextEdit{}
	var order []string
	for _, e := range edits {
		f := filepath.Clean(e.File)
		if _, ok := byFile[f]; !ok {
			order = append(order, f)
		}
		t := textOf(f)
		byFile[f] = append(byFile[f], protocol.TextEdit{
			Range:   protocol.Range{Start: t.findingPos(e.Range.Start, enc), End: t.findingPos(e.Range.End, enc)},
			NewText: e.NewText,
		})
	}
	missing := func(f string) bool {
		_, err := os.Stat(f)
		return err != nil && s.docs.byPath(f) == nil
	}
	if !slices.ContainsFunc(order, missing) {
		we := &protocol.WorkspaceEdit{Changes: map[uri.URI][]protocol.TextEdit{}}
		for _, f := range order {
			we.Changes[s.uriOf(f)] = byFile[f]
		}
		return we
	}
	we := &protocol.WorkspaceEdit{}
	for _, f := range order {
		u := s.uriOf(f)
		if missing(f) {
			we.DocumentChanges = append(we.DocumentChanges, &protocol.CreateFile{
				ResourceOperation: protocol.ResourceOperation{Kind: "create"},
				Kind:              "create", URI: u, Options: &protocol.CreateFileOptions{IgnoreIfExists: new(true)},
			})
		}
		var elems []protocol.TextDocumentEditElement
		for i := range byFile[f] {
			elems = append(elems, &byFile[f][i])
		}
		we.DocumentChanges = append(we.DocumentChanges, &protocol.TextDocumentEdit{
			TextDocument: protocol.OptionalVersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: u}},
			Edits:        elems,
		})
	}
	return we
}

// uriOf spells a file's URI the way the client did when it is open.
func (s *Server) uriOf(path string) uri.URI {
	if d := s.docs.byPath(path); d != nil {
		return d.uri
	}
	return uri.File(path)
}
