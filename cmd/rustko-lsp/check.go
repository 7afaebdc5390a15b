package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/rustko/rustko-lsp/bindings"
	"github.com/rustko/rustko-lsp/build"
	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/module"
	"github.com/rustko/rustko-lsp/workspace"
)

func init() {
	register(&command{
		name:    "check",
		usage:   "check [--build] [--format text|json|sarif] [--kdir DIR | --kernels all|KDIR,KDIR...] [DIR]",
		summary: "analyse a module and print its findings (exit 1 when there are errors)",
		help: `With --kernels the module is checked against several kernel trees, two at a
time: "all" is every configured tree installed (/lib/modules/*/build and
/usr/src/linux-headers-* holding .config and Module.symvers, newest first),
or name the trees, comma-separated. Each kernel's bindings are generated into
BUILD_DIRECTORY/<release>/ (src/ is left alone) and cached per kernel. The
output is grouped per kernel: text under a "== kernel <release>" line, JSON
with a "kernels" list and a "kernel" field on every diagnostic, SARIF with one
run per kernel. A kernel that cannot be checked (headers that do not parse) is
reported as such and the others still run. The exit code is the worst over
the kernels.`,
		flags: func(fs *flag.FlagSet) func(context.Context, []string) (int, error) {
			withBuild := fs.Bool("build", false, "also build the module and report the build's findings (rustc, gcc, modpost, object checks)")
			format := fs.String("format", "text", "output format: text (compiler style), json or sarif (SARIF 2.1.0)")
			kdir := fs.String("kdir", "", "kernel build tree (overrides KERNEL_BUILD_PATH)")
			kernels := fs.String("kernels", "", "check against several kernel trees: `all|KDIR,KDIR` (every installed tree, or the trees listed)")
			return func(ctx context.Context, args []string) (int, error) {
				switch *format {
				case "text", "json", "sarif":
				default:
					return exitTool, fmt.Errorf("unknown --format %q: use text, json or sarif", *format)
				}
				o := checkOptions{dir: ".", kdir: *kdir, kernels: *kernels, build: *withBuild, format: *format}
				if len(args) == 1 {
					o.dir = args[0]
				}
				return checkCommand(ctx, o, args, os.Stdout, os.Stderr)
			}
		},
	})
}

// checkCommand runs check and, when it could not run, still writes a
// document in the format asked for: CI reads stdout as JSON or SARIF also
// on exit 2. The error itself goes to stderr as for text (run prints it).
func checkCommand(ctx context.Context, o checkOptions, args []string, stdout, stderr io.Writer) (int, error) {
	out := &countingWriter{w: stdout}
	code, err := runCheckArgs(ctx, o, args, out, stderr)
	if err == nil {
		signingNote(ctx, stderr, checkedKO(o.dir), false)
	}
	if err != nil && out.n == 0 {
		if werr := writeFailure(stdout, o, err); werr != nil {
			return exitTool, errors.Join(err, werr)
		}
	}
	return code, err
}

// runCheckArgs is check after its flags (o.dir set from args): one kernel
// or several.
func runCheckArgs(ctx context.Context, o checkOptions, args []string, stdout, stderr io.Writer) (int, error) {
	if _, err := oneDir(args, "module folder"); err != nil {
		return exitTool, err
	}
	if o.kernels != "" {
		if o.kdir != "" {
			return exitTool, errors.New("--kdir and --kernels exclude each other: list the tree in --kernels")
		}
		return runCheckKernels(ctx, o, stdout, stderr)
	}
	return runCheck(ctx, o, stdout, stderr)
}

// writeFailure writes err as the document --format json or sarif asks for
// (diagnostics.WriteJSONFailure, WriteSARIFFailure); text has nothing to add
// to the message on stderr.
func writeFailure(w io.Writer, o checkOptions, err error) error {
	switch o.format {
	case "json":
		return diagnostics.WriteJSONFailure(w, err.Error(), o.kernels != "")
	case "sarif":
		root := "" // no SRCROOT when the module itself was not found
		if r, ferr := module.FindRoot(o.dir); ferr == nil {
			root = r
		}
		return diagnostics.WriteSARIFFailure(w, err.Error(), root, versionString())
	}
	return nil
}

// countingWriter tells whether anything reached stdout: a failure while the
// findings were being written must not append a second document.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

type checkOptions struct {
	dir, kdir, format string
	kernels           string // --kernels: "all" or comma-separated trees
	build             bool
}

