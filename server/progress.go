package server

import (
	"context"
	"fmt"
	"sync"
	"time"

	"go.lsp.dev/protocol"
)

// createTimeout bounds how long a progress token waits for the client to
// accept it; the work never waits at all.
const createTimeout = 10 * time.Second

// progress reports one long task with $/progress when the client supports
// work-done progress. The work only queues events: a sender goroutine first
// creates the token (window/workDoneProgress/create, which waits for the
// client's reply) and then sends them in order, so a slow or silent client
// never delays a build. Without client support every method is a no-op.
type progress struct {
	s     *Server
	token protocol.ProgressToken

	mu      sync.Mutex
	queue   []any
	last    string // last report, to drop repeats
	ended   bool
	wake    chan struct{}
	stopped chan struct{} // closed when the sender is done
}

func (s *Server) beginProgress(_ context.Context, title string) *progress {
	s.mu.Lock()
	supported := s.caps.workDoneProgress
	s.progress++
	n := s.progress
	s.mu.Unlock()
	if !supported {
		return &progress{}
	}
	p := &progress{
		s:       s,
		token:   protocol.String(fmt.Sprintf("rustko/%d", n)),
		queue:   []any{protocol.WorkDoneProgressBegin{Kind: "begin", Title: title}},
		wake:    make(chan struct{}, 1),
		stopped: make(chan struct{}),
	}
	s.goBackground("progress "+title, p.run)
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
	defer p.mu.Unlock()
	if p.ended || msg == p.last {
		return
	}
	p.last = msg
	p.queue = append(p.queue, protocol.WorkDoneProgressReport{Kind: "report", Message: &msg})
	p.poke()
}

func (p *progress) end(message string) {
	if p.s == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ended {
		return
	}
	p.ended = true
	p.queue = append(p.queue, protocol.WorkDoneProgressEnd{Kind: "end", Message: &message})
	p.poke()
}

func (p *progress) poke() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// run creates the token, then sends queued events until the end is sent.
// It uses the server's context, not the task's: the end of a cancelled
// build must still reach the client, or its spinner never stops.
func (p *progress) run() {
	defer close(p.stopped)
	ctx, cancel := context.WithTimeout(p.s.ctx, createTimeout)
	err := p.s.client.WorkDoneProgressCreate(ctx, &protocol.WorkDoneProgressCreateParams{Token: p.token})
	cancel()
	accepted := err == nil
	if !accepted {
		p.s.log.Debug("client did not accept a progress token; not reporting this task", "error", err)
	}
	for {
		p.mu.Lock()
		batch := p.queue
		p.queue = nil
		done := p.ended && len(batch) == 0
		p.mu.Unlock()
		if done {
			return
		}
		if accepted {
			for _, v := range batch {
				p.send(v)
			}
		}
		if len(batch) > 0 {
			if _, isEnd := batch[len(batch)-1].(protocol.WorkDoneProgressEnd); isEnd {
				return
			}
		}
		select {
		case <-p.wake:
		case <-p.s.ctx.Done():
			return
		}
	}
}

func (p *progress) send(v any) {
	raw, err := protocol.Marshal(v)
	if err != nil {
		p.s.log.Warn("cannot encode progress", "error", err)
		return
	}
	if err := p.s.client.Progress(p.s.ctx, &protocol.ProgressParams{Token: p.token, Value: raw}); err != nil {
		p.s.log.Debug("progress notification failed", "error", err)
	}
}
