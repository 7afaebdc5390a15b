package server

import (
	"go.lsp.dev/protocol"

	"github.com/rustko/rustko-lsp/diagnostics/rustsrc"
)

// cursor turns a position in an open (or on-disk) Rust file into the
// analysis's question, with the text the answer's offsets count in. It
// reports false when the file is in no module, there is no index yet, or
// the file is over maxAnalysedBytes.
func (s *Server) cursor(p protocol.TextDocumentPositionParams) (rustsrc.Cursor, *text, bool) {
	_, path := uriKey(p.TextDocument.URI)
	if path == "" || !isRust(path) {
		return rustsrc.Cursor{}, nil, false
	}
	se := s.sessionFor(path)
	if se == nil {
		return rustsrc.Cursor{}, nil, false
	}
	snap := se.current()
	if snap.ix == nil {
		return rustsrc.Cursor{}, nil, false
	}
	t := s.fileText(path, nil)
	if len(t.s) > maxAnalysedBytes {
		return rustsrc.Cursor{}, nil, false // not analysed (largefile.go): its note says hover and definition are off
	}
	enc, _ := s.negotiated()
	return rustsrc.Cursor{Src: t.s, Offset: t.offset(p.Position, enc), File: se.analysed(path, snap, t), Index: snap.ix}, t, true
}

// analysed is the analysis's parse of exactly t against snap's index, or
// nil: then the answer goes by spelling.
func (se *session) analysed(path string, snap *snapshot, t *text) *rustsrc.File {
	version := int32(-1)
	if d := se.srv.docs.byPath(path); d != nil {
		if d.text != t {
			return nil
		}
		version = d.version
	}
	se.mu.Lock()
	r, ok := se.resolvers[path]
	se.mu.Unlock()
	if !ok || r.version != version || r.snap != snap {
		return nil
	}
	return r.file
}
