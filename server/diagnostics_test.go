package server

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/rustko/rustko-lsp/diagnostics"
)

func messages(ds []protocol.Diagnostic) []string {
	var out []string
	for _, d := range ds {
		out = append(out, messageOf(d))
	}
	return out
}

func TestAnalysisFollowsTheBufferWithoutSaving(t *testing.T) {
	root := tempModule(t, "fn init() {}\n")
	h := start(t, newFake(root))
	h.initialize(t, &protocol.InitializeParams{})
	lib := filepath.Join(root, "src", "lib.rs")

	h.open(t, lib, "fn init() {}\n")
	h.changeAll(t, lib, 2, "fn init() {\n    let p = kmalloc(8);\n}\n")
	h.waitFor(t, 2*time.Second, "the kmalloc finding", func() bool {
		d, _ := h.rec.diagsOf(lib)
		return len(d) == 1
	})
	d, _ := h.rec.diagsOf(lib)
	want := protocol.Range{Start: protocol.Position{Line: 1, Character: 12}, End: protocol.Position{Line: 1, Character: 19}}
	if d[0].Range != want || messageOf(d[0]) != "kmalloc is static inline" || d[0].Severity != protocol.DiagnosticSeverityError {
		t.Errorf("diagnostic = %+v, want the kmalloc finding at %+v", d[0], want)
	}

	// Incremental edit that removes the call: the file is cleared with [].
	err := h.server.DidChange(h.ctx, &protocol.DidChangeTextDocumentParams{
		TextDocument: protocol.VersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: uri.File(lib)}, Version: 3},
		ContentChanges: []protocol.TextDocumentContentChangeEvent{&protocol.TextDocumentContentChangePartial{
			Range: protocol.Range{Start: protocol.Position{Line: 1, Character: 12}, End: protocol.Position{Line: 1, Character: 22}},
			Text:  "0",
		}},
	})
	must(t, err)
	h.waitFor(t, 2*time.Second, "the finding to clear", func() bool {
		d, seen := h.rec.diagsOf(lib)
		return seen && len(d) == 0
	})
	h.rec.mu.Lock()
	nils := h.rec.nilLists
	h.rec.mu.Unlock()
	if nils != 0 {
		t.Errorf("%d publishes carried null instead of []", nils)
	}
	h.shutdown(t)
}

// Build findings land on files that are not open (config.mk, the C shim),
// and every file whose findings went away is cleared by the next build.
func TestBuildOnSavePublishesAndClears(t *testing.T) {
	root := tempModule(t, "fn init() {}\n")
	fake := newFake(root)
	lib := filepath.Join(root, "src", "lib.rs")
	shim := filepath.Join(root, "src", "module.c")
	must(t, osWrite(shim, "#include <linux/module.h>\n\nint unused;\n"))
	cfg := filepath.Join(root, "config.mk")
	var run atomic.Int32
	fake.build = func(ctx context.Context, p *Project, progress func(string, string)) (*BuildResult, error) {
		progress("rust", "")
		if run.Add(1) == 1 {
			return &BuildResult{Findings: []diagnostics.Finding{
				{File: lib, Range: diagnostics.Point(1, 4), Severity: diagnostics.Error, Source: "rustc", Code: "E0425", Message: "cannot find value"},
				{File: shim, Range: diagnostics.Point(3, 1), Severity: diagnostics.Warning, Source: "gcc", Message: "unused variable"},
				{File: cfg, Range: diagnostics.Point(1, 1), Severity: diagnostics.Error, Source: "kbuild", Message: "bad RUST_ROOT"},
			}}, nil
		}
		return &BuildResult{}, nil
	}
	h := start(t, fake)
	h.initialize(t, nil)
	h.open(t, lib, "fn init() {}\n")
	h.save(t, lib)
	h.waitFor(t, 3*time.Second, "findings on lib.rs, module.c and config.mk", func() bool {
		a, _ := h.rec.diagsOf(lib)
		b, _ := h.rec.diagsOf(shim)
		c, _ := h.rec.diagsOf(cfg)
		return len(a) == 1 && len(b) == 1 && len(c) == 1
	})
	if d, _ := h.rec.diagsOf(shim); d[0].Range.End.Character != 11 || d[0].Source != protocol.NewOptional("gcc") {
		t.Errorf("module.c diagnostic %+v: want the whole line 3 from gcc", d[0])
	}
	h.save(t, lib)
	h.waitFor(t, 3*time.Second, "all three files cleared", func() bool {
		for _, f := range []string{lib, shim, cfg} {
			if d, _ := h.rec.diagsOf(f); len(d) != 0 {
				return false
			}
		}
		return true
	})
	h.shutdown(t)
}

