package server

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/rustko/rustko-lsp/diagnostics"
)

// placeBuildFindings on each kind of edit: a finding moves with the code it
// is about, and is dropped when that code was changed or deleted.
func TestBuildFindingsFollowEdits(t *testing.T) {
	const base = "fn a() {}\nfn b() { kmalloc(16); }\nfn c() {}\n"
	call := diagnostics.Range{Start: diagnostics.Position{Line: 2, Column: 10}, End: diagnostics.Position{Line: 2, Column: 17}} // "kmalloc"
	line := diagnostics.Point(2, 1)                                                                                             // the whole line (kbuild style)
	tests := []struct {
		name  string
		after string // the buffer after the edits (one edit, from diffEdit)
		r     diagnostics.Range
		want  string // the text the mapped finding covers; "" dropped
	}{
		{"no edit", base, call, "kmalloc"},
		{"3 comment lines added at the top", "// x\n// y\n// z\n" + base, call, "kmalloc"},
		{"text inserted before, same line", strings.Replace(base, "fn b()", "pub fn b()", 1), call, "kmalloc"},
		{"text inserted after, same line", strings.Replace(base, "(16);", "(16); // ok", 1), call, "kmalloc"},
		{"a later line edited", strings.Replace(base, "fn c", "fn cc", 1), call, "kmalloc"},
		{"the line deleted", "fn a() {}\nfn c() {}\n", call, ""},
		{"the name edited", strings.Replace(base, "kmalloc", "kzalloc", 1), call, ""},
		{"text typed inside", strings.Replace(base, "kmalloc", "kmal_loc", 1), call, ""},
		{"whole line: lines added above", "\n\n" + base, line, "fn b() { kmalloc(16); }"},
		{"whole line: the line deleted", "fn a() {}\nfn c() {}\n", line, ""},
		{"everything replaced", "mod x;\n", call, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			log := &editLog{}
			bt := newText(base)
			m := buildMark{log: log, seq: 0, base: bt}
			doc := &document{text: newText(tc.after), log: log}
			if tc.after != base {
				doc.seq = log.add(diffEdit(base, tc.after))
			}
			got, _ := placeBuildFindings([]diagnostics.Finding{{File: "x.rs", Range: tc.r, Code: "E0425"}}, m, doc)
			if tc.want == "" {
				if len(got) != 0 {
					t.Fatalf("kept at %+v, want dropped", got[0].Range)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("dropped, want it on %q", tc.want)
			}
			a, b := findingOffsets(doc.text, got[0].Range)
			if covered := doc.text.s[a:b]; covered != tc.want {
				t.Errorf("the finding covers %q (%+v), want %q", covered, got[0].Range, tc.want)
			}
		})
	}
}

// The scenario through the server: a build finds E0425 on a saved
// line; three comment lines added at the top, unsaved, move it down three
// lines; deleting its line, unsaved, drops it; the next build replaces the
// list.
func TestBuildFindingMovesWithUnsavedEdits(t *testing.T) {
	const saved = "fn init() {\n    unsafe { bindings::kfoo(16, bindings::GFP_KERNEL); }\n}\n"
	root := tempModule(t, saved)
	lib := filepath.Join(root, "src", "lib.rs")
	fake := newFake(root)
	fake.build = func(ctx context.Context, p *Project, progress func(string, string)) (*BuildResult, error) {
		b, err := os.ReadFile(lib)
		if err != nil {
			return nil, err
		}
		var fs []diagnostics.Finding
		for i, l := range strings.Split(string(b), "\n") {
			if c := strings.Index(l, "bindings::kfoo"); c >= 0 {
				fs = append(fs, diagnostics.Finding{File: lib, Severity: diagnostics.Error, Source: "rustc", Code: "E0425",
					Range:   diagnostics.Range{Start: diagnostics.Position{Line: i + 1, Column: c + 1}, End: diagnostics.Position{Line: i + 1, Column: c + 1 + len("bindings::kfoo")}},
					Message: "cannot find function `kfoo` in module `bindings`"})
			}
		}
		return &BuildResult{Findings: fs}, nil
	}
	h := start(t, fake)
	h.initialize(t, nil)
	h.open(t, lib, saved)
	h.save(t, lib)
	e0425 := func() []protocol.Diagnostic {
		d, _ := h.rec.diagsOf(lib)
		var out []protocol.Diagnostic
		for _, x := range d {
			if x.Code == protocol.String("E0425") {
				out = append(out, x)
			}
		}
		return out
	}
	at := func(line, from, to uint32) protocol.Range {
		return protocol.Range{Start: protocol.Position{Line: line, Character: from}, End: protocol.Position{Line: line, Character: to}}
	}
	h.waitFor(t, 3*time.Second, "E0425 from the build on line 1", func() bool {
		d := e0425()
		return len(d) == 1 && d[0].Range == at(1, 13, 27)
	})
	edit := func(version int32, r protocol.Range, text string) {
		t.Helper()
		err := h.server.DidChange(h.ctx, &protocol.DidChangeTextDocumentParams{
			TextDocument:   protocol.VersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: uri.File(lib)}, Version: version},
			ContentChanges: []protocol.TextDocumentContentChangeEvent{&protocol.TextDocumentContentChangePartial{Range: r, Text: text}},
		})
		must(t, err)
	}
	edit(2, at(0, 0, 0), "// one\n// two\n// three\n")
	h.waitFor(t, 3*time.Second, "E0425 moved down 3 lines, on the same code", func() bool {
		d := e0425()
		return len(d) == 1 && d[0].Range == at(4, 13, 27)
	})
	edit(3, protocol.Range{Start: protocol.Position{Line: 4}, End: protocol.Position{Line: 5}}, "")
	h.waitFor(t, 3*time.Second, "E0425 dropped with its deleted line", func() bool {
		_, seen := h.rec.diagsOf(lib)
		return seen && len(e0425()) == 0
	})
	// Typing elsewhere does not bring it back.
	edit(4, at(0, 0, 0), "// four\n")
	time.Sleep(100 * time.Millisecond)
	if d := e0425(); len(d) != 0 {
		t.Fatalf("E0425 came back at %+v after an unrelated edit", d[0].Range)
	}
	// Saved with the line back: the next build's list replaces the mapping.
	must(t, osWrite(lib, saved))
	h.changeAll(t, lib, 5, saved)
	h.save(t, lib)
	h.waitFor(t, 3*time.Second, "E0425 from the new build", func() bool {
		d := e0425()
		return len(d) == 1 && d[0].Range == at(1, 13, 27)
	})
	h.shutdown(t)
}

