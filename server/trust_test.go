package server

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/workspace"
)

// An untrusted workspace (VS Code's Restricted Mode, `trusted = false`)
// runs nothing of its own: the module's makefiles are not evaluated, nothing
// is built on save, and the rebuild and regenerate commands are refused.

func TestSettingsTrusted(t *testing.T) {
	tests := []struct {
		name                         string
		raw                          string
		trusted, buildOnSave, errors bool
	}{
		{"absent means trusted", `{}`, true, true, false},
		{"trusted true", `{"rustko":{"trusted":true}}`, true, true, false},
		{"untrusted: no build on save", `{"rustko":{"trusted":false}}`, false, false, false},
		{"untrusted wins over buildOnSave", `{"trusted":false,"buildOnSave":true}`, false, false, false},
		{"trusted, build on save off", `{"trusted":true,"buildOnSave":false}`, true, false, false},
		{"not a boolean", `{"trusted":"no"}`, true, true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, unknown, err := parseSettings([]byte(tc.raw))
			if (err != nil) != tc.errors {
				t.Fatalf("err = %v, want error %v", err, tc.errors)
			}
			if err != nil {
				if !strings.Contains(err.Error(), "trusted booleans") {
					t.Errorf("error %q does not say what trusted must be", err)
				}
				return
			}
			if len(unknown) != 0 {
				t.Errorf("unknown keys %v: trusted must be known", unknown)
			}
			if s.trusted() != tc.trusted || s.buildOnSave() != tc.buildOnSave {
				t.Errorf("trusted %v buildOnSave %v, want %v %v", s.trusted(), s.buildOnSave(), tc.trusted, tc.buildOnSave)
			}
			if got := s.loadOptions().Untrusted; got != !tc.trusted {
				t.Errorf("loadOptions().Untrusted = %v, want %v", got, !tc.trusted)
			}
		})
	}
	no := false
	if (Settings{}).equal(Settings{Trusted: &no}) {
		t.Error("a change of trust is not a change of settings: the module would not be reloaded")
	}
}

// The server's side of trust with the test backend: what it asks the
// backend for, and what it refuses, before and after the workspace is
// trusted.
func TestUntrustedWorkspace(t *testing.T) {
	root := tempModule(t, "fn f() { kmalloc(8); }\n")
	lib := filepath.Join(root, "src", "lib.rs")
	fake := newFake(root)
	h := start(t, fake)
	h.initialize(t, withFolders(&protocol.InitializeParams{InitializationOptions: protocol.LSPAny(`{"rustko":{"trusted":false}}`)}, root))
	h.open(t, lib, "fn f() { kmalloc(8); }\n")
	h.waitFor(t, 2*time.Second, "analysis findings in the untrusted module", func() bool {
		d, _ := h.rec.diagsOf(lib)
		return len(d) == 1
	})
	loads := func() []bool {
		fake.mu.Lock()
		defer fake.mu.Unlock()
		return slices.Clone(fake.untrusted)
	}
	if l := loads(); len(l) == 0 || slices.Contains(l, false) {
		t.Fatalf("loads untrusted = %v, want every load untrusted", l)
	}

	h.save(t, lib)
	for _, cmd := range []string{cmdRebuild, cmdRegenerateBindings} {
		t.Run("refused "+cmd, func(t *testing.T) {
			for _, args := range [][]protocol.LSPAny{nil, {protocol.LSPAny(fmt.Sprintf("%q", uri.File(lib)))}} {
				_, err := h.server.ExecuteCommand(h.ctx, &protocol.ExecuteCommandParams{Command: cmd, Arguments: args})
				if err == nil || codeOf(err) != codeRequestFailed {
					t.Fatalf("%s %v: err = %v, want a RequestFailed refusal", cmd, args, err)
				}
				for _, want := range []string{"not trusted", "Restricted Mode", "Manage Workspace Trust", "trusted to true"} {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("refusal %q does not mention %q", err, want)
					}
				}
			}
		})
	}
	// The save's build would have started after BuildDelay (30 ms).
	time.Sleep(300 * time.Millisecond)
	if n := fake.builds.Load(); n != 0 {
		t.Fatalf("%d builds in the untrusted workspace, want none", n)
	}
	if n := fake.forced.Load(); n != 0 {
		t.Fatalf("%d forced binding regenerations in the untrusted workspace, want none", n)
	}

	// Trusting reloads the module the trusted way, and saves build again.
	before := len(loads())
	must(t, h.server.DidChangeConfiguration(h.ctx, &protocol.DidChangeConfigurationParams{Settings: protocol.LSPAny(`{"rustko":{"trusted":true}}`)}))
	h.waitFor(t, 2*time.Second, "a trusted reload", func() bool {
		l := loads()
		return len(l) > before && !l[len(l)-1]
	})
	h.save(t, lib)
	h.waitFor(t, 2*time.Second, "a build on save once trusted", func() bool { return fake.builds.Load() == 1 })
	if _, err := h.server.ExecuteCommand(h.ctx, &protocol.ExecuteCommandParams{Command: cmdRebuild}); err != nil {
		t.Errorf("rebuild once trusted: %v", err)
	}
	h.shutdown(t)
}