// A build that cannot run (the toolchain vanished, say) clears what the
// previous build found: those findings were about older text, and leaving
// them would show errors nothing checked. The reason comes as a message.
func TestBuildThatCannotRunClearsItsFindings(t *testing.T) {
	root := tempModule(t, "fn init() {}\n")
	fake := newFake(root)
	lib := filepath.Join(root, "src", "lib.rs")
	var run atomic.Int32
	fake.build = func(ctx context.Context, p *Project, progress func(string, string)) (*BuildResult, error) {
		if run.Add(1) == 1 {
			return &BuildResult{Findings: []diagnostics.Finding{
				{File: lib, Range: diagnostics.Point(1, 4), Severity: diagnostics.Error, Source: "rustc", Code: "E0425", Message: "cannot find value"},
			}}, nil
		}
		return nil, errors.New("rustc not found in RUST_ROOT/bin")
	}
	h := start(t, fake)
	h.initialize(t, nil)
	h.open(t, lib, "fn init() {}\n")
	h.save(t, lib)
	h.waitFor(t, 3*time.Second, "the first build's finding", func() bool {
		d, _ := h.rec.diagsOf(lib)
		return len(d) == 1
	})
	h.save(t, lib)
	h.waitFor(t, 3*time.Second, "the finding cleared and the reason shown", func() bool {
		d, _ := h.rec.diagsOf(lib)
		h.rec.mu.Lock()
		defer h.rec.mu.Unlock()
		shown := false
		for _, m := range h.rec.messages {
			shown = shown || strings.Contains(m.Message, "rustc not found")
		}
		return len(d) == 0 && shown
	})
	h.shutdown(t)
}

// A save while a build runs cancels it; the cancelled build's results are
// never published, even though it returns some; requests are answered
// while the build runs.
func TestSupersededBuildIsNeverPublished(t *testing.T) {
	root := tempModule(t, "")
	fake := newFake(root)
	lib := filepath.Join(root, "src", "lib.rs")
	firstStarted := make(chan struct{})
	var runs atomic.Int32
	fake.build = func(ctx context.Context, p *Project, progress func(string, string)) (*BuildResult, error) {
		n := runs.Add(1)
		if n == 1 {
			close(firstStarted)
			<-ctx.Done() // killed by the newer save
			// Like a tool that still prints something while dying.
			return &BuildResult{Findings: []diagnostics.Finding{{File: lib, Range: diagnostics.Point(1, 1), Severity: diagnostics.Error, Source: "rustc", Message: "stale from build 1"}}}, nil
		}
		return &BuildResult{Findings: []diagnostics.Finding{{File: lib, Range: diagnostics.Point(1, 1), Severity: diagnostics.Error, Source: "rustc", Message: "fresh from build 2"}}}, nil
	}
	h := start(t, fake)
	h.initialize(t, nil)
	h.open(t, lib, "fn a() {}\n")
	h.save(t, lib)
	select {
	case <-firstStarted:
	case <-time.After(3 * time.Second):
		t.Fatal("first build never started")
	}
	// The server answers while the build is blocked.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	if _, err := h.server.Hover(ctx, &protocol.HoverParams{TextDocumentPositionParams: protocol.TextDocumentPositionParams{TextDocument: protocol.TextDocumentIdentifier{URI: uri.File(lib)}}}); err != nil {
		t.Errorf("hover during a build: %v", err)
	}
	cancel()
	h.save(t, lib)
	h.waitFor(t, 3*time.Second, "build 2's finding", func() bool {
		d, _ := h.rec.diagsOf(lib)
		return slices.Contains(messages(d), "fresh from build 2")
	})
	h.shutdown(t)
	h.rec.mu.Lock()
	defer h.rec.mu.Unlock()
	for _, p := range h.rec.history {
		for _, m := range messages(p.diags) {
			if strings.Contains(m, "build 1") {
				t.Errorf("the superseded build's result was published: %q", m)
			}
		}
	}
	if got := runs.Load(); got != 2 {
		t.Errorf("%d builds ran, want 2", got)
	}
}

