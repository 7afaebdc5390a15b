package server

import (
	"context"

	"go.lsp.dev/protocol"

	"github.com/rustko/rustko-lsp/diagnostics/rustsrc"
)

// Hover shows the kernel item behind a Rust identifier; the analysis
// (rustsrc.Hover) writes what it says.
func (s *Server) Hover(ctx context.Context, p *protocol.HoverParams) (*protocol.Hover, error) {
	c, t, ok := s.cursor(p.TextDocumentPositionParams)
	if !ok {
		return nil, nil
	}
	enc, caps := s.negotiated()
	h, ok := rustsrc.Hover(c, caps.markdown)
	if !ok {
		return nil, nil
	}
	kind := protocol.MarkupKindPlainText
	if caps.markdown {
		kind = protocol.MarkupKindMarkdown
	}
	r := protocol.Range{Start: t.position(h.Start, enc), End: t.position(h.End, enc)}
	return &protocol.Hover{Contents: &protocol.MarkupContent{Kind: kind, Value: h.Text}, Range: &r}, nil
}
