package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/rustko/rustko-lsp/build"
	"github.com/rustko/rustko-lsp/build/objcheck"
	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/module"
)

func init() {
	register(&command{
		name:    "build",
		usage:   "build [--mode auto|rust-src|host] [--kdir DIR] [-v] [DIR]",
		summary: "build the module into <module>.ko (bindings, Rust object, kbuild link, object checks)",
		flags: func(fs *flag.FlagSet) func(context.Context, []string) (int, error) {
			mode := fs.String("mode", "auto", "toolchain mode: auto (rust-src when the toolchain has it), rust-src or host")
			kdir := fs.String("kdir", "", "kernel build tree (overrides KERNEL_BUILD_PATH)")
			verbose := fs.Bool("v", false, "print every command and the tools' output (like V=1)")
			// The generated kbuild rule calls back for the one host-mode
			// step no other tool can do; people never need it.
			relax := fs.String("relax-got", "", "internal: relax the GOT relocations of a host-mode Rust object `FILE` and exit")
			return func(ctx context.Context, args []string) (int, error) {
				if *relax != "" {
					if err := objcheck.RelaxGOT(*relax); err != nil {
						return exitTool, err
					}
					return exitOK, nil
				}
				m, err := build.ParseMode(*mode)
				if err != nil {
					return exitTool, err
				}
				if len(args) > 1 {
					return exitTool, fmt.Errorf("expected at most one module folder, got %d arguments", len(args))
				}
				dir := "."
				if len(args) == 1 {
					dir = args[0]
				}
				return runBuild(ctx, dir, *kdir, m, *verbose, os.Stdout, os.Stderr)
			}
		},
	})
}

// runBuild loads the module around dir, builds it, and prints progress to
// stderr and the findings to stdout.
func runBuild(ctx context.Context, dir, kdir string, mode build.Mode, verbose bool, stdout, stderr io.Writer) (int, error) {
	// Packages log their progress at info level; the steps printed below
	// already say it, so only -v shows those logs.
	level := "warn"
	if verbose {
		level = "info"
	}
	closeLog, err := setupLogging(level, "")
	if err != nil {
		return exitTool, err
	}
	defer closeLog()
	root, err := module.FindRoot(dir)
	if err != nil {
		return exitTool, err
	}
	overrides := map[string]string{}
	if kdir != "" {
		overrides["KERNEL_BUILD_PATH"] = kdir
	}
	m, err := module.Load(ctx, root, overrides)
	if err != nil {
		return exitTool, err
	}
	opts := build.Options{
		Mode:     mode,
		Verbose:  verbose,
		Stdout:   stderr, // commands and tool output are progress, not results
		Stderr:   stderr,
		Progress: func(e build.Event) { printEvent(stderr, e) },
		Version:  versionString(),
	}
	res, err := build.Run(ctx, m, opts)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return exitTool, fmt.Errorf("cancelled")
		}
		return exitTool, err
	}
	color := false
	if f, ok := stdout.(*os.File); ok {
		color = isTerminal(f)
	}
	if err := diagnostics.WriteText(stdout, res.Findings, diagnostics.TextOptions{Root: m.Root, Color: color}); err != nil {
		return exitTool, fmt.Errorf("printing the findings: %w", err)
	}
	if res.HasErrors() {
		fmt.Fprintf(stderr, "rustko: build of %s failed: %s\n", m.Vars.KernelModule, diagnostics.Summary(res.Findings))
		return exitFindings, nil
	}
	fmt.Fprintf(stderr, "rustko: built %s (%s mode)\n", res.KO, res.Mode)
	return exitOK, nil
}

func printEvent(w io.Writer, e build.Event) {
	switch e.Phase {
	case build.Begin:
		if e.Detail != "" {
			fmt.Fprintf(w, "rustko: %-8s %s\n", e.Step, e.Detail)
		}
	case build.End:
		status := e.Detail
		if e.Failed && status == "" {
			status = "failed"
		}
		fmt.Fprintf(w, "rustko: %-8s %s in %s\n", e.Step, status, e.Elapsed.Round(10*time.Millisecond))
	}
}