func TestSaveBurstIsOneBuild(t *testing.T) {
	root := tempModule(t, "")
	fake := newFake(root)
	lib := filepath.Join(root, "src", "lib.rs")
	h := start(t, fake)
	h.initialize(t, nil)
	h.open(t, lib, "")
	for range 6 {
		h.save(t, lib)
	}
	time.Sleep(200 * time.Millisecond) // several build delays
	if got := fake.builds.Load(); got != 1 {
		t.Errorf("%d builds for a burst of 6 saves, want 1", got)
	}
	h.shutdown(t)
}

// Saving one of the module's sources reloads the module once (its licence
// is read from them), also when the build's load gets there before the
// reload; saving a file the module does not compile reloads nothing.
func TestSaveOfASourceReloadsOnce(t *testing.T) {
	root := tempModule(t, "")
	fake := newFake(root)
	lib, other := filepath.Join(root, "src", "lib.rs"), filepath.Join(root, "src", "notes.rs")
	logs := &syncBuffer{}
	opts := testOptions(fake, logs)
	opts.BuildDelay, opts.ReloadDelay = 5*time.Millisecond, 50*time.Millisecond
	h := startWith(t, opts, logs)
	h.initialize(t, nil)
	h.open(t, lib, "")
	h.open(t, other, "")
	h.waitFor(t, 2*time.Second, "the first load", func() bool { return fake.loads() == 1 })
	h.save(t, other)
	h.waitFor(t, 2*time.Second, "the build of the first save", func() bool { return fake.builds.Load() == 1 })
	time.Sleep(150 * time.Millisecond) // several reload delays
	if got := fake.loads(); got != 1 {
		t.Errorf("%d loads after saving a file the module does not compile, want 1", got)
	}
	h.save(t, lib)
	h.waitFor(t, 2*time.Second, "the build of the second save", func() bool { return fake.builds.Load() == 2 })
	time.Sleep(150 * time.Millisecond)
	if got := fake.loads(); got != 2 {
		t.Errorf("%d loads after saving the crate root, want 2 (one reload)", got)
	}
	h.shutdown(t)
}

func TestBuildOnSaveOff(t *testing.T) {
	root := tempModule(t, "")
	fake := newFake(root)
	lib := filepath.Join(root, "src", "lib.rs")
	h := start(t, fake)
	h.initialize(t, &protocol.InitializeParams{InitializationOptions: protocol.LSPAny(`{"buildOnSave": false}`)})
	h.open(t, lib, "")
	h.save(t, lib)
	time.Sleep(150 * time.Millisecond)
	if got := fake.builds.Load(); got != 0 {
		t.Errorf("%d builds with buildOnSave off, want 0", got)
	}
	// rustko.rebuild still builds.
	if _, err := h.server.ExecuteCommand(h.ctx, &protocol.ExecuteCommandParams{Command: cmdRebuild}); err != nil {
		t.Fatal(err)
	}
	h.waitFor(t, 2*time.Second, "the rebuild command's build", func() bool { return fake.builds.Load() == 1 })
	h.shutdown(t)
}

// A module without a kernel tree is one message, however many files are
// opened and saved, and no build runs against nothing.
func TestMissingKernelIsOneMessage(t *testing.T) {
	root := tempModule(t, "kmalloc(1)\n")
	fake := newFake(root)
	fake.kernelErr = errString("no kernel build tree: looked in /lib/modules/x/build and /usr/src/linux-headers-*")
	h := start(t, fake)
	h.initialize(t, withFolders(&protocol.InitializeParams{}, root))
	for i := range 4 {
		p := filepath.Join(root, "src", string(rune('a'+i))+".rs")
		h.open(t, p, "")
		h.save(t, p)
	}
	time.Sleep(250 * time.Millisecond)
	h.rec.mu.Lock()
	msgs := slices.Clone(h.rec.messages)
	h.rec.mu.Unlock()
	if len(msgs) != 1 || !strings.Contains(msgs[0].Message, "no kernel build tree") || msgs[0].Type != protocol.MessageTypeError {
		t.Errorf("messages = %+v, want exactly one error about the kernel tree", msgs)
	}
	if got := fake.builds.Load(); got != 0 {
		t.Errorf("%d builds without a kernel, want 0", got)
	}
	// Analysis still works without a kernel: lib.rs (not open) got its finding.
	h.waitFor(t, 2*time.Second, "analysis of the unopened lib.rs", func() bool {
		d, _ := h.rec.diagsOf(filepath.Join(root, "src", "lib.rs"))
		return len(d) == 1
	})
	h.shutdown(t)
}

