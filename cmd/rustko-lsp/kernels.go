package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/rustko/rustko-lsp/build"
	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/module"
	"github.com/rustko/rustko-lsp/workspace"
)

// worstExit is the matrix's exit code: a kernel that could not be checked
// (2) over one with errors (1) over clean ones (0).
func worstExit(runs []diagnostics.KernelRun) int {
	code := exitOK
	for _, r := range runs {
		switch {
		case r.Err != "":
			return exitTool
		case diagnostics.HasErrors(r.Findings):
			code = exitFindings
		}
	}
	return code
}

func releases(trees []workspace.KernelTree) string {
	var names []string
	for _, t := range trees {
		if t.Kernel != nil {
			names = append(names, t.Kernel.Release)
		} else {
			names = append(names, t.Dir)
		}
	}
	return strings.Join(names, ", ")
}

// runCheckKernels is check --kernels: the analysis of runCheck (and with
// o.build the build) for every kernel, each kernel's bindings in its stage.
func runCheckKernels(ctx context.Context, o checkOptions, stdout, stderr io.Writer) (int, error) {
	m, err := loadModule(ctx, o.dir, "")
	if err != nil {
		return exitTool, err
	}
	root := m.Root
	trees, err := workspace.ResolveKernels(ctx, o.kernels)
	if err != nil {
		return exitTool, err
	}
	text := o.format == "text"
	logs := &lineLog{w: stderr}
	if text {
		fmt.Fprintln(stderr, m.Summary())
		fmt.Fprintf(stderr, "rustko: checking %s against %d kernel(s): %s\n", m.Vars.KernelModule, len(trees), releases(trees))
	}
	runs := workspace.ForEachKernel(ctx, trees, func(ctx context.Context, k *module.Kernel) diagnostics.KernelRun {
		var progress io.Writer
		if text {
			w := logs.prefixed("[" + k.Release + "] ")
			defer w.Flush()
			progress = w
		}
		w, err := modules.Load(ctx, m.Root, workspace.Options{Overrides: map[string]string{"KERNEL_BUILD_PATH": k.Dir}, Version: versionString()})
		if err != nil {
			return diagnostics.KernelRun{Err: err.Error()}
		}
		stage := workspace.StageFor(m, k) // where this kernel's bindings go
		findings, err := analyse(ctx, w, &stage, progress)
		if err != nil {
			return diagnostics.KernelRun{Err: err.Error()}
		}
		run := diagnostics.KernelRun{Findings: findings}
		if o.build {
			opts := build.Options{Stdout: io.Discard, Stderr: io.Discard, Progress: buildSteps(progress)}
			if progress != nil {
				opts.Stdout, opts.Stderr = progress, progress
			}
			res, err := build.RunStaged(ctx, modules, m, k, workspace.Options{Version: versionString()}, opts)
			if err != nil {
				return diagnostics.KernelRun{Err: fmt.Sprintf("building %s: %v", root, err)}
			}
			run.Findings = append(run.Findings, res.Findings...)
			if !res.HasErrors() {
				run.Artifact = res.KO
			}
		}
		return run
	})
	if err := ctx.Err(); err != nil {
		return exitTool, err
	}
	switch o.format {
	case "json":
		err = diagnostics.WriteJSONKernels(stdout, runs, root)
	case "sarif":
		err = diagnostics.WriteSARIFKernels(stdout, runs, root, versionString())
	default:
		err = diagnostics.WriteTextKernels(stdout, runs, diagnostics.TextOptions{Root: root, Color: isTerminalWriter(stdout)})
		for _, r := range runs {
			status := tally(r.Findings)
			if r.Err != "" {
				status = "not checked"
			}
			fmt.Fprintf(stderr, "rustko: %s on %s: %s\n", m.Vars.KernelModule, r.Label(), status)
		}
	}
	if err != nil {
		return exitTool, fmt.Errorf("writing the findings: %w", err)
	}
	return worstExit(runs), nil
}

// lineLog interleaves several kernels' progress on one stream line by line,
// each line marked with its kernel.
type lineLog struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lineLog) prefixed(prefix string) *prefixWriter {
	return &prefixWriter{log: l, prefix: prefix}
}

// prefixWriter is one kernel's writer; the build copies a tool's stdout
// and stderr into it from two goroutines, hence its own lock.
type prefixWriter struct {
	log    *lineLog
	prefix string
	mu     sync.Mutex
	buf    []byte
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.buf = append(p.buf, b...)
	i := bytes.LastIndexByte(p.buf, '\n')
	if i < 0 {
		return len(b), nil
	}
	p.emit(p.buf[:i+1])
	p.buf = append(p.buf[:0], p.buf[i+1:]...)
	return len(b), nil
}

// Flush writes what is left of an unterminated last line.
func (p *prefixWriter) Flush() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.buf) > 0 {
		p.emit(append(p.buf, '\n'))
		p.buf = p.buf[:0]
	}
}

func (p *prefixWriter) emit(lines []byte) {
	var b bytes.Buffer
	for _, line := range bytes.SplitAfter(lines, []byte("\n")) {
		if len(line) > 0 {
			b.WriteString(p.prefix)
			b.Write(line)
		}
	}
	p.log.mu.Lock()
	defer p.log.mu.Unlock()
	p.log.w.Write(b.Bytes())
}
