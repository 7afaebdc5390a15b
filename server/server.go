package server

import (
	"context"
	"io"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/sourcegraph/conc"
	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

// Options configure a Server. Only Backend is required.
type Options struct {
	Backend Backend
	Logger  *slog.Logger // default: slog.Default()
	Version string       // reported in serverInfo
	// BuildDelay coalesces bursts of saves into one build (default 300 ms).
	BuildDelay time.Duration
	// AnalysisDelay is how long the keyboard must be quiet before the open
	// buffer is analysed again (default 2 ms). It only has to gather the
	// changes a client sends in one burst (a multi-cursor edit, a rename
	// applied file by file), which arrive together: keystrokes come tens of
	// milliseconds apart, and Neovim already debounces them by 150 ms. A
	// newer change cancels an analysis in flight anyway, so a short delay
	// costs little work and keeps findings within 20 ms of the last key.
	AnalysisDelay time.Duration
	// ReloadDelay coalesces bursts of configuration changes (default 100 ms).
	ReloadDelay time.Duration
}

// stopGrace bounds how long Run waits for background work to notice it was
// cancelled.
const stopGrace = 3 * time.Second

// closeGrace bounds the wait for the connection to close after exit; the
// replies were written before, so this only lets a pipe's reader finish.
const closeGrace = 200 * time.Millisecond

type phase int

const (
	phaseNew phase = iota
	phaseInitialized
	phaseShutdown
)

// Server is one language server connection. Create it with New and drive it
// with Run; it is not reusable after Run returns.
type Server struct {
	protocol.UnimplementedServer

	opts    Options
	log     *slog.Logger
	backend Backend

	// ctx bounds all background work; cancelled when Run ends.
	ctx    context.Context
	cancel context.CancelFunc
	wg     conc.WaitGroup
	bgMu   sync.Mutex
	bgDone bool // set once Run stops: no new background work starts

	conn   jsonrpc2.Conn
	client protocol.Client
	// inflight cancels the handler of an in-flight request by id.
	callsMu  sync.Mutex
	inflight map[jsonrpc2.ID]context.CancelFunc

	docs *documents

	mu        sync.Mutex
	phase     phase
	caps      clientCaps
	enc       encoding
	settings  Settings
	folders   []string            // workspace folder paths
	sessions  map[string]*session // by module root
	progress  uint64              // last progress token number
	shownMsgs map[string]bool     // window/showMessage texts already shown

	// openedAs is the raw URI of the didOpen being handled; only the read
	// loop, which runs notifications one at a time, touches it.
	openedAs string

	pubMu     sync.Mutex
	published map[uri.URI]string // the last diagnostics sent per URI, as JSON
	exitCh    chan struct{}
	exitOnce  sync.Once
}

// New makes a server; call Run to serve a connection.
func New(opts Options) *Server {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.BuildDelay <= 0 {
		opts.BuildDelay = 300 * time.Millisecond
	}
	if opts.AnalysisDelay <= 0 {
		opts.AnalysisDelay = 2 * time.Millisecond
	}
	if opts.ReloadDelay <= 0 {
		opts.ReloadDelay = 100 * time.Millisecond
	}
	return &Server{
		opts:      opts,
		log:       opts.Logger,
		backend:   opts.Backend,
		docs:      newDocuments(),
		sessions:  map[string]*session{},
		inflight:  map[jsonrpc2.ID]context.CancelFunc{},
		shownMsgs: map[string]bool{},
		published: map[uri.URI]string{},
		exitCh:    make(chan struct{}),
	}
}

// Run serves LSP over rwc (Content-Length framing) until the client sends
// exit, the input ends, or ctx is cancelled. It returns the process exit
// code LSP prescribes: 0 after shutdown then exit, 1 otherwise. Run stops
// all background work (builds are cancelled, their processes killed) before
// it returns; it does not wait for a reader blocked on rwc, which only
// closing rwc (or the process ending) can release.
func (s *Server) Run(ctx context.Context, rwc io.ReadWriteCloser) int {
	s.ctx, s.cancel = context.WithCancel(context.WithoutCancel(ctx))
	defer s.cancel()

	stream := newTolerantStream(rwc, s.log)
	s.conn = jsonrpc2.NewConn(stream, jsonrpc2.WithCodec(lspCodec{}))
	// The client handle must exist before the first message is read: the
	// initialize handler may already talk back.
	s.client = protocol.ClientDispatcher(s.conn)
	s.conn.Go(s.ctx, func(ctx context.Context, req *jsonrpc2.Request) (any, error) {
		if !req.IsCall() {
			s.handleNotification(ctx, req)
			return nil, nil
		}
		return s.handleCall(ctx, req)
	})

	var reason string
	select {
	case <-s.exitCh:
		reason = "exit notification"
	case <-s.conn.Done():
		reason = "input closed"
		if err := s.conn.Err(); err != nil {
			reason = "connection failed: " + err.Error()
		}
	case <-ctx.Done():
		reason = "stopped: " + context.Cause(ctx).Error()
	}
	s.log.Info("language server stopping", "reason", reason)

	s.cancel()
	s.bgMu.Lock()
	s.bgDone = true
	s.bgMu.Unlock()
	s.stopSessions()
	// Builds stop when cancelled (their processes are killed); an analysis
	// or a bindings generation in the C front end finishes its file first.
	// Wait for them, but not forever: the editor is waiting for us to exit.
	waited := make(chan struct{})
	go func() {
		if r := s.wg.WaitAndRecover(); r != nil {
			s.log.Error("a background task panicked", "panic", r.String())
		}
		close(waited)
	}()
	select {
	case <-waited:
	case <-time.After(stopGrace):
		s.log.Warn("background work still running after the grace period; stopping anyway", "grace", stopGrace)
	}
	// Close drains in-flight handlers and closes the stream. On a pipe or
	// socket that also ends the reader; a read blocked on the process's
	// stdin never returns, so do not wait long for it: the process exits.
	closed := make(chan struct{})
	go func() { _ = s.conn.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(closeGrace):
		s.log.Debug("the reader is still blocked on input; exiting without it", "grace", closeGrace)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.exitCh:
		if s.phase == phaseShutdown {
			return 0
		}
	default:
	}
	return 1
}

// goBackground runs f on the server's wait group with panics logged rather
// than fatal: a bug in one build must not take the editor's server down.
func (s *Server) goBackground(name string, f func()) {
	s.bgMu.Lock()
	defer s.bgMu.Unlock()
	if s.bgDone {
		return
	}
	s.wg.Go(func() {
		defer func() {
			if r := recover(); r != nil {
				s.log.Error("background task panicked; the server keeps running", "task", name, "panic", r, "stack", string(debug.Stack()))
			}
		}()
		f()
	})
}
