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
	build, from := se.build[file], []int(nil)
	if mark, ok := se.buildMarks[file]; ok && len(build) > 0 {
		build, from = placeBuildFindings(build, mark, doc)
	}
	origin := make([]*diagnostics.Finding, len(build)) // build[i] is *origin[i], placed on doc
	for i := range build {
		j := i
		if from != nil {
			j = from[i]
		}
		origin[i] = &se.build[file][j]
	}
	analysis := se.analysis[file]
	if len(build) > 0 {
		analysis, build = mergeCompilerFindings(analysis, build, origin, se.folded)
	}
	for _, layer := range [][]diagnostics.Finding{se.project[file], analysis, build} {
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

// unresolvedName are rustc's errors for a name it cannot find: on a kernel
// name, rustko's own finding at the same place says why (a static inline
// function, a macro, a missing header) and what to do, where rustc can only
// suggest a similar name.
var unresolvedName = map[string]bool{"E0425": true, "E0412": true, "E0423": true, "E0433": true, "E0531": true}

// mergeCompilerFindings makes one diagnostic of one problem: a rustc
// unresolved-name error on the span of a rustko finding is folded into
// that finding as related information, so the editor shows one
// diagnostic with one piece of advice and rustc's words beside it. The
// inputs are not modified.
//
// folded remembers, by the build's own finding (origin[i] for build[i]),
// which were folded: when the rustko finding goes before the next build
// ends (its cause fixed, KERNEL_HELPERS or KERNEL_INCLUDE changed), the
// rustc error it stood for is the last build's, about the code as it was,
// and stays hidden rather than come back for the seconds the build takes.
func mergeCompilerFindings(analysis, build []diagnostics.Finding, origin []*diagnostics.Finding, folded map[*diagnostics.Finding]bool) ([]diagnostics.Finding, []diagnostics.Finding) {
	var keptBuild []diagnostics.Finding
	var out []diagnostics.Finding
	changed := false
	for j, c := range build {
		i := -1
		if c.Source == diagnostics.SourceRustc && unresolvedName[c.Code] {
			i = slices.IndexFunc(analysis, func(f diagnostics.Finding) bool {
				return f.Source == diagnostics.SourceRustko && sameSpan(f.Range, c.Range)
			})
		}
		if i < 0 {
			if folded[origin[j]] {
				changed = true
			} else {
				keptBuild = append(keptBuild, c)
			}
			continue
		}
		folded[origin[j]] = true
		changed = true
		if out == nil {
			out = slices.Clone(analysis)
		}
		f := &out[i]
		f.Related = append(slices.Clone(f.Related), diagnostics.Related{
			File: c.File, Range: c.Range, Message: fmt.Sprintf("rustc %s: %s", c.Code, c.Message),
		})
	}
	if !changed {
		return analysis, build
	}
	if out == nil {
		out = analysis
	}
	return out, keptBuild
}

// sameSpan reports whether two findings are on the same code: the same
// line, with overlapping columns (rustc underlines `bindings::kmalloc`,
// rustko `kmalloc` or the whole call).
func sameSpan(a, b diagnostics.Range) bool {
	if a.Start.Line != b.Start.Line {
		return false
	}
	aEnd, bEnd := a.End, b.End
	if aEnd.Line != a.Start.Line {
		aEnd = diagnostics.Position{Line: a.Start.Line, Column: 1 << 30}
	}
	if bEnd.Line != b.Start.Line {
		bEnd = diagnostics.Position{Line: b.Start.Line, Column: 1 << 30}
	}
	return a.Start.Column <= max(bEnd.Column, b.Start.Column) && b.Start.Column <= max(aEnd.Column, a.Start.Column)
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
	enc, caps := s.negotiated()
	u := uri.File(file)
	texts := map[string]*text{}
	if doc != nil {
		u, texts[file] = doc.uri, doc.text
	}
	textOf := func(path string) *text { return s.fileText(path, texts) }
	diags := make([]protocol.Diagnostic, 0, len(list))
	for _, f := range list {
		diags = append(diags, toDiagnostic(f, textOf(filepath.Clean(f.File)), enc, caps.relatedInfo, textOf))
	}
	if !s.changedSincePublished(u, diags) {
		s.log.Debug("findings unchanged; not published again", "file", file)
		return
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

// changedSincePublished records diags as the last list sent for u and
// reports whether it differs from the one before. A build ends with a
// publish of its findings and, when it changed the index, with the
// analyses that follow; each would otherwise send the same list again.
func (s *Server) changedSincePublished(u uri.URI, diags []protocol.Diagnostic) bool {
	b, err := protocol.Marshal(diags)
	if err != nil {
		return true
	}
	s.pubMu.Lock()
	defer s.pubMu.Unlock()
	if last, ok := s.published[u]; ok && last == string(b) {
		return false
	}
	s.published[u] = string(b)
	return true
}

// forgetPublished makes the next list for u go out even if it is the same:
// a client may clear a document's diagnostics when it closes or reopens it.
func (s *Server) forgetPublished(u uri.URI) {
	s.pubMu.Lock()
	defer s.pubMu.Unlock()
	delete(s.published, u)
}
