package server

import (
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

// applyEdit applies a WorkspaceEdit to the files on disk, as an editor
// would, converting positions with the negotiated encoding.
func applyEdit(t testing.TB, we *protocol.WorkspaceEdit, enc encoding) {
	t.Helper()
	apply := func(u uri.URI, edits []protocol.TextEdit) {
		_, path := uriKey(u)
		b, err := os.ReadFile(path)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		body := newText(string(b))
		// Apply from the end so earlier offsets stay valid.
		sort.Slice(edits, func(i, j int) bool { return before(edits[j].Range.Start, edits[i].Range.Start) })
		s := body.s
		for _, e := range edits {
			a, z := body.offset(e.Range.Start, enc), body.offset(e.Range.End, enc)
			s = s[:a] + e.NewText + s[z:]
		}
		must(t, os.WriteFile(path, []byte(s), 0o644))
	}
	for u, edits := range we.Changes {
		apply(u, edits)
	}
	for _, dc := range we.DocumentChanges {
		switch c := dc.(type) {
		case *protocol.CreateFile:
			_, path := uriKey(c.URI)
			if _, err := os.Stat(path); os.IsNotExist(err) {
				must(t, os.WriteFile(path, nil, 0o644))
			}
		case *protocol.TextDocumentEdit:
			var edits []protocol.TextEdit
			for _, e := range c.Edits {
				if te, ok := e.(*protocol.TextEdit); ok {
					edits = append(edits, *te)
				}
			}
			apply(c.TextDocument.URI, edits)
		}
	}
}

func TestCodeActionEditsConfigMk(t *testing.T) {
	tests := []struct {
		name      string
		configMk  *string // nil: no config.mk yet
		want      string
		createOps bool
	}{
		{"config.mk exists", strp("RUST_ROOT := /usr\nKERNEL_INCLUDE := linux/fs.h\n"), "RUST_ROOT := /usr\nKERNEL_HELPERS += kmalloc\nKERNEL_INCLUDE := linux/fs.h\n", false},
		{"config.mk is created", nil, "KERNEL_HELPERS += kmalloc\n", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := tempModule(t, "")
			cfg := filepath.Join(root, "config.mk")
			if tc.configMk == nil {
				must(t, os.Remove(cfg))
			} else {
				must(t, osWrite(cfg, *tc.configMk))
			}
			fake := newFake(root)
			h := start(t, fake)
			h.initialize(t, nil)
			lib := filepath.Join(root, "src", "lib.rs")
			h.open(t, lib, "fn f() { let p = unsafe { kmalloc(8, 0) }; }\n")
			h.waitFor(t, 2*time.Second, "the kmalloc finding", func() bool {
				d, _ := h.rec.diagsOf(lib)
				return len(d) == 1
			})
			diags, _ := h.rec.diagsOf(lib)
			actions, err := h.server.CodeAction(h.ctx, &protocol.CodeActionParams{
				TextDocument: protocol.TextDocumentIdentifier{URI: uri.File(lib)},
				Range:        protocol.Range{Start: protocol.Position{Line: 0, Character: 30}, End: protocol.Position{Line: 0, Character: 30}},
				Context:      protocol.CodeActionContext{Diagnostics: diags},
			})
			must(t, err)
			if len(actions) != 1 {
				t.Fatalf("%d actions, want 1: %+v", len(actions), actions)
			}
			a, ok := actions[0].(*protocol.CodeAction)
			if !ok || a.Title != "Add kmalloc to KERNEL_HELPERS" || a.Kind == nil || *a.Kind != protocol.CodeActionKindQuickFix ||
				a.IsPreferred == nil || !*a.IsPreferred || len(a.Diagnostics) != 1 || a.Edit == nil {
				t.Fatalf("action = %+v", actions[0])
			}
			if got := len(a.Edit.DocumentChanges) > 0; got != tc.createOps {
				t.Errorf("uses documentChanges = %v, want %v", got, tc.createOps)
			}
			applyEdit(t, a.Edit, utf16)
			b, err := os.ReadFile(cfg)
			must(t, err)
			if string(b) != tc.want {
				t.Errorf("config.mk after the fix:\n%s\nwant:\n%s", b, tc.want)
			}

			// No action away from the finding, none for another kind.
			none, err := h.server.CodeAction(h.ctx, &protocol.CodeActionParams{
				TextDocument: protocol.TextDocumentIdentifier{URI: uri.File(lib)},
				Range:        protocol.Range{Start: protocol.Position{Line: 3, Character: 0}, End: protocol.Position{Line: 3, Character: 0}},
			})
			must(t, err)
			refactor, err := h.server.CodeAction(h.ctx, &protocol.CodeActionParams{
				TextDocument: protocol.TextDocumentIdentifier{URI: uri.File(lib)},
				Range:        protocol.Range{Start: protocol.Position{Line: 0, Character: 30}, End: protocol.Position{Line: 0, Character: 30}},
				Context:      protocol.CodeActionContext{Only: []protocol.CodeActionKind{protocol.CodeActionKindRefactor}},
			})
			must(t, err)
			if len(none) != 0 || len(refactor) != 0 {
				t.Errorf("unexpected actions: elsewhere %d, refactor-only %d", len(none), len(refactor))
			}
			h.shutdown(t)
		})
	}
}

func strp(s string) *string { return &s }
