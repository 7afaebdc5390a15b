package server

import (
	"context"
	"path/filepath"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/rustko/rustko-lsp/diagnostics/rustsrc"
)

// Definition jumps from a Rust identifier to the C declaration in the
// kernel header (rustsrc.Definition).
func (s *Server) Definition(ctx context.Context, p *protocol.DefinitionParams) (protocol.DefinitionResult, error) {
	c, _, ok := s.cursor(p.TextDocumentPositionParams)
	if !ok {
		return nil, nil
	}
	locs := rustsrc.Definition(c)
	switch len(locs) {
	case 0:
		return nil, nil
	case 1:
		loc := s.location(locs[0])
		return &loc, nil
	}
	out := make(protocol.LocationSlice, len(locs))
	for i, l := range locs {
		out[i] = s.location(l)
	}
	return out, nil
}

// location converts a place in a header (1-based line, byte column) into an
// LSP location, reading the header to count columns in the client's
// encoding.
func (s *Server) location(l rustsrc.Location) protocol.Location {
	enc, _ := s.negotiated()
	path := filepath.Clean(l.File)
	t := s.fileText(path, nil)
	return protocol.Location{URI: uri.File(path), Range: protocol.Range{Start: t.findingPos(l.Range.Start, enc), End: t.findingPos(l.Range.End, enc)}}
}