// Withdrawing trust stops a build in flight at once (it runs the
// workspace's Makefile and compilers), and its results are never published.
func TestWithdrawnTrustCancelsTheBuild(t *testing.T) {
	root := tempModule(t, "fn init() {}\n")
	fake := newFake(root)
	lib := filepath.Join(root, "src", "lib.rs")
	started, cancelled := make(chan struct{}), make(chan struct{})
	fake.build = func(ctx context.Context, p *Project, progress func(string, string)) (*BuildResult, error) {
		close(started)
		<-ctx.Done()
		close(cancelled)
		return &BuildResult{Findings: []diagnostics.Finding{{File: lib, Range: diagnostics.Point(1, 1), Severity: diagnostics.Error, Source: "rustc", Message: "from the cancelled build"}}}, nil
	}
	h := start(t, fake)
	h.initialize(t, nil)
	h.open(t, lib, "fn init() {}\n")
	h.save(t, lib)
	select {
	case <-started:
	case <-time.After(3 * time.Second):
		t.Fatal("the build never started")
	}
	must(t, h.server.DidChangeConfiguration(h.ctx, &protocol.DidChangeConfigurationParams{Settings: protocol.LSPAny(`{"rustko":{"trusted":false}}`)}))
	select {
	case <-cancelled:
	case <-time.After(2 * time.Second):
		t.Fatal("the build went on after trust was withdrawn")
	}
	time.Sleep(100 * time.Millisecond)
	if d, _ := h.rec.diagsOf(lib); slices.Contains(messages(d), "from the cancelled build") {
		t.Error("the cancelled build's findings were published")
	}
	h.shutdown(t)
}

