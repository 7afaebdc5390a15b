package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/rustko/rustko-lsp/bindings/index"
	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/diagnostics/rustsrc"
	"github.com/rustko/rustko-lsp/module"
)

// This file holds the test double of the backend, used only by the tests of
// the server's own logic (scheduling, cancellation, publishing, protocol
// handling). The acceptance tests in real_test.go use the real packages.

// fakeBackend treats every folder in roots as a module. Its analysis flags
// each `kmalloc(` in a Rust file; its build is whatever the test sets.
type fakeBackend struct {
	mu        sync.Mutex
	roots     map[string]bool
	overrides []map[string]string // one per Load
	untrusted []bool              // one per Load
	kernelErr error
	indexErr  error // Index fails with it (headers that do not parse)
	resolve   bool  // Analyze returns a resolver
	ix        *index.Index
	build     func(ctx context.Context, p *Project, progress func(string, string)) (*BuildResult, error)
	builds    atomic.Int32
	indexes   atomic.Int32
	forced    atomic.Int32
	panicOn   string // FindRoot panics for a path containing this
}

func newFake(roots ...string) *fakeBackend {
	f := &fakeBackend{roots: map[string]bool{}}
	for _, r := range roots {
		f.roots[r] = true
	}
	return f
}

func (f *fakeBackend) FindRoot(path string) (string, error) {
	if f.panicOn != "" && strings.Contains(path, f.panicOn) {
		panic("fake backend: FindRoot asked to panic for " + path)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for dir := path; ; dir = filepath.Dir(dir) {
		if f.roots[dir] {
			return dir, nil
		}
		if filepath.Dir(dir) == dir {
			return "", fmt.Errorf("no module above %s", path)
		}
	}
}

// loads counts the calls of Load.
func (f *fakeBackend) loads() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.overrides)
}

func (f *fakeBackend) Load(ctx context.Context, root string, o LoadOptions) (*Project, error) {
	f.mu.Lock()
	f.overrides = append(f.overrides, o.Overrides)
	f.untrusted = append(f.untrusted, o.Untrusted)
	kerr := f.kernelErr
	f.mu.Unlock()
	m := &module.Module{Root: root, ConfigFile: filepath.Join(root, "config.mk"), Untrusted: o.Untrusted}
	m.Vars.RustFiles = []string{filepath.Join(root, "src", "lib.rs")}
	p := &Project{Module: m, Sources: m.Vars.RustFiles}
	if kerr != nil {
		p.KernelErr = kerr
	} else {
		p.Kernel = &module.Kernel{Dir: "/kernel", Release: "test"}
	}
	return p, nil
}

func (f *fakeBackend) Index(ctx context.Context, p *Project, force bool, progress func(string)) (*index.Index, error) {
	f.indexes.Add(1)
	if force {
		f.forced.Add(1)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.indexErr != nil {
		return nil, f.indexErr
	}
	return f.ix, nil
}

func (f *fakeBackend) Analyze(ctx context.Context, p *Project, ix *index.Index, path string, src []byte) (*Analysis, error) {
	var out []diagnostics.Finding
	// kmalloc is fine once config.mk wraps it, as with the real analysis.
	wrapped := false
	if p != nil && p.Module != nil {
		cfg, _ := os.ReadFile(p.Module.ConfigFile)
		wrapped = strings.Contains(string(cfg), "KERNEL_HELPERS += kmalloc")
	}
	for i, line := range strings.Split(string(src), "\n") {
		col := strings.Index(line, "kmalloc(")
		if col < 0 || wrapped {
			continue
		}
		root := ""
		if p != nil && p.Module != nil {
			root = p.Module.Root
		}
		out = append(out, diagnostics.Finding{
			File:     path,
			Range:    diagnostics.Range{Start: diagnostics.Position{Line: i + 1, Column: col + 1}, End: diagnostics.Position{Line: i + 1, Column: col + 8}},
			Severity: diagnostics.Error,
			Code:     "static-inline",
			Source:   diagnostics.SourceRustko,
			Message:  "kmalloc is static inline",
			Fixes: []diagnostics.Fix{{
				Title: "Add kmalloc to KERNEL_HELPERS",
				Edits: []diagnostics.Edit{{
					File:    filepath.Join(root, "config.mk"),
					Range:   diagnostics.Point(2, 1),
					NewText: "KERNEL_HELPERS += kmalloc\n",
				}},
				Preferred: true,
			}},
		})
	}
	a := &Analysis{Findings: out}
	if f.resolve {
		pf, err := rustsrc.ParseWith(path, src, nil)
		if err != nil {
			return nil, err
		}
		a.File = pf
	}
	return a, nil
}

func (f *fakeBackend) Build(ctx context.Context, p *Project, progress func(string, string)) (*BuildResult, error) {
	f.builds.Add(1)
	f.mu.Lock()
	b := f.build
	f.mu.Unlock()
	if b == nil {
		return &BuildResult{}, nil
	}
	return b(ctx, p, progress)
}

// recorder is the test's LSP client: it records what the server sends.
type recorder struct {
	protocol.UnimplementedClient
	mu        sync.Mutex
	latest    map[string][]protocol.Diagnostic // by file path
	nilLists  int                              // publishes whose list decoded as null
	history   []publish
	messages  []protocol.ShowMessageParams
	created   []protocol.ProgressToken
	progress  []string // "begin: title", "report: msg", "end: msg"
	registers []protocol.Registration
	changed   chan struct{}
	// silent makes the client never answer window/workDoneProgress/create.
	silent bool
	quit   chan struct{} // closed when the test ends
	// uris are the URI strings publishes went to, exactly as sent.
	uris map[string]bool
	// statuses are the rustko/status notifications, in order.
	statuses []statusParams
}

// custom takes the server's own notifications (rustko/status); anything
// else is what a client without them would answer.
func (r *recorder) custom(ctx context.Context, req *jsonrpc2.Request) (any, error) {
	if req.Method() == "rustko/status" {
		var p statusParams
		if err := json.Unmarshal(req.Params(), &p); err == nil {
			r.mu.Lock()
			r.statuses = append(r.statuses, p)
			r.mu.Unlock()
			r.poke()
		}
		return nil, nil
	}
	return jsonrpc2.MethodNotFoundHandler(ctx, req)
}

func (r *recorder) lastStatus() (statusParams, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.statuses) == 0 {
		return statusParams{}, false
	}
	return r.statuses[len(r.statuses)-1], true
}

