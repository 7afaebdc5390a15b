package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/build/scaffold"
	"github.com/rustko/rustko-lsp/internal/testkernel"
	"github.com/rustko/rustko-lsp/migrate"
	"github.com/rustko/rustko-lsp/module"
)

// legacyDiag is the part of a JSON diagnostic this test reads.
type legacyDiag struct {
	File, Code string
	Line       int
	Fixes      []struct {
		Title     string
		Preferred bool
		Edits     []legacyEdit
	}
}

type legacyEdit struct {
	File                             string
	Line, Column, EndLine, EndColumn int
	NewText                          string
}

// TestCheckLegacyRustko: check on the rust.ko-era fixture lists each change
// migrate makes as a legacy-rust.ko finding at its line, and --format json
// carries the very edits migrate --write applies as the finding's fix.
func TestCheckLegacyRustko(t *testing.T) {
	dir := copyFixture(t)
	code, out, errs, err := runCheckFor(t, checkOptions{dir: dir, kdir: testkernel.Dir(t), format: "json"})
	if err != nil || code != exitFindings {
		t.Fatalf("check: exit %d, err %v\n%s", code, err, errs)
	}
	var doc struct {
		Diagnostics []legacyDiag `json:"diagnostics"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	var got []string
	byPlace := map[string]legacyDiag{}
	for _, d := range doc.Diagnostics {
		if d.Code != migrate.Code {
			continue
		}
		at := fmt.Sprintf("%s:%d", d.File, d.Line)
		got = append(got, at)
		byPlace[at] = d
	}
	want := []string{
		"Cargo.toml:10", "Makefile:29",
		"src/lang.rs:1", "src/lang.rs:3", "src/lang.rs:6", "src/lang.rs:9",
		"src/lib.rs:1", "src/lib.rs:5",
		"src/module.c:8", "src/module.c:9",
		"x86_64-unknown-none-gnu.json:8",
	}
	slices.Sort(got)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("legacy-rust.ko findings at\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}

	// The fixes are migrate's plan, edit for edit (files relative to the
	// module; the rustko crate's files are new).
	m, err := module.Load(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := migrate.NewPlan(m)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Findings) != len(want) {
		t.Fatalf("the plan has %d changes, check %d", len(plan.Findings), len(want))
	}
	for _, f := range plan.Findings {
		rel, _ := filepath.Rel(dir, f.File)
		at := fmt.Sprintf("%s:%d", filepath.ToSlash(rel), f.Range.Start.Line)
		d, ok := byPlace[at]
		if !ok {
			t.Errorf("%s: migrate's change is not in check's output", at)
			continue
		}
		if len(d.Fixes) != 1 || len(f.Fixes) != 1 {
			t.Errorf("%s: %d fixes in JSON, %d in the plan; want one each", at, len(d.Fixes), len(f.Fixes))
			continue
		}
		jf, pf := d.Fixes[0], f.Fixes[0]
		if jf.Title != pf.Title || !jf.Preferred || len(jf.Edits) != len(pf.Edits) {
			t.Errorf("%s: JSON fix %q (preferred %v, %d edits), plan's %q (%d edits)", at, jf.Title, jf.Preferred, len(jf.Edits), pf.Title, len(pf.Edits))
			continue
		}
		for i, e := range pf.Edits {
			je := jf.Edits[i]
			erel, _ := filepath.Rel(dir, e.File)
			if je.File != filepath.ToSlash(erel) || je.Line != e.Range.Start.Line || je.Column != e.Range.Start.Column ||
				je.EndLine != e.Range.End.Line || je.EndColumn != e.Range.End.Column || je.NewText != e.NewText {
				t.Errorf("%s: edit %d in JSON %+v, plan's %s %v %q", at, i, je, erel, e.Range, e.NewText)
			}
		}
	}
	if d := byPlace["Cargo.toml:10"]; len(d.Fixes) == 1 && !slices.ContainsFunc(d.Fixes[0].Edits, func(e legacyEdit) bool {
		return e.File == "rustko/src/lib.rs" && e.NewText != ""
	}) {
		t.Error("the Cargo.toml fix does not write the rustko crate (rustko/src/lib.rs)")
	}
}

// TestCheckNoLegacyFindings: what rustko itself makes (examples/hello and a
// module from `rustko-lsp new`) has no legacy-rust.ko finding.
func TestCheckNoLegacyFindings(t *testing.T) {
	example := treeFiles(t, filepath.Join("..", "..", "examples", "hello"))
	delete(example, "src/bindings.rs")
	fresh, err := scaffold.Files("blinky")
	if err != nil {
		t.Fatal(err)
	}
	made := map[string]string{}
	for p, b := range fresh {
		made[p] = string(b)
	}
	for _, tc := range []struct {
		name  string
		files map[string]string
	}{{"hello", example}, {"blinky", made}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := checkModuleDir(t, "legacy-"+tc.name, tc.files)
			_, out, errs, err := runCheckFor(t, checkOptions{dir: dir, kdir: testkernel.Dir(t), format: "json"})
			if err != nil {
				t.Fatalf("check: %v\n%s", err, errs)
			}
			var doc struct {
				Diagnostics []legacyDiag `json:"diagnostics"`
			}
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, out)
			}
			for _, d := range doc.Diagnostics {
				if d.Code == migrate.Code {
					t.Errorf("%s:%d: legacy-rust.ko finding on a module rustko made", d.File, d.Line)
				}
			}
			m, err := module.Load(context.Background(), dir, nil)
			if err != nil {
				t.Fatal(err)
			}
			if fs := migrate.Findings(m); len(fs) != 0 {
				t.Errorf("migrate.Findings: %v", fs)
			}
		})
	}
}