// The acceptance test: the real backend on a copy of testdata/hello whose
// Makefile and config.mk create a sentinel file the moment make reads them.
func TestRealUntrustedWorkspace(t *testing.T) {
	const lib = `#![no_std]
#[allow(dead_code)]
mod bindings;

fn fops() -> bindings::file_operations {
    bindings::file_operations { read: None, ..unsafe { core::mem::zeroed() } }
}

#[no_mangle]
pub extern "C" fn rust_main() {
    let _ = fops();
    unsafe {
        let p = bindings::kmalloc(64, bindings::GFP_KERNEL);
        bindings::kfree(p as *const _);
    }
}

#[panic_handler]
fn panic(_info: &core::panic::PanicInfo) -> ! {
    loop {}
}
`
	root := copyModule(t, lib)
	sentinel := filepath.Join(root, "SENTINEL")
	mk, err := os.ReadFile(filepath.Join(root, "Makefile"))
	must(t, err)
	must(t, os.WriteFile(filepath.Join(root, "Makefile"), []byte("RAN := $(shell touch "+sentinel+")\n"+string(mk)), 0o644))
	ran := func() bool {
		_, err := os.Stat(sentinel)
		return err == nil
	}

	h := startReal(t, root, `{"rustko":{"trusted":false}}`)
	path := filepath.Join(root, "src", "lib.rs")
	h.open(t, path, lib)

	// Analysis runs, on the index of the system's kernel headers, and says
	// that its advice about KERNEL_HELPERS rests on rustko's defaults.
	var inline protocol.Diagnostic
	h.waitFor(t, realTimeout, "the inline-function finding on kmalloc", func() bool {
		d, _ := h.rec.diagsOf(path)
		for _, x := range d {
			if c, ok := x.Code.(protocol.String); ok && c == "inline-function" {
				inline = x
				return true
			}
		}
		return false
	})
	if msg := messageOf(inline); !strings.Contains(msg, "kmalloc") || !strings.HasSuffix(msg, workspace.UntrustedNote("KERNEL_HELPERS")) {
		t.Errorf("inline-function finding %q, want it about kmalloc and ending with the untrusted note", msg)
	}
	acts, err := h.server.CodeAction(h.ctx, &protocol.CodeActionParams{
		TextDocument: protocol.TextDocumentIdentifier{URI: uri.File(path)},
		Range:        inline.Range, Context: protocol.CodeActionContext{Diagnostics: []protocol.Diagnostic{inline}},
	})
	must(t, err)
	if !slices.ContainsFunc(acts, func(a protocol.CommandOrCodeAction) bool {
		ca, ok := a.(*protocol.CodeAction)
		return ok && strings.Contains(ca.Title, "KERNEL_HELPERS")
	}) {
		t.Errorf("code actions for the kmalloc finding = %#v, want the KERNEL_HELPERS fix", acts)
	}
	if got := hoverValue(h.hoverAt(t, path, lib, "file_operations {")); !strings.Contains(got, "size 280 bytes, align 8") {
		t.Errorf("hover on file_operations in the untrusted module:\n%s", got)
	}
	off := strings.Index(lib, "file_operations {")
	def, err := h.server.Definition(h.ctx, &protocol.DefinitionParams{TextDocumentPositionParams: protocol.TextDocumentPositionParams{
		TextDocument: protocol.TextDocumentIdentifier{URI: uri.File(path)}, Position: newText(lib).position(off, utf16)}})
	must(t, err)
	if loc, ok := def.(*protocol.Location); !ok || !strings.HasSuffix(string(loc.URI), "/include/linux/fs.h") {
		t.Errorf("definition of file_operations = %#v, want include/linux/fs.h", def)
	}
	if st, ok := h.rec.lastStatus(); !ok || st.KernelRelease == "" {
		t.Errorf("rustko/status = %+v, want the system kernel's release", st)
	}

	h.save(t, path)
	_, err = h.server.ExecuteCommand(h.ctx, &protocol.ExecuteCommandParams{Command: cmdRebuild, Arguments: []protocol.LSPAny{protocol.LSPAny(fmt.Sprintf("%q", uri.File(path)))}})
	if err == nil || !strings.Contains(err.Error(), "not trusted") {
		t.Errorf("rebuild in the untrusted module: err = %v, want the refusal", err)
	}
	// A build would begin within BuildDelay (30 ms) of the save.
	time.Sleep(2 * time.Second)
	h.rec.mu.Lock()
	progress := slices.Clone(h.rec.progress)
	h.rec.mu.Unlock()
	for _, p := range progress {
		if strings.Contains(p, "rustko: building") {
			t.Errorf("build progress in the untrusted module: %q", p)
		}
	}
	if ran() {
		t.Fatal("the untrusted module's Makefile was evaluated: SENTINEL exists")
	}
	for _, f := range []string{"src/bindings.rs", "src/bindings.index", "build"} {
		if _, err := os.Stat(filepath.Join(root, f)); err == nil {
			t.Errorf("%s was written into the untrusted module", f)
		}
	}

	// Trusted: the module is read with make, and saves build.
	must(t, h.server.DidChangeConfiguration(h.ctx, &protocol.DidChangeConfigurationParams{Settings: protocol.LSPAny(`{"rustko":{"trusted":true}}`)}))
	h.waitFor(t, realTimeout, "make to evaluate the Makefile once trusted (SENTINEL)", ran)
	h.save(t, path)
	h.waitFor(t, realTimeout, "the build to begin once trusted", func() bool {
		h.rec.mu.Lock()
		defer h.rec.mu.Unlock()
		return slices.ContainsFunc(h.rec.progress, func(p string) bool { return strings.Contains(p, "begin: rustko: building") })
	})
	h.shutdown(t)
}
