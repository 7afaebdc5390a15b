package server

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/rustko/rustko-lsp/diagnostics"
)

// collect returns what the editor should show for file: the three layers
// together, each finding once even when two layers report it. Build
// findings are placed on doc (the open buffer, or nil for the disk) through
// the edits made since the build read the file. The caller holds se.mu.
func (se *session) collect(file string, doc *document) []diagnostics.Finding {
	var out []diagnostics.Finding
	type key struct {
		r         diagnostics.Range
		code, msg string
	}
	seen := map[key]bool{}
	build := se.build[file]
	if m, ok := se.buildMarks[file]; ok && len(build) > 0 {
		build = mapBuildFindings(build, m, doc)
	}
	for _, layer := range [][]diagnostics.Finding{se.project[file], se.analysis[file], build} {
		for _, f := range layer {
			k := key{f.Range, f.Code, f.Message}
			if !seen[k] {
				seen[k] = true
				out = append(out, f)
			}
		}
	}
	return out
}

// publish sends the current findings of each file; a file whose findings
// went away gets an empty list (never null), so nothing stale survives.
func (se *session) publish(files []string) {
	s := se.srv
	slices.Sort(files)
	files = slices.Compact(files)
	se.pubMu.Lock()
	defer se.pubMu.Unlock()
	for _, f := range files {
		doc := s.docs.byPath(f)
		se.mu.Lock()
		if se.closed {
			se.mu.Unlock()
			return
		}
		list := se.collect(f, doc)
		was := se.shown[f]
		se.shown[f] = len(list) > 0
		se.mu.Unlock()
		if len(list) == 0 && !was {
			continue
		}
		s.publishFile(f, list, doc)
	}
}

// clearAll empties every file this session ever showed findings on.
func (se *session) clearAll() {
	se.pubMu.Lock()
	defer se.pubMu.Unlock()
	se.mu.Lock()
	var files []string
	for f, on := range se.shown {
		if on {
			files = append(files, f)
		}
	}
	se.shown = map[string]bool{}
	se.mu.Unlock()
	for _, f := range files {
		se.srv.publishFile(f, nil, se.srv.docs.byPath(f))
	}
}

// publishFile sends file's findings, placed on doc's text when it is open
// (the version collect placed them on).
func (s *Server) publishFile(file string, list []diagnostics.Finding, doc *document) {
	s.mu.Lock()
	enc, related := s.enc, s.caps.relatedInfo
	s.mu.Unlock()
	u := uri.File(file)
	var body *text
	if d := doc; d != nil {
		u, body = d.uri, d.text
	}
	diags := make([]protocol.Diagnostic, 0, len(list))
	texts := map[string]*text{}
	textOf := func(path string) *text {
		if path == file && body != nil {
			return body
		}
		return s.fileText(path, texts)
	}
	for _, f := range list {
		diags = append(diags, toDiagnostic(f, textOf(filepath.Clean(f.File)), enc, related, textOf))
	}
	if err := s.client.PublishDiagnostics(s.ctx, &protocol.PublishDiagnosticsParams{URI: u, Diagnostics: diags}); err != nil {
		s.log.Debug("publishDiagnostics failed", "file", file, "error", err)
	}
}

// fileText is the text positions in path refer to: the open buffer, or the
// file on disk (an empty text when it cannot be read, which clamps every
// position to the start).
func (s *Server) fileText(path string, cache map[string]*text) *text {
	if t, ok := cache[path]; ok {
		return t
	}
	var t *text
	if d := s.docs.byPath(path); d != nil {
		t = d.text
	} else if b, err := os.ReadFile(path); err == nil {
		t = newText(string(b))
	} else {
		t = newText("")
	}
	if cache != nil {
		cache[path] = t
	}
	return t
}

func toDiagnostic(f diagnostics.Finding, t *text, enc encoding, related bool, textOf func(string) *text) protocol.Diagnostic {
	d := protocol.Diagnostic{
		Range:    t.findingRange(f.Range, enc),
		Severity: severity(f.Severity),
		Message:  protocol.String(f.Message),
	}
	if f.Source != "" {
		d.Source = protocol.NewOptional(f.Source)
	}
	if f.Code != "" {
		d.Code = protocol.String(f.Code)
	}
	if !related {
		// Without relatedInformation the client would drop where the
		// explanation points; fold it into the message instead.
		var b strings.Builder
		b.WriteString(f.Message)
		for _, r := range f.Related {
			fmt.Fprintf(&b, "\n%s:%d: %s", r.File, r.Range.Start.Line, r.Message)
		}
		d.Message = protocol.String(b.String())
		return d
	}
	for _, r := range f.Related {
		if r.File == "" {
			continue
		}
		rt := textOf(filepath.Clean(r.File))
		d.RelatedInformation = append(d.RelatedInformation, protocol.DiagnosticRelatedInformation{
			Location: protocol.Location{URI: uri.File(r.File), Range: rt.findingRange(r.Range, enc)},
			Message:  r.Message,
		})
	}
	return d
}

func severity(s diagnostics.Severity) protocol.DiagnosticSeverity {
	switch s {
	case diagnostics.Error:
		return protocol.DiagnosticSeverityError
	case diagnostics.Warning:
		return protocol.DiagnosticSeverityWarning
	case diagnostics.Info:
		return protocol.DiagnosticSeverityInformation
	case diagnostics.Hint:
		return protocol.DiagnosticSeverityHint
	}
	return protocol.DiagnosticSeverityError
}
