package server

import (
	"context"
	"fmt"
	"sync"

	"go.lsp.dev/protocol"
)

// progress reports one long task with $/progress when the client supports
// work-done progress; otherwise every method is a no-op.
type progress struct {
	s     *Server
	token protocol.ProgressToken
	mu    sync.Mutex
	ended bool
	last  string
}

// beginProgress creates a token with window/workDoneProgress/create (the
// client must accept it before any $/progress) and sends begin. It runs on a
// worker, never in a handler, because create waits for the client's reply.
func (s *Server) beginProgress(ctx context.Context, title string) *progress {
	s.mu.Lock()
	supported := s.caps.workDoneProgress
	s.progress++
	n := s.progress
	s.mu.Unlock()
	if !supported {
		return &progress{}
	}
	tok := protocol.String(fmt.Sprintf("rustko/%d", n))
	if err := s.client.WorkDoneProgressCreate(ctx, &protocol.WorkDoneProgressCreateParams{Token: tok}); err != nil {
		s.log.Debug("client refused a progress token", "error", err)
		return &progress{}
	}
	p := &progress{s: s, token: tok}
	p.send(protocol.WorkDoneProgressBegin{Kind: "begin", Title: title})
	return p
}

// report announces a pipeline stage ("bindings", "sysroot", "rust",
// "kbuild", "checks") with an optional detail.
func (p *progress) report(stage, message string) {
	if p.s == nil {
		return
	}
	msg := stage
	if message != "" {
		msg = stage + ": " + message
	}
	p.mu.Lock()
	if p.ended || msg == p.last {
		p.mu.Unlock()
		return
	}
	p.last = msg
	p.mu.Unlock()
	p.send(protocol.WorkDoneProgressReport{Kind: "report", Message: &msg})
}

func (p *progress) end(message string) {
	if p.s == nil {
		return
	}
	p.mu.Lock()
	if p.ended {
		p.mu.Unlock()
		return
	}
	p.ended = true
	p.mu.Unlock()
	p.send(protocol.WorkDoneProgressEnd{Kind: "end", Message: &message})
}

func (p *progress) send(v any) {
	raw, err := protocol.Marshal(v)
	if err != nil {
		p.s.log.Warn("cannot encode progress", "error", err)
		return
	}
	// The server context, not the build's: the end of a cancelled build
	// must still reach the client or its spinner never stops.
	if err := p.s.client.Progress(p.s.ctx, &protocol.ProgressParams{Token: p.token, Value: raw}); err != nil {
		p.s.log.Debug("progress notification failed", "error", err)
	}
}
