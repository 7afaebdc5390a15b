package server

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/rustko/rustko-lsp/diagnostics"
)

// Diagnostics go to the URI string the client opened the document with,
// however it spelled the path (dot segments, escapes, a symlinked folder)
// and however the tools name the file.
func TestDiagnosticsUseTheOpenedURI(t *testing.T) {
	const src = "fn f() { kmalloc(1); }\n"
	real := tempModule(t, src)
	link := filepath.Join(t.TempDir(), "link")
	must(t, os.Symlink(real, link))
	tests := []struct {
		name, root, opened string
	}{
		{"dot segments and an escaped dot", real, "file://" + real + "/src/../src/lib%2Ers"},
		{"a symlinked module folder", link, string(uri.File(filepath.Join(link, "src", "lib.rs")))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake := newFake(tc.root)
			fake.build = func(ctx context.Context, p *Project, progress func(string, string)) (*BuildResult, error) {
				// rustc names the file by its real, clean path.
				return &BuildResult{Findings: []diagnostics.Finding{{File: filepath.Join(real, "src", "lib.rs"), Range: diagnostics.Point(1, 4),
					Severity: diagnostics.Error, Source: "rustc", Code: "E0308", Message: "mismatched types"}}}, nil
			}
			// The raw client: the URI strings on the wire, not a parsed form.
			r := startRaw(t, fake)
			r.initialize()
			text, _ := json.Marshal(src)
			r.send(`{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"` + tc.opened + `","languageId":"rust","version":1,"text":` + string(text) + `}}}`)
			r.send(`{"jsonrpc":"2.0","method":"textDocument/didSave","params":{"textDocument":{"uri":"` + tc.opened + `"}}}`)
			for {
				m := r.next()
				if m.Method != "textDocument/publishDiagnostics" {
					continue
				}
				var p struct {
					URI         string            `json:"uri"`
					Diagnostics []json.RawMessage `json:"diagnostics"`
				}
				must(t, json.Unmarshal(m.Params, &p))
				if p.URI != tc.opened {
					t.Fatalf("diagnostics published under %q; the document was opened as %q", p.URI, tc.opened)
				}
				if len(p.Diagnostics) == 2 {
					break // the analysis's and the build's, in one list
				}
			}
		})
	}
}

// didSave is for documents open in the client: one never opened does not
// start a build (a configuration file still reloads the module).
func TestDidSaveOfUnopenedDocumentDoesNotBuild(t *testing.T) {
	root := tempModule(t, "fn f() {}\n")
	lib := filepath.Join(root, "src", "lib.rs")
	fake := newFake(root)
	h := start(t, fake)
	h.initialize(t, nil)
	h.save(t, lib)
	h.save(t, filepath.Join(root, "config.mk"))
	time.Sleep(200 * time.Millisecond) // several build delays
	if n := fake.builds.Load(); n != 0 {
		t.Fatalf("%d builds after didSave of documents never opened, want 0", n)
	}
	h.open(t, lib, "fn f() {}\n")
	h.save(t, lib)
	h.waitFor(t, 3*time.Second, "a build after saving the open document", func() bool { return fake.builds.Load() == 1 })
	h.shutdown(t)
}