// One problem, one diagnostic: rustc's E0425 on the call rustko flags is
// folded into rustko's finding as related information, and the build's
// result reaches the client in one publish.
func TestCompilerErrorOnRustkoFindingIsOneDiagnostic(t *testing.T) {
	const src = "fn init() {\n    unsafe { bindings::kmalloc(16, bindings::GFP_KERNEL); }\n    unsafe { bindings::kfoo(1); }\n}\n"
	root := tempModule(t, src)
	lib := filepath.Join(root, "src", "lib.rs")
	fake := newFake(root)
	e0425 := func(line, col int, name string) diagnostics.Finding {
		return diagnostics.Finding{File: lib, Severity: diagnostics.Error, Source: diagnostics.SourceRustc, Code: "E0425",
			Range:   diagnostics.Range{Start: diagnostics.Position{Line: line, Column: col}, End: diagnostics.Position{Line: line, Column: col + len("bindings::"+name)}},
			Message: "cannot find function `" + name + "` in module `bindings`"}
	}
	fake.build = func(ctx context.Context, p *Project, progress func(string, string)) (*BuildResult, error) {
		return &BuildResult{Findings: []diagnostics.Finding{e0425(2, 14, "kmalloc"), e0425(3, 14, "kfoo")}}, nil
	}
	h := start(t, fake)
	yes := true
	h.initialize(t, &protocol.InitializeParams{Capabilities: protocol.ClientCapabilities{TextDocument: &protocol.TextDocumentClientCapabilities{
		PublishDiagnostics: &protocol.PublishDiagnosticsClientCapabilities{DiagnosticsCapabilities: protocol.DiagnosticsCapabilities{RelatedInformation: &yes}},
	}}})
	h.open(t, lib, src)
	h.waitFor(t, 3*time.Second, "rustko's finding from the analysis", func() bool {
		d, _ := h.rec.diagsOf(lib)
		return len(d) == 1
	})
	h.rec.mu.Lock()
	before := len(h.rec.history)
	h.rec.mu.Unlock()
	h.save(t, lib)
	h.waitFor(t, 3*time.Second, "the build's findings", func() bool {
		d, _ := h.rec.diagsOf(lib)
		return len(d) == 2
	})
	time.Sleep(200 * time.Millisecond) // room for a second publish, which must not come
	d, _ := h.rec.diagsOf(lib)
	var rustko, rustc []protocol.Diagnostic
	for _, x := range d {
		if x.Source == protocol.NewOptional(diagnostics.SourceRustko) {
			rustko = append(rustko, x)
		} else {
			rustc = append(rustc, x)
		}
	}
	if len(rustko) != 1 || len(rustc) != 1 {
		t.Fatalf("got %d rustko and %d rustc diagnostics, want one each (kmalloc merged, kfoo alone): %+v", len(rustko), len(rustc), d)
	}
	if rel := rustko[0].RelatedInformation; len(rel) != 1 || !strings.Contains(rel[0].Message, "rustc E0425: cannot find function `kmalloc`") || rel[0].Location.Range.Start.Line != 1 {
		t.Errorf("rustko's finding carries %+v, want rustc's E0425 on line 1 as related information", rel)
	}
	if rustc[0].Range.Start.Line != 2 {
		t.Errorf("the unmerged E0425 is on line %d, want 2", rustc[0].Range.Start.Line)
	}
	h.rec.mu.Lock()
	n := 0
	for _, p := range h.rec.history[before:] {
		if p.path == lib {
			n++
		}
	}
	h.rec.mu.Unlock()
	if n != 1 {
		t.Errorf("the build's result was published %d times for lib.rs, want once", n)
	}
	h.shutdown(t)
}
