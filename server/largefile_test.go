package server

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
	"weak"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/diagnostics/rustsrc"
)

// bigRust is n bytes or a little more of Rust, with a kmalloc call (the
// fake backend's finding) on its second line.
func bigRust(n int) string {
	var b strings.Builder
	b.WriteString("fn init() {\n    let p = kmalloc(8);\n}\n")
	for i := 0; b.Len() < n; i++ {
		b.WriteString("fn filler")
		b.WriteString(strings.Repeat("x", i%7))
		b.WriteString("() -> u32 { 42 }\n")
	}
	return b.String()
}

// TestLargeFileBound (issue 13): a buffer over maxAnalysedBytes is not
// analysed; it gets one informational note on its first line, published
// once however often it is edited, and the analysis comes back when the
// text shrinks under the bound.
func TestLargeFileBound(t *testing.T) {
	root := tempModule(t, "fn init() {}\n")
	fake := newFake(root)
	h := start(t, fake)
	h.initialize(t, &protocol.InitializeParams{})
	big := filepath.Join(root, "src", "big.rs")
	text := bigRust(maxAnalysedBytes + 1)

	h.open(t, big, text)
	h.waitFor(t, 5*time.Second, "the file-too-large note", func() bool {
		d, _ := h.rec.diagsOf(big)
		return len(d) == 1
	})
	d, _ := h.rec.diagsOf(big)
	note := d[0]
	if code, _ := note.Code.(protocol.String); string(code) != diagnostics.CodeFileTooLarge || note.Severity != protocol.DiagnosticSeverityInformation ||
		note.Range.Start != (protocol.Position{}) || !strings.Contains(messageOf(note), "1 MiB") {
		t.Fatalf("note = %+v, want one %s information on 1:1 naming the 1 MiB bound", note, diagnostics.CodeFileTooLarge)
	}

	// Edits that keep it large: no analysis, and the same note is not
	// published again.
	for v := int32(2); v < 5; v++ {
		text += "// more\n"
		h.changeAll(t, big, v, text)
	}
	time.Sleep(200 * time.Millisecond) // several analysis delays
	publishes := 0
	h.rec.mu.Lock()
	for _, p := range h.rec.history {
		if p.path == big {
			publishes++
			for _, x := range p.diags {
				if code, _ := x.Code.(protocol.String); string(code) != diagnostics.CodeFileTooLarge {
					t.Errorf("an over-size buffer was analysed: %q", messageOf(x))
				}
			}
		}
	}
	h.rec.mu.Unlock()
	if publishes != 1 {
		t.Errorf("%d publishes for the over-size file, want the note once", publishes)
	}

	// Under the bound again: the analysis's finding replaces the note.
	h.changeAll(t, big, 5, "fn init() {\n    let p = kmalloc(8);\n}\n")
	h.waitFor(t, 5*time.Second, "the analysis of the shrunk file", func() bool {
		d, _ := h.rec.diagsOf(big)
		return len(d) == 1 && messageOf(d[0]) == "kmalloc is static inline"
	})
}

