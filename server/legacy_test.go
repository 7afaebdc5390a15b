package server

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/migrate"
	"github.com/rustko/rustko-lsp/module"
)

// copyRustkoEra copies cmd/rustko-lsp's rust.ko-era fixture (an unmodified
// rust.ko layout) into a fresh folder named hello.
func copyRustkoEra(t *testing.T) string {
	t.Helper()
	src := filepath.Join("..", "cmd", "rustko-lsp", "testdata", "rustko-era")
	dst, err := filepath.EvalSymlinks(t.TempDir())
	must(t, err)
	dst = filepath.Join(dst, "hello")
	must(t, filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	}))
	return dst
}

// TestRealLegacyCodeAction: on a rust.ko-era module the editor shows the
// legacy-rust.ko findings, and a finding's code action edits the files
// exactly as `rustko-lsp migrate --write` applies that change: an obsolete
// lang item removed from lang.rs, and the std/ dependency replaced by the
// rustko crate, whose files the action creates.
func TestRealLegacyCodeAction(t *testing.T) {
	root := copyRustkoEra(t)
	other := copyRustkoEra(t) // migrated by migrate's own Apply
	h := startReal(t, root, `{"buildOnSave": false}`)
	lang := filepath.Join(root, "src", "lang.rs")
	body, err := os.ReadFile(lang)
	must(t, err)
	h.open(t, lang, string(body))
	legacy := func() []protocol.Diagnostic {
		d, _ := h.rec.diagsOf(lang)
		var out []protocol.Diagnostic
		for _, x := range d {
			if c, ok := x.Code.(protocol.String); ok && string(c) == migrate.Code {
				out = append(out, x)
			}
		}
		return out
	}
	h.waitFor(t, realTimeout, "lang.rs's four legacy-rust.ko findings", func() bool { return len(legacy()) == 4 })

	m, err := module.Load(context.Background(), other, nil)
	must(t, err)
	plan, err := migrate.NewPlan(m)
	must(t, err)

	for _, tc := range []struct {
		file string // relative to the module
		line int    // 1-based, as migrate lists it
	}{
		{"src/lang.rs", 3}, // eh_personality: lines deleted
		{"Cargo.toml", 10}, // linux-std -> rustko: edits plus new files
	} {
		t.Run(tc.file, func(t *testing.T) {
			var want *diagnostics.Finding
			for i, f := range plan.Findings {
				if f.File == filepath.Join(other, tc.file) && f.Range.Start.Line == tc.line {
					want = &plan.Findings[i]
				}
			}
			if want == nil {
				t.Fatalf("migrate plans no change at %s:%d", tc.file, tc.line)
			}
			path := filepath.Join(root, tc.file)
			at := protocol.Range{Start: protocol.Position{Line: uint32(tc.line - 1)}, End: protocol.Position{Line: uint32(tc.line - 1), Character: 1}}
			acts, err := h.server.CodeAction(h.ctx, &protocol.CodeActionParams{
				TextDocument: protocol.TextDocumentIdentifier{URI: uri.File(path)}, Range: at,
			})
			must(t, err)
			var act *protocol.CodeAction
			var titles []string
			for _, a := range acts {
				if ca, ok := a.(*protocol.CodeAction); ok {
					titles = append(titles, ca.Title)
					if ca.Title == want.Fixes[0].Title {
						act = ca
					}
				}
			}
			if act == nil {
				t.Fatalf("no code action %q at %s:%d; got %q", want.Fixes[0].Title, tc.file, tc.line, titles)
			}
			if act.IsPreferred == nil || !*act.IsPreferred || len(act.Diagnostics) != 1 || act.Diagnostics[0].Code != protocol.String(migrate.Code) {
				t.Errorf("action %+v: want preferred, tied to its legacy-rust.ko diagnostic", act)
			}
			// An editor creates the folders of new files with them.
			for _, dc := range act.Edit.DocumentChanges {
				if c, ok := dc.(*protocol.CreateFile); ok {
					_, p := uriKey(c.URI)
					must(t, os.MkdirAll(filepath.Dir(p), 0o755))
				}
			}
			applyEdit(t, act.Edit, utf16)

			one := &migrate.Plan{Root: other, Findings: []diagnostics.Finding{*want}}
			res, err := one.Apply()
			must(t, err)
			touched := append(append([]string{}, res.Changed...), res.Created...)
			if len(touched) == 0 {
				t.Fatal("migrate's change wrote nothing")
			}
			for _, f := range touched {
				rel, _ := filepath.Rel(other, f)
				got, err := os.ReadFile(filepath.Join(root, rel))
				if err != nil {
					t.Errorf("%s after the code action: %v", rel, err)
					continue
				}
				exp, err := os.ReadFile(f)
				must(t, err)
				if string(got) != string(exp) {
					t.Errorf("%s after the code action:\n%s\nafter migrate --write's edit:\n%s", rel, got, exp)
				}
			}
			if tc.file == "Cargo.toml" && len(res.Created) == 0 {
				t.Error("the Cargo.toml change created no rustko crate files")
			}
			if tc.file == "src/lang.rs" {
				b, err := os.ReadFile(path)
				must(t, err)
				if strings.Contains(string(b), "eh_personality") {
					t.Errorf("lang.rs still has eh_personality:\n%s", b)
				}
			}
		})
	}
	h.shutdown(t)
}
