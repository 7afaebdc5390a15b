package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/migrate"
	"github.com/rustko/rustko-lsp/module"
)

func init() {
	register(&command{
		name:    "migrate",
		usage:   "migrate [--write] [DIR]",
		summary: "bring a rust.ko-era module (xargo, a std/ bindgen crate, old lang items and target spec) to what rustko-lsp builds",
		help: "Without --write it prints the plan: every change with file:line. With --write it applies all of them or none\n" +
			"(a read-only file stops it before anything is written). Files you wrote are only edited; the std/ crate,\n" +
			"kbuild.mk and Xargo.toml are left in place, no longer used. A second run finds nothing to do.",
		flags: func(fs *flag.FlagSet) func(context.Context, []string) (int, error) {
			write := fs.Bool("write", false, "apply the changes (default: print them)")
			return func(ctx context.Context, args []string) (int, error) {
				return migrateCommand(ctx, *write, args, os.Stdout)
			}
		},
	})
}

func migrateCommand(ctx context.Context, write bool, args []string, stdout io.Writer) (int, error) {
	dir, err := oneDir(args, "folder")
	if err != nil {
		return exitTool, err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return exitTool, err
	}
	// Only the folder itself: migrating a parent module found by walking up
	// from a typo would edit files the user did not point at.
	root, err := module.FindRoot(abs)
	if err != nil || root != abs {
		return exitTool, fmt.Errorf("%s is not a module folder (it needs a Makefile or Kbuild together with Cargo.toml or config.mk)", dir)
	}
	m, err := loadModule(ctx, root, "")
	if err != nil {
		return exitTool, fmt.Errorf("reading the module: %w", err)
	}
	plan, err := migrate.NewPlan(m)
	if err != nil {
		return exitTool, err
	}
	if plan.Empty() {
		fmt.Fprintf(stdout, "%s: nothing to migrate (no rust.ko-era build, crate, lang item, target spec or C shim hack found)\n", root)
		return exitOK, nil
	}
	verb := "would make"
	if write {
		verb = "makes"
	}
	fmt.Fprintf(stdout, "migrating %s %s %d changes:\n", root, verb, len(plan.Findings))
	printPlan(stdout, plan)
	if !write {
		fmt.Fprintf(stdout, "\ndry run: nothing was written; run `rustko-lsp migrate --write %s` to apply every change\n", dir)
		return exitOK, nil
	}
	res, err := plan.Apply()
	if err != nil {
		return exitTool, err
	}
	fmt.Fprintf(stdout, "\nwrote %d files (%d edited, %d new); then: rustko-lsp build %s\n", len(res.Changed)+len(res.Created), len(res.Changed), len(res.Created), dir)
	return exitOK, nil
}

func printPlan(w io.Writer, plan *migrate.Plan) {
	relp := func(p string) string {
		if r, err := filepath.Rel(plan.Root, p); err == nil {
			return r
		}
		return p
	}
	for _, f := range plan.Findings {
		fmt.Fprintf(w, "\n%s:%d: %s\n", relp(f.File), f.Range.Start.Line, f.Message)
		if len(f.Fixes) == 0 {
			fmt.Fprintf(w, "  (no automatic change: left to you)\n")
			continue
		}
		fix := f.Fixes[0]
		fmt.Fprintf(w, "  change: %s\n", fix.Title)
		var created []string
		for _, e := range fix.Edits {
			if _, err := os.Stat(e.File); err != nil {
				created = append(created, relp(e.File))
				continue
			}
			fmt.Fprintf(w, "    %s:%d: %s\n", relp(e.File), e.Range.Start.Line, describe(e))
		}
		if len(created) > 0 {
			fmt.Fprintf(w, "    new: %s\n", strings.Join(created, ", "))
		}
	}
	if len(plan.Notes) > 0 {
		fmt.Fprintln(w, "\nleft as they are:")
		for _, n := range plan.Notes {
			fmt.Fprintf(w, "  %s\n", n)
		}
	}
}

func describe(e diagnostics.Edit) string {
	lines := e.Range.End.Line - e.Range.Start.Line
	if e.Range.End.Column > 1 {
		lines++
	}
	added := strings.Count(e.NewText, "\n")
	switch {
	case lines == 0:
		return fmt.Sprintf("insert %d lines", added)
	case e.NewText == "":
		return fmt.Sprintf("delete %d lines", lines)
	default:
		return fmt.Sprintf("replace %d lines with %d", lines, added)
	}
}