// TestSizeText: the bound and sizes read as people write them.
func TestSizeText(t *testing.T) {
	for n, want := range map[int]string{1: "1 KiB", 4000: "4 KiB", 1 << 20: "1 MiB", 5 << 20: "5 MiB", 5<<20 + 1<<19: "5.5 MiB"} {
		if got := sizeText(n); got != want {
			t.Errorf("sizeText(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestRealClosedDocumentReleased (issue 13): closing a buffer drops its
// parse (syntax trees several times the file's size) and its resolver: the
// File the analysis made becomes garbage. The disk analysis that follows
// the close keeps no parse either.
func TestRealClosedDocumentReleased(t *testing.T) {
	root := copyModule(t, "")
	h := startReal(t, root, "")
	b := h.srv.backend.(*realBackend)
	extra := filepath.Join(root, "src", "extra.rs")
	// The kmalloc call gets an inline-function finding, so the analysis
	// after the close publishes and the test can tell it ran.
	body := "use crate::bindings;\npub fn f() -> u32 { bindings::GFP_KERNEL }\n" +
		"pub fn g() { let _p = unsafe { bindings::kmalloc(8, bindings::GFP_KERNEL) }; }\n" + filler(2000)
	must(t, os.WriteFile(extra, []byte(body), 0o644))
	h.open(t, extra, body)
	var f *rustsrc.File
	h.waitFor(t, realTimeout, "the analysis of the open buffer", func() bool {
		b.mu.Lock()
		f = b.files[extra]
		b.mu.Unlock()
		d, _ := h.rec.diagsOf(extra)
		return f != nil && len(d) > 0 && h.hoverAt(t, extra, body, "GFP_KERNEL }") != nil
	})
	var gone weak.Pointer[rustsrc.File] = weak.Make(f)
	f = nil
	published := h.rec.publishCount(extra)

	must(t, h.server.DidClose(h.ctx, &protocol.DidCloseTextDocumentParams{TextDocument: protocol.TextDocumentIdentifier{URI: uri.File(extra)}}))
	// The close is followed by an analysis of the file on disk; wait until
	// it has run (it publishes, the close having forgotten the last list).
	h.waitFor(t, realTimeout, "the analysis of the closed file", func() bool {
		return h.rec.publishCount(extra) > published
	})
	time.Sleep(50 * time.Millisecond)
	b.mu.Lock()
	kept := b.files[extra]
	b.mu.Unlock()
	if kept != nil {
		t.Errorf("the backend still holds a parse of %s after it was closed", extra)
	}
	for i := 0; i < 5 && gone.Value() != nil; i++ {
		runtime.GC()
	}
	if gone.Value() != nil {
		t.Errorf("the closed buffer's analysis (*rustsrc.File) is still reachable")
	}
	h.shutdown(t)
}

// publishCount is how many publishes went to path so far.
func (r *recorder) publishCount(path string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, p := range r.history {
		if p.path == path {
			n++
		}
	}
	return n
}

// TestLargeFileNoHover: the file-too-large note says hover and definition
// are off in such a file, and they are, though the name under the cursor
// is in the index; under the bound they answer again.
func TestLargeFileNoHover(t *testing.T) {
	root := tempModule(t, "fn init() {}\n")
	fake := newFake(root)
	fake.ix = synthetic(t, t.TempDir())
	h := start(t, fake)
	h.initialize(t, nil)
	big := filepath.Join(root, "src", "big.rs")
	// bigRust's second line: `    let p = kmalloc(8);`, kmalloc at 12.
	at := protocol.TextDocumentPositionParams{TextDocument: protocol.TextDocumentIdentifier{URI: uri.File(big)}, Position: protocol.Position{Line: 1, Character: 13}}
	// The index is loaded once a file under the bound gets an answer, so
	// the over-size file's silence is the bound's, not a load still going.
	h.open(t, big, bigRust(1000))
	h.waitFor(t, 5*time.Second, "hover once the index is loaded", func() bool {
		hv, err := h.server.Hover(h.ctx, &protocol.HoverParams{TextDocumentPositionParams: at})
		return err == nil && hv != nil
	})
	must(t, h.server.DidClose(h.ctx, &protocol.DidCloseTextDocumentParams{TextDocument: protocol.TextDocumentIdentifier{URI: uri.File(big)}}))
	for _, tc := range []struct {
		size   int
		answer bool
	}{{maxAnalysedBytes + 1, false}, {1000, true}} {
		h.open(t, big, bigRust(tc.size))
		hv, err := h.server.Hover(h.ctx, &protocol.HoverParams{TextDocumentPositionParams: at})
		if err != nil || (hv != nil) != tc.answer {
			t.Errorf("%d bytes: hover %+v, %v; want an answer: %v", tc.size, hv, err, tc.answer)
		}
		def, err := h.server.Definition(h.ctx, &protocol.DefinitionParams{TextDocumentPositionParams: at})
		if err != nil || (def != nil) != tc.answer {
			t.Errorf("%d bytes: definition %+v, %v; want an answer: %v", tc.size, def, err, tc.answer)
		}
		must(t, h.server.DidClose(h.ctx, &protocol.DidCloseTextDocumentParams{TextDocument: protocol.TextDocumentIdentifier{URI: uri.File(big)}}))
	}
	h.shutdown(t)
}
