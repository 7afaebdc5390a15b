package server

import (
	"context"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

// DidOpen records the buffer and analyses it at once.
func (s *Server) DidOpen(ctx context.Context, p *protocol.DidOpenTextDocumentParams) error {
	item := p.TextDocument
	if raw := s.openedAs; raw != "" && raw != string(item.URI) {
		if canon, err := uri.Parse(raw); err == nil && canon == item.URI {
			item.URI = uri.URI(raw) // publish under the client's own spelling
		}
	}
	d := s.docs.open(item)
	s.forgetPublished(d.uri)
	if d.path == "" {
		s.log.Debug("opened a non-file document; it gets no analysis", "uri", string(d.uri))
		return nil
	}
	se := s.sessionFor(d.path)
	if se == nil {
		return nil
	}
	se.markOpened(d)
	if isRust(d.path) {
		se.analyseSoon(d.path, 0)
	} else {
		// A config file opened in the editor: republish so its findings
		// are positioned against the buffer the user sees.
		s.goBackground("publish "+d.path, func() { se.publish([]string{d.path}) })
	}
	return nil
}

// DidChange applies the edit and schedules analysis of the buffer once the
// keyboard is quiet; no save is needed for rustko's own findings.
func (s *Server) DidChange(ctx context.Context, p *protocol.DidChangeTextDocumentParams) error {
	enc, _ := s.negotiated()
	d, err := s.docs.change(p, enc)
	if err != nil {
		return err
	}
	if d.path == "" || !isRust(d.path) {
		return nil
	}
	if se := s.sessionFor(d.path); se != nil {
		se.analyseSoon(d.path, s.opts.AnalysisDelay)
	}
	return nil
}

// DidSave starts the build (debounced, superseding a build in flight) when
// build-on-save is on; saving a makefile, Cargo.toml, target JSON or one of
// the module's sources (the licence is read from them) first reloads the
// module.
func (s *Server) DidSave(ctx context.Context, p *protocol.DidSaveTextDocumentParams) error {
	_, path := uriKey(p.TextDocument.URI)
	if path == "" {
		return nil
	}
	if s.docs.byPath(path) == nil {
		// LSP sends didSave for documents open in the client, and this
		// one was never opened with us (the client's document selector
		// leaves it out, or its didOpen was lost): what changed on disk
		// is not something we were shown. A configuration file still
		// reloads the module, as the file watcher would; nothing builds.
		if se := s.sessionFor(path); se != nil && (configFile(path) || se.readBySources(path)) {
			se.invalidate()
		}
		s.log.Debug("didSave for a document that is not open; no build", "uri", string(p.TextDocument.URI))
		return nil
	}
	se := s.sessionFor(path)
	if se == nil {
		return nil
	}
	if configFile(path) || se.configChanged() || se.readBySources(path) {
		se.invalidate()
	}
	s.mu.Lock()
	build := s.settings.buildOnSave()
	s.mu.Unlock()
	if build {
		se.requestBuild()
	}
	return nil
}

// DidClose forgets the buffer; the file's findings now follow the disk.
func (s *Server) DidClose(ctx context.Context, p *protocol.DidCloseTextDocumentParams) error {
	d := s.docs.close(p.TextDocument.URI)
	if d != nil {
		s.forgetPublished(d.uri)
	}
	if d == nil || d.path == "" {
		return nil
	}
	if se := s.sessionFor(d.path); se != nil && isRust(d.path) {
		se.forget(d.path)
		se.analyseSoon(d.path, 0)
	}
	return nil
}