type errString string

func (e errString) Error() string { return string(e) }

func TestProgressDuringBuild(t *testing.T) {
	root := tempModule(t, "")
	fake := newFake(root)
	fake.build = func(ctx context.Context, p *Project, progress func(string, string)) (*BuildResult, error) {
		for _, st := range []string{"bindings", "sysroot", "rust", "kbuild", "checks"} {
			progress(st, "")
		}
		return &BuildResult{}, nil
	}
	lib := filepath.Join(root, "src", "lib.rs")
	h := start(t, fake)
	yes := true
	h.initialize(t, &protocol.InitializeParams{Capabilities: protocol.ClientCapabilities{Window: &protocol.WindowClientCapabilities{WorkDoneProgress: &yes}}})
	h.open(t, lib, "")
	h.save(t, lib)
	h.waitFor(t, 2*time.Second, "progress end", func() bool {
		h.rec.mu.Lock()
		defer h.rec.mu.Unlock()
		return len(h.rec.progress) > 0 && strings.HasPrefix(h.rec.progress[len(h.rec.progress)-1], "end")
	})
	h.rec.mu.Lock()
	got := slices.Clone(h.rec.progress)
	created := len(h.rec.created)
	h.rec.mu.Unlock()
	want := []string{"begin: rustko: building " + filepath.Base(root), "report: bindings", "report: sysroot", "report: rust", "report: kbuild", "report: checks", "end: 0 findings"}
	if !slices.Equal(got, want) || created != 1 {
		t.Errorf("progress = %q (tokens created %d), want %q after one create", got, created, want)
	}
	h.shutdown(t)
}

// Each module of the workspace is its own session: settings changes reload
// both, findings stay on their own files.
func TestWorkspaceFoldersAndConfiguration(t *testing.T) {
	parent := t.TempDir()
	parent, _ = filepath.EvalSymlinks(parent)
	a := filepath.Join(parent, "examples", "a")
	b := filepath.Join(parent, "examples", "b")
	for _, r := range []string{a, b} {
		must(t, osMkdirAll(filepath.Join(r, "src")))
		must(t, osWrite(filepath.Join(r, "src", "lib.rs"), "kmalloc(1);\n"))
	}
	fake := newFake(a, b)
	h := start(t, fake)
	h.initialize(t, withFolders(&protocol.InitializeParams{
		InitializationOptions: protocol.LSPAny(`{"rustko": {"kernelDir": "/k1", "rustRoot": "/opt/rust"}}`),
	}, parent))
	h.waitFor(t, 2*time.Second, "both modules analysed", func() bool {
		x, _ := h.rec.diagsOf(filepath.Join(a, "src", "lib.rs"))
		y, _ := h.rec.diagsOf(filepath.Join(b, "src", "lib.rs"))
		return len(x) == 1 && len(y) == 1
	})
	if n := len(h.srv.allSessions()); n != 2 {
		t.Errorf("%d sessions, want 2", n)
	}
	fake.mu.Lock()
	first := fake.overrides[0]
	fake.mu.Unlock()
	if first["KERNEL_BUILD_PATH"] != "/k1" || first["RUST_ROOT"] != "/opt/rust" {
		t.Errorf("load overrides %v, want kernelDir and rustRoot from initializationOptions", first)
	}
	must(t, h.server.DidChangeConfiguration(h.ctx, &protocol.DidChangeConfigurationParams{Settings: protocol.LSPAny(`{"rustko": {"kernelDir": "/k2"}}`)}))
	h.waitFor(t, 2*time.Second, "both modules reloaded with /k2", func() bool {
		fake.mu.Lock()
		defer fake.mu.Unlock()
		n := 0
		for _, o := range fake.overrides {
			if o["KERNEL_BUILD_PATH"] == "/k2" {
				n++
			}
		}
		return n == 2
	})
	// Removing the folder ends both sessions and clears what they showed.
	must(t, h.server.DidChangeWorkspaceFolders(h.ctx, &protocol.DidChangeWorkspaceFoldersParams{Event: protocol.WorkspaceFoldersChangeEvent{
		Removed: []protocol.WorkspaceFolder{{URI: uri.File(parent), Name: "repo"}},
	}}))
	h.waitFor(t, 2*time.Second, "both modules cleared", func() bool {
		x, _ := h.rec.diagsOf(filepath.Join(a, "src", "lib.rs"))
		y, _ := h.rec.diagsOf(filepath.Join(b, "src", "lib.rs"))
		return len(x) == 0 && len(y) == 0
	})
	h.shutdown(t)
}