type publish struct {
	path  string
	diags []protocol.Diagnostic
}

func newRecorder() *recorder {
	return &recorder{latest: map[string][]protocol.Diagnostic{}, changed: make(chan struct{}, 1), quit: make(chan struct{})}
}

func (r *recorder) poke() {
	select {
	case r.changed <- struct{}{}:
	default:
	}
}

func (r *recorder) PublishDiagnostics(ctx context.Context, p *protocol.PublishDiagnosticsParams) error {
	_, path := uriKey(p.URI)
	r.mu.Lock()
	if p.Diagnostics == nil {
		r.nilLists++
	}
	r.latest[path] = p.Diagnostics
	r.history = append(r.history, publish{path, p.Diagnostics})
	if r.uris == nil {
		r.uris = map[string]bool{}
	}
	r.uris[string(p.URI)] = true
	r.mu.Unlock()
	r.poke()
	return nil
}

func (r *recorder) ShowMessage(ctx context.Context, p *protocol.ShowMessageParams) error {
	r.mu.Lock()
	r.messages = append(r.messages, *p)
	r.mu.Unlock()
	r.poke()
	return nil
}

func (r *recorder) WorkDoneProgressCreate(ctx context.Context, p *protocol.WorkDoneProgressCreateParams) error {
	if r.silent {
		// Hold the reply back without holding up the client's reader, as a
		// real client that never answers would.
		jsonrpc2.Async(ctx)
		select {
		case <-ctx.Done():
		case <-r.quit:
		}
		return errors.New("the test client never accepts progress tokens")
	}
	r.mu.Lock()
	r.created = append(r.created, p.Token)
	r.mu.Unlock()
	return nil
}

func (r *recorder) RegisterCapability(ctx context.Context, p *protocol.RegistrationParams) error {
	r.mu.Lock()
	r.registers = append(r.registers, p.Registrations...)
	r.mu.Unlock()
	return nil
}

func (r *recorder) Progress(ctx context.Context, p *protocol.ProgressParams) error {
	var v struct {
		Kind    string `json:"kind"`
		Title   string `json:"title"`
		Message string `json:"message"`
	}
	if err := protocol.Unmarshal(p.Value, &v); err != nil {
		return err
	}
	r.mu.Lock()
	r.progress = append(r.progress, v.Kind+": "+v.Title+v.Message)
	r.mu.Unlock()
	r.poke()
	return nil
}

// diagsOf returns the latest diagnostics of path and whether any publish
// for it was seen.
func (r *recorder) diagsOf(path string) ([]protocol.Diagnostic, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	d, ok := r.latest[path]
	return d, ok
}