// Kernel headers that do not parse: said once, on the crate's first line
// and in the status (no popup on every load), while the text checks go on.
func TestUnparsableHeadersSaidOnceWhereTheUserLooks(t *testing.T) {
	root := tempModule(t, "fn f() { kmalloc(1); }\n")
	lib := filepath.Join(root, "src", "lib.rs")
	fake := newFake(root)
	fake.indexErr = errors.New("include/linux/fs.h:12:3: unexpected token")
	h := start(t, fake)
	h.initialize(t, nil)
	h.open(t, lib, "fn f() { kmalloc(1); }\n")
	check := func() {
		t.Helper()
		h.waitFor(t, 3*time.Second, "the headers diagnostic on line 1 and the analysis's finding", func() bool {
			d, _ := h.rec.diagsOf(lib)
			n, other := 0, 0
			for _, x := range d {
				if x.Code == protocol.String("kernel-headers") {
					msg, _ := x.Message.(protocol.String)
					if x.Range.Start.Line != 0 || !strings.Contains(string(msg), "unexpected token") {
						return false
					}
					n++
				} else {
					other++
				}
			}
			return n == 1 && other == 1
		})
	}
	check()
	for i := range 3 {
		must(t, h.server.DidChangeConfiguration(h.ctx, &protocol.DidChangeConfigurationParams{
			Settings: protocol.LSPAny(`{"helpers": ["h` + string(rune('0'+i)) + `"]}`)}))
		time.Sleep(50 * time.Millisecond)
	}
	h.waitFor(t, 3*time.Second, "the reloads", func() bool { return fake.indexes.Load() >= 2 })
	check()
	h.rec.mu.Lock()
	msgs := h.rec.messages
	h.rec.mu.Unlock()
	if len(msgs) != 0 {
		t.Errorf("popups %+v; the problem is on the file and in the status", msgs)
	}
	st, ok := h.rec.lastStatus()
	if !ok || !strings.Contains(st.KernelError, "unexpected token") || st.KernelRelease != "test" {
		t.Errorf("status %+v, want the release and the headers error", st)
	}
	h.shutdown(t)
}

// The headers note goes where check puts findings without a line: the crate
// root Cargo.toml names, not a src/lib.rs the build never compiles.
func TestUnparsableHeadersSaidOnTheCrateRoot(t *testing.T) {
	root := tempModule(t, "// not the crate root\n")
	driver := filepath.Join(root, "src", "driver.rs")
	must(t, os.WriteFile(driver, []byte("fn f() {}\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(root, "Cargo.toml"),
		[]byte("[package]\nname = \"m\"\nversion = \"0.1.0\"\n\n[lib]\npath = \"src/driver.rs\"\n"), 0o644))
	fake := newFake(root)
	fake.indexErr = errors.New("include/linux/fs.h:12:3: unexpected token")
	h := start(t, fake)
	h.initialize(t, nil)
	h.open(t, driver, "fn f() {}\n")
	h.waitFor(t, 3*time.Second, "the headers diagnostic on the crate root", func() bool {
		d, _ := h.rec.diagsOf(driver)
		for _, x := range d {
			if x.Code == protocol.String("kernel-headers") && x.Range.Start.Line == 0 {
				return true
			}
		}
		return false
	})
	if d, _ := h.rec.diagsOf(filepath.Join(root, "src", "lib.rs")); len(d) != 0 {
		t.Errorf("src/lib.rs got %+v; Cargo.toml names src/driver.rs as the crate root", d)
	}
	h.shutdown(t)
}

// A closed document's analysis state (its resolver, which holds the syntax
// tree) is dropped; its findings stay, now from the disk.
func TestClosedDocumentDropsItsResolver(t *testing.T) {
	root := tempModule(t, "fn f() { kmalloc(1); }\n")
	lib := filepath.Join(root, "src", "lib.rs")
	fake := newFake(root)
	fake.resolve = true
	h := start(t, fake)
	h.initialize(t, nil)
	h.open(t, lib, "fn f() { kmalloc(1); }\n")
	se := h.srv.sessionFor(lib)
	held := func() bool {
		se.mu.Lock()
		defer se.mu.Unlock()
		_, ok := se.resolvers[lib]
		return ok
	}
	h.waitFor(t, 3*time.Second, "the open buffer's resolver", held)
	must(t, h.server.DidClose(h.ctx, &protocol.DidCloseTextDocumentParams{TextDocument: protocol.TextDocumentIdentifier{URI: uri.File(lib)}}))
	time.Sleep(100 * time.Millisecond) // the analysis from disk runs
	if held() {
		t.Error("the resolver of a closed document is still held")
	}
	if d, _ := h.rec.diagsOf(lib); len(d) != 1 {
		t.Errorf("findings after close: %+v, want the one from the disk", d)
	}
	h.shutdown(t)
}