// runCheck analyses the module around o.dir the way CI and the editor do:
// every Rust file against the index of its configured headers, the module's
// target JSON and licence, and with o.build the build's own findings.
// Findings go to stdout; the summary and progress go to stderr.
func runCheck(ctx context.Context, o checkOptions, stdout, stderr io.Writer) (int, error) {
	w, err := loadWorkspace(ctx, o.dir, o.kdir)
	if f, ok := workspace.MakeErrorFinding(err); ok {
		// The module's own mistake, on its line, as the editor shows it.
		root, _ := module.FindRoot(o.dir)
		if err := writeFindings(stdout, o.format, []diagnostics.Finding{f}, root); err != nil {
			return exitTool, err
		}
		return exitFindings, nil
	}
	if err != nil {
		return exitTool, err
	}
	root := w.Root
	if w.KernelErr != nil {
		return exitTool, w.KernelErr
	}
	k := w.Kernel
	if o.kdir != "" && !workspace.SameDir(k.Dir, o.kdir) {
		// FindKernel falls back to other trees; a tree named on the command
		// line must be the one used.
		return exitTool, fmt.Errorf("--kdir %s is not a usable kernel build tree (it needs Makefile and .config):\n%s", o.kdir, k.Summary())
	}
	for _, warning := range w.Warnings {
		fmt.Fprintln(stderr, warning)
	}
	text := o.format == "text"
	if text {
		fmt.Fprintln(stderr, k.Summary())
		fmt.Fprintln(stderr, w.Flags.Summary())
		fmt.Fprintln(stderr, w.Summary())
	}
	var progress io.Writer
	if text {
		progress = stderr
	}
	findings, err := analyse(ctx, w, nil, progress)
	if err != nil {
		return exitTool, err
	}

	if o.build {
		// The same workspace as above, so the build's bindings step finds
		// the bindings just generated in the cache.
		res, err := build.Run(ctx, w, build.Options{Stdout: stderr, Stderr: stderr, Progress: buildSteps(progress)})
		if err != nil {
			return exitTool, fmt.Errorf("building %s: %w", root, err)
		}
		analysed := slices.Clone(findings)
		for _, f := range res.Findings {
			if f.Code == diagnostics.CodeBindingsNotOurs || reported(analysed, f) {
				// The analysis above reported the kept file, or this (the
				// header KERNEL_INCLUDE lacks, the target spec's mistakes
				// when rustc refuses it).
				continue
			}
			findings = append(findings, f)
		}
	}

	diagnostics.Sort(findings)
	if err := writeFindings(stdout, o.format, findings, root); err != nil {
		return exitTool, err
	}
	if text {
		fmt.Fprintf(stderr, "rustko: %s: %s\n", w.Vars.KernelModule, tally(findings))
	}
	if diagnostics.HasErrors(findings) {
		return exitFindings, nil
	}
	return exitOK, nil
}

// analyse is the whole-module analysis the editor's findings add up to
// (workspace.Module.Analyse), with the bindings in stage when it is set.
// Progress, when not nil, is told whether the bindings were generated.
func analyse(ctx context.Context, w *workspace.Module, stage *workspace.Stage, progress io.Writer) ([]diagnostics.Finding, error) {
	o := workspace.AnalyseOptions{Stage: stage}
	if progress != nil {
		o.Generated = func(gen *bindings.Result) {
			state := "generated"
			if gen.Cached {
				state = "up to date"
			}
			fmt.Fprintf(progress, "rustko: bindings %s (%s, %d C names)\n", state, rel(w.Root, gen.RustFile), len(gen.Index.Items))
		}
	}
	return w.Analyse(ctx, o)
}

// buildSteps tells progress (nil: nobody) how long each step of check's
// build took.
func buildSteps(progress io.Writer) func(build.Event) {
	if progress == nil {
		return nil
	}
	return func(e build.Event) {
		if e.Phase == build.End {
			fmt.Fprintf(progress, "rustko: build %-8s %s\n", e.Step, e.Elapsed.Round(10*time.Millisecond))
		}
	}
}

// reported tells whether fs holds f already: the same code and message at
// the same place.
func reported(fs []diagnostics.Finding, f diagnostics.Finding) bool {
	return slices.ContainsFunc(fs, func(g diagnostics.Finding) bool {
		return g.Code == f.Code && g.File == f.File && g.Range == f.Range && g.Message == f.Message
	})
}

// tally counts errors and warnings for the summary line.
func tally(fs []diagnostics.Finding) string {
	errs, warns := 0, 0
	for _, f := range fs {
		switch f.Severity {
		case diagnostics.Error:
			errs++
		case diagnostics.Warning:
			warns++
		}
	}
	return fmt.Sprintf("%d error(s), %d warning(s)", errs, warns)
}

func isTerminalWriter(w io.Writer) bool {
	if c, ok := w.(*countingWriter); ok {
		w = c.w
	}
	return isTTY(w) && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
}

// isTTY tells whether w is a terminal.
func isTTY(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isTerminal(f)
}

// rel shows p relative to root when it is inside it.
func rel(root, p string) string {
	if r, err := filepath.Rel(root, p); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return p
}