// harness is one server on one end of a pipe and a typed client on the
// other.
type harness struct {
	t      *testing.T
	srv    *Server
	server protocol.Server // typed dispatcher to the server
	rec    *recorder
	conn   jsonrpc2.Conn
	exit   chan int
	logs   *syncBuffer
	ctx    context.Context
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testOptions are short delays so tests run quickly; the logic is the same.
func testOptions(b Backend, logs io.Writer) Options {
	return Options{
		Backend:       b,
		Logger:        slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		BuildDelay:    30 * time.Millisecond,
		AnalysisDelay: 2 * time.Millisecond,
		ReloadDelay:   10 * time.Millisecond,
	}
}

func start(t testing.TB, b Backend) *harness {
	logs := &syncBuffer{}
	return startWith(t, testOptions(b, logs), logs)
}

func startWith(t testing.TB, opts Options, logs *syncBuffer) *harness {
	srvEnd, cliEnd := net.Pipe()
	srv := New(opts)
	h := &harness{srv: srv, rec: newRecorder(), exit: make(chan int, 1), logs: logs, ctx: context.Background()}
	if tt, ok := t.(*testing.T); ok {
		h.t = tt
	}
	go func() { h.exit <- srv.Run(context.Background(), srvEnd) }()
	h.conn = jsonrpc2.NewConn(jsonrpc2.NewHeaderStream(cliEnd), jsonrpc2.WithCodec(lspCodec{}))
	// In order, on the read loop: the recorder must see publishes in the
	// order the server sent them.
	h.conn.Go(h.ctx, protocol.ClientHandler(h.rec, h.rec.custom))
	h.server = protocol.ServerDispatcher(h.conn)
	t.Cleanup(func() {
		close(h.rec.quit)
		_ = cliEnd.Close()
		select {
		case <-h.exit:
		case <-time.After(5 * time.Second):
			t.Errorf("server did not stop within 5 s after the client hung up")
		}
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	return h
}

// initialize runs initialize+initialized with the given capabilities.
func (h *harness) initialize(t testing.TB, p *protocol.InitializeParams) *protocol.InitializeResult {
	t.Helper()
	if p == nil {
		p = &protocol.InitializeParams{}
	}
	ctx, cancel := context.WithTimeout(h.ctx, 5*time.Second)
	defer cancel()
	res, err := h.server.Initialize(ctx, p)
	if err != nil {
		t.Fatalf("initialize: %v", err)
	}
	if err := h.server.Initialized(ctx, &protocol.InitializedParams{}); err != nil {
		t.Fatalf("initialized: %v", err)
	}
	return res
}

// waitFor polls cond each time the client receives something, failing
// after timeout with what.
func (h *harness) waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(timeout)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-h.rec.changed:
		case <-tick.C:
		case <-deadline:
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
	}
}

func (h *harness) open(t testing.TB, path, body string) {
	t.Helper()
	err := h.server.DidOpen(h.ctx, &protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{
		URI: uri.File(path), LanguageID: "rust", Version: 1, Text: body,
	}})
	if err != nil {
		t.Fatalf("didOpen: %v", err)
	}
}

func (h *harness) changeAll(t testing.TB, path string, version int32, body string) {
	t.Helper()
	err := h.server.DidChange(h.ctx, &protocol.DidChangeTextDocumentParams{
		TextDocument:   protocol.VersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: uri.File(path)}, Version: version},
		ContentChanges: []protocol.TextDocumentContentChangeEvent{&protocol.TextDocumentContentChangeWholeDocument{Text: body}},
	})
	if err != nil {
		t.Fatalf("didChange: %v", err)
	}
}

func (h *harness) save(t testing.TB, path string) {
	t.Helper()
	if err := h.server.DidSave(h.ctx, &protocol.DidSaveTextDocumentParams{TextDocument: protocol.TextDocumentIdentifier{URI: uri.File(path)}}); err != nil {
		t.Fatalf("didSave: %v", err)
	}
}

// shutdown runs shutdown+exit and returns the server's exit code.
func (h *harness) shutdown(t testing.TB) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(h.ctx, 5*time.Second)
	defer cancel()
	if err := h.server.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if err := h.server.Exit(ctx); err != nil {
		t.Fatalf("exit: %v", err)
	}
	return h.waitExit(t)
}

func (h *harness) waitExit(t testing.TB) int {
	t.Helper()
	select {
	case code := <-h.exit:
		h.exit <- code // for Cleanup
		return code
	case <-time.After(5 * time.Second):
		t.Fatalf("server did not exit within 5 s")
	}
	return -1
}

// module makes a temp rust.ko-like folder with src/lib.rs and config.mk.
func tempModule(t testing.TB, lib string) string {
	t.Helper()
	root := t.TempDir()
	root, _ = filepath.EvalSymlinks(root)
	must(t, os.MkdirAll(filepath.Join(root, "src"), 0o755))
	must(t, os.WriteFile(filepath.Join(root, "src", "lib.rs"), []byte(lib), 0o644))
	must(t, os.WriteFile(filepath.Join(root, "config.mk"), []byte("RUST_ROOT := /usr\n"), 0o644))
	return root
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func codeOf(err error) jsonrpc2.Code {
	var we *jsonrpc2.Error
	if errors.As(err, &we) {
		return we.Code
	}
	return 0
}

func osMkdirAll(p string) error { return os.MkdirAll(p, 0o755) }

func osWrite(p, body string) error { return os.WriteFile(p, []byte(body), 0o644) }

func withFolders(p *protocol.InitializeParams, dirs ...string) *protocol.InitializeParams {
	var fs []protocol.WorkspaceFolder
	for _, d := range dirs {
		fs = append(fs, protocol.WorkspaceFolder{URI: uri.File(d), Name: filepath.Base(d)})
	}
	p.WorkspaceFolders = protocol.NewNullable(fs)
	return p
}
