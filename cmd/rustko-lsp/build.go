package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/rustko/rustko-lsp/build"
	"github.com/rustko/rustko-lsp/build/objcheck"
	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/module"
	"github.com/rustko/rustko-lsp/workspace"
)

func init() {
	register(&command{
		name:    "build",
		usage:   "build [--mode auto|rust-src|host] [--kdir DIR | --kernels all|KDIR,KDIR...] [-v] [DIR]",
		summary: "build the module into <module>.ko (bindings, Rust object, kbuild link, object checks)",
		help: `With --kernels the module is built once per kernel tree, two at a time ("all"
is every configured tree installed, newest first; or name the trees,
comma-separated): the sources are mirrored into BUILD_DIRECTORY/<release>/,
which gets that kernel's bindings and build, and the module is written to
BUILD_DIRECTORY/<release>/<module>.ko (printed per kernel at the end). The
module's own src/ and <module>.ko are left alone. Findings are grouped per
kernel under a "== kernel <release>" line; the exit code is the worst over
the kernels.`,
		flags: func(fs *flag.FlagSet) func(context.Context, []string) (int, error) {
			mode := fs.String("mode", "auto", "toolchain mode: auto (rust-src when the toolchain has it), rust-src or host")
			kdir := fs.String("kdir", "", "kernel build tree (overrides KERNEL_BUILD_PATH)")
			kernels := fs.String("kernels", "", "build for several kernel trees: `all|KDIR,KDIR` (every installed tree, or the trees listed)")
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
				dir, err := oneDir(args, "module folder")
				if err != nil {
					return exitTool, err
				}
				// Packages log their progress at info level; the steps
				// printed already say it, so only -v shows those logs.
				level := "warn"
				if *verbose {
					level = "info"
				}
				closeLog, err := setupLogging(level, "")
				if err != nil {
					return exitTool, err
				}
				defer closeLog()
				if *kernels != "" {
					if *kdir != "" {
						return exitTool, errors.New("--kdir and --kernels exclude each other: list the tree in --kernels")
					}
					return runBuildKernels(ctx, dir, *kernels, m, *verbose, os.Stdout, os.Stderr)
				}
				return runBuild(ctx, dir, *kdir, m, *verbose, os.Stdout, os.Stderr)
			}
		},
	})
}

// runBuild loads the module around dir, builds it, and prints progress to
// stderr and the findings to stdout.
func runBuild(ctx context.Context, dir, kdir string, mode build.Mode, verbose bool, stdout, stderr io.Writer) (int, error) {
	m, err := loadWorkspace(ctx, dir, kdir)
	if err != nil {
		return exitTool, err
	}
	res, err := build.Run(ctx, m, buildOptions(mode, verbose, stderr))
	if err != nil {
		return exitTool, cancelled(err)
	}
	if err := diagnostics.WriteText(stdout, res.Findings, diagnostics.TextOptions{Root: m.Root, Color: isTTY(stdout)}); err != nil {
		return exitTool, fmt.Errorf("printing the findings: %w", err)
	}
	if res.HasErrors() {
		fmt.Fprintf(stderr, "rustko: build of %s failed: %s\n", m.Vars.KernelModule, diagnostics.Summary(res.Findings))
		return exitFindings, nil
	}
	fmt.Fprintf(stderr, "rustko: built %s (%s mode)\n", res.KO, res.Mode)
	return exitOK, nil
}

// buildOptions print the commands, the tools' output and the steps to
// progress: on the command line they are progress, not results.
func buildOptions(mode build.Mode, verbose bool, progress io.Writer) build.Options {
	return build.Options{
		Mode: mode, Verbose: verbose, Stdout: progress, Stderr: progress,
		Progress: func(e build.Event) { printEvent(progress, e) },
	}
}

// cancelled is err, said shortly when it is only that ctx was cancelled.
func cancelled(err error) error {
	if errors.Is(err, context.Canceled) {
		return errors.New("cancelled")
	}
	return err
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

// runBuildKernels is build --kernels: one build per kernel, each in its
// stage (BUILD_DIRECTORY/<release>), progress marked with the kernel on
// stderr, the findings grouped per kernel on stdout.
func runBuildKernels(ctx context.Context, dir, spec string, mode build.Mode, verbose bool, stdout, stderr io.Writer) (int, error) {
	m, err := loadModule(ctx, dir, "")
	if err != nil {
		return exitTool, err
	}
	trees, err := workspace.ResolveKernels(ctx, spec)
	if err != nil {
		return exitTool, err
	}
	fmt.Fprintf(stderr, "rustko: building %s for %d kernel(s): %s\n", m.Vars.KernelModule, len(trees), releases(trees))
	logs := &lineLog{w: stderr}
	runs := workspace.ForEachKernel(ctx, trees, func(ctx context.Context, k *module.Kernel) diagnostics.KernelRun {
		w := logs.prefixed("[" + k.Release + "] ")
		defer w.Flush()
		res, err := build.RunStaged(ctx, modules, m, k, workspace.Options{Version: versionString()}, buildOptions(mode, verbose, w))
		if err != nil {
			return diagnostics.KernelRun{Err: err.Error()}
		}
		run := diagnostics.KernelRun{Findings: res.Findings}
		if !res.HasErrors() {
			run.Artifact = res.KO
		}
		return run
	})
	if err := ctx.Err(); err != nil {
		return exitTool, fmt.Errorf("cancelled")
	}
	if err := diagnostics.WriteTextKernels(stdout, runs, diagnostics.TextOptions{Root: m.Root, Color: isTTY(stdout)}); err != nil {
		return exitTool, fmt.Errorf("printing the findings: %w", err)
	}
	for _, r := range runs {
		switch {
		case r.Err != "":
			fmt.Fprintf(stderr, "rustko: %s: could not build %s: %s\n", r.Label(), m.Vars.KernelModule, firstLine(r.Err))
		case r.Artifact == "":
			fmt.Fprintf(stderr, "rustko: %s: build of %s failed: %s\n", r.Label(), m.Vars.KernelModule, diagnostics.Summary(r.Findings))
		default:
			fmt.Fprintf(stderr, "rustko: %s: built %s\n", r.Label(), r.Artifact)
		}
	}
	return worstExit(runs), nil
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}