// Without file watching (Neovim 0.7), a config.mk written behind the
// server's back is noticed at the next save of any file of the module.
func TestConfigChangeSeenOnAnySave(t *testing.T) {
	root := tempModule(t, "")
	fake := newFake(root)
	h := start(t, fake)
	h.initialize(t, &protocol.InitializeParams{InitializationOptions: protocol.LSPAny(`{"buildOnSave": false}`)})
	// notes.rs is not one of the module's sources, whose saving reloads
	// the module whatever the config (TestSaveOfASourceReloadsOnce).
	notes := filepath.Join(root, "src", "notes.rs")
	h.open(t, notes, "")
	h.waitFor(t, 2*time.Second, "the first load", func() bool { return fake.loads() == 1 })
	h.save(t, notes)
	time.Sleep(100 * time.Millisecond)
	if n := fake.loads(); n != 1 {
		t.Fatalf("%d loads after saving with an unchanged config, want 1", n)
	}
	must(t, osWrite(filepath.Join(root, "config.mk"), "RUST_ROOT := /usr\nKERNEL_HELPERS := kmalloc\n"))
	h.save(t, notes)
	h.waitFor(t, 2*time.Second, "a reload after config.mk changed on disk", func() bool { return fake.loads() == 2 })
	h.shutdown(t)
}

// A client that never accepts a progress token must not hold up the build:
// progress is reported beside the work, never in its way.
func TestSilentClientDoesNotBlockTheBuild(t *testing.T) {
	root := tempModule(t, "")
	fake := newFake(root)
	lib := filepath.Join(root, "src", "lib.rs")
	fake.build = func(ctx context.Context, p *Project, progress func(string, string)) (*BuildResult, error) {
		progress("rust", "")
		return &BuildResult{Findings: []diagnostics.Finding{{File: lib, Range: diagnostics.Point(1, 1), Severity: diagnostics.Error, Source: "rustc", Message: "built"}}}, nil
	}
	h := start(t, fake)
	h.rec.silent = true
	yes := true
	h.initialize(t, &protocol.InitializeParams{Capabilities: protocol.ClientCapabilities{Window: &protocol.WindowClientCapabilities{WorkDoneProgress: &yes}}})
	h.open(t, lib, "")
	h.save(t, lib)
	h.waitFor(t, 2*time.Second, "the build's finding although the client never answered create", func() bool {
		d, _ := h.rec.diagsOf(lib)
		return slices.Contains(messages(d), "built")
	})
	h.shutdown(t)
}

