package server

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/vm"
)

// logged holds each test client's window/logMessage lines (the shared
// recorder has no field for them).
var logged = struct {
	mu sync.Mutex
	m  map[*recorder][]string
}{m: map[*recorder][]string{}}

func (r *recorder) LogMessage(ctx context.Context, p *protocol.LogMessageParams) error {
	logged.mu.Lock()
	logged.m[r] = append(logged.m[r], p.Message)
	logged.mu.Unlock()
	r.poke()
	return nil
}

func logLines(r *recorder) []string {
	logged.mu.Lock()
	defer logged.mu.Unlock()
	return slices.Clone(logged.m[r])
}

// fakeBoot replaces the VM with the serial log of a real boot.
func fakeBoot(t *testing.T, log string, cfgs chan<- vm.Config) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "vm", "testdata", log))
	if err != nil {
		t.Fatal(err)
	}
	old := bootVM
	bootVM = func(ctx context.Context, cfg vm.Config) (*vm.Result, error) {
		cfgs <- cfg
		return &vm.Result{Release: "6.1.0-57-amd64", Module: "hello", Accel: "tcg", Log: vm.ParseLog(string(b), "hello")}, nil
	}
	t.Cleanup(func() { bootVM = old })
}

func codesOf(ds []protocol.Diagnostic) []string {
	var out []string
	for _, d := range ds {
		if c, ok := d.Code.(protocol.String); ok {
			out = append(out, string(c))
		}
	}
	return out
}

// TestRunCommand: rustko.run builds, boots, shows the module's kernel log
// lines as logMessage, reports progress and a verdict, and publishes the
// boot's findings with the build's on the source lines; the next build
// clears them.
func TestRunCommand(t *testing.T) {
	for _, tc := range []struct {
		log      string
		oops     bool
		logWants []string
		msgType  protocol.MessageType
	}{
		{"rust-null-6.1.log", true, []string{"BUG: kernel NULL pointer dereference", "rustko: FAIL: "}, protocol.MessageTypeError},
		{"hello-6.1.log", false, []string{"hello from rust", "rustko: PASS: hello loaded and unloaded"}, protocol.MessageTypeInfo},
	} {
		t.Run(tc.log, func(t *testing.T) {
			root := tempModule(t, "fn f() {}\n")
			lib := filepath.Join(root, "src", "lib.rs")
			fake := newFake(root)
			buildWarning := diagnostics.Finding{File: lib, Range: diagnostics.Point(1, 1), Severity: diagnostics.Warning, Code: "codegen-unsupported", Source: diagnostics.SourceRustko, Message: "no return thunks"}
			fake.build = func(ctx context.Context, p *Project, progress func(string, string)) (*BuildResult, error) {
				progress("kbuild", "")
				return &BuildResult{Findings: []diagnostics.Finding{buildWarning}}, nil
			}
			cfgs := make(chan vm.Config, 4)
			fakeBoot(t, tc.log, cfgs)
			h := start(t, fake)
			yes := true
			h.initialize(t, withFolders(&protocol.InitializeParams{Capabilities: protocol.ClientCapabilities{
				Window: &protocol.WindowClientCapabilities{WorkDoneProgress: &yes}}}, root))
			if _, err := h.server.ExecuteCommand(h.ctx, &protocol.ExecuteCommandParams{Command: cmdRun}); err != nil {
				t.Fatal(err)
			}
			select {
			case cfg := <-cfgs:
				if cfg.KO != filepath.Join(root, filepath.Base(root)+".ko") || cfg.Tree != "/kernel" {
					t.Errorf("booted %s on %s, want the module's .ko on its kernel tree", cfg.KO, cfg.Tree)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the run never booted")
			}
			h.waitFor(t, 5*time.Second, "the verdict", func() bool {
				h.rec.mu.Lock()
				defer h.rec.mu.Unlock()
				return slices.ContainsFunc(h.rec.messages, func(m protocol.ShowMessageParams) bool { return strings.Contains(m.Message, "rustko: ") }) &&
					slices.ContainsFunc(h.rec.progress, func(p string) bool { return strings.HasPrefix(p, "end: ") })
			})
			h.rec.mu.Lock()
			msgs, prog := slices.Clone(h.rec.messages), slices.Clone(h.rec.progress)
			h.rec.mu.Unlock()
			if len(msgs) != 1 || msgs[0].Type != tc.msgType {
				t.Errorf("messages %+v, want one verdict of type %v", msgs, tc.msgType)
			}
			if !slices.ContainsFunc(prog, func(p string) bool { return strings.HasPrefix(p, "begin: rustko: running ") }) ||
				!slices.ContainsFunc(prog, func(p string) bool { return strings.HasPrefix(p, "end: ") }) {
				t.Errorf("progress %q: want a begin and an end", prog)
			}
			all := strings.Join(logLines(h.rec), "\n")
			for _, w := range tc.logWants {
				if !strings.Contains(all, w) {
					t.Errorf("log messages lack %q:\n%s", w, all)
				}
			}
			h.waitFor(t, 5*time.Second, "the findings", func() bool {
				d, _ := h.rec.diagsOf(lib)
				return slices.Contains(codesOf(d), "codegen-unsupported")
			})
			d, _ := h.rec.diagsOf(lib)
			if got := slices.Contains(codesOf(d), vm.CodeOops); got != tc.oops {
				t.Errorf("module-oops published = %v, want %v: %v", got, tc.oops, codesOf(d))
			}
			if !tc.oops {
				return
			}
			// The next build replaces the run's findings.
			fake.mu.Lock()
			fake.build = nil
			fake.mu.Unlock()
			if _, err := h.server.ExecuteCommand(h.ctx, &protocol.ExecuteCommandParams{Command: cmdRebuild}); err != nil {
				t.Fatal(err)
			}
			h.waitFor(t, 5*time.Second, "the run's findings cleared", func() bool {
				d, _ := h.rec.diagsOf(lib)
				return len(d) == 0
			})
		})
	}
}