func TestCommands(t *testing.T) {
	root := tempModule(t, "")
	fake := newFake(root)
	fake.ix = synthetic(t, t.TempDir())
	h := start(t, fake)
	h.initialize(t, withFolders(&protocol.InitializeParams{}, root))
	h.waitFor(t, 2*time.Second, "the first index", func() bool { return fake.indexes.Load() >= 1 })

	_, err := h.server.ExecuteCommand(h.ctx, &protocol.ExecuteCommandParams{Command: cmdRegenerateBindings, Arguments: []protocol.LSPAny{protocol.LSPAny(`"` + string(uri.File(root)) + `"`)}})
	must(t, err)
	h.waitFor(t, 2*time.Second, "an index regenerated with force", func() bool { return fake.forced.Load() == 1 })

	res, err := h.server.ExecuteCommand(h.ctx, &protocol.ExecuteCommandParams{Command: cmdShowBinding, Arguments: []protocol.LSPAny{protocol.LSPAny(`"kmalloc"`)}})
	must(t, err)
	var b binding
	must(t, protocol.Unmarshal(res, &b))
	if b.Name != "kmalloc" || !strings.Contains(b.Text, "no Rust item: static inline") || !strings.HasSuffix(string(b.C.URI), "/include/linux/fs.h") {
		t.Errorf("showBinding kmalloc = %+v", b)
	}

	errs := []struct {
		p    *protocol.ExecuteCommandParams
		code int
	}{
		{&protocol.ExecuteCommandParams{Command: "rustko.frobnicate"}, -32602},
		{&protocol.ExecuteCommandParams{Command: cmdShowBinding}, -32602},
		{&protocol.ExecuteCommandParams{Command: cmdShowBinding, Arguments: []protocol.LSPAny{protocol.LSPAny(`"no_such_thing"`)}}, -32803},
		{&protocol.ExecuteCommandParams{Command: cmdRebuild, Arguments: []protocol.LSPAny{protocol.LSPAny(`7`)}}, -32602},
		{&protocol.ExecuteCommandParams{Command: cmdRebuild, Arguments: []protocol.LSPAny{protocol.LSPAny(`"file:///not/a/module"`)}}, -32803},
	}
	for _, e := range errs {
		if _, err := h.server.ExecuteCommand(h.ctx, e.p); int(codeOf(err)) != e.code {
			t.Errorf("%s %s: %v (code %d), want code %d", e.p.Command, e.p.Arguments, err, codeOf(err), e.code)
		}
	}
	h.shutdown(t)
}

// The last build's rustc error that was folded into a rustko finding stays
// hidden when that finding goes before the next build: here config.mk gains
// the helper, and the reload drops rustko's finding. The error was about
// code the user has since fixed; the next build says what is left.
func TestFoldedBuildErrorStaysHiddenAfterItsFindingGoes(t *testing.T) {
	root := tempModule(t, "")
	fake := newFake(root)
	lib := filepath.Join(root, "src", "lib.rs")
	cfg := filepath.Join(root, "config.mk")
	var runs atomic.Int32
	fake.build = func(ctx context.Context, p *Project, progress func(string, string)) (*BuildResult, error) {
		if runs.Add(1) > 1 {
			return &BuildResult{}, nil
		}
		return &BuildResult{Findings: []diagnostics.Finding{{File: lib,
			Range:    diagnostics.Range{Start: diagnostics.Position{Line: 2, Column: 13}, End: diagnostics.Position{Line: 2, Column: 20}},
			Severity: diagnostics.Error, Source: "rustc", Code: "E0425", Message: "cannot find function `kmalloc` in module `bindings`"}}}, nil
	}
	h := start(t, fake)
	h.initialize(t, nil)
	body := "fn init() {\n    let p = kmalloc(8);\n}\n"
	must(t, osWrite(lib, body))
	h.open(t, lib, body)
	h.save(t, lib)
	h.waitFor(t, 3*time.Second, "rustc's error folded into rustko's finding", func() bool {
		d, _ := h.rec.diagsOf(lib)
		return runs.Load() == 1 && len(d) == 1 && strings.HasPrefix(messageOf(d[0]), "kmalloc is static inline") &&
			strings.Contains(messageOf(d[0]), "rustc E0425")
	})
	must(t, osWrite(cfg, "RUST_ROOT := /usr\nKERNEL_HELPERS += kmalloc\n"))
	h.save(t, cfg)
	h.waitFor(t, 3*time.Second, "rustko's finding gone after the reload", func() bool {
		d, _ := h.rec.diagsOf(lib)
		return fake.loads() >= 2 && !slices.ContainsFunc(d, func(d protocol.Diagnostic) bool {
			return strings.HasPrefix(messageOf(d), "kmalloc is static inline")
		})
	})
	if d, _ := h.rec.diagsOf(lib); len(d) != 0 || runs.Load() != 1 {
		t.Errorf("after the reload, before another build (%d builds), lib.rs shows %q", runs.Load(), messages(d))
	}
	h.shutdown(t)
}
