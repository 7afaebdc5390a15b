package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/rustko/rustko-lsp/build"
	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/module"
	"github.com/rustko/rustko-lsp/vm"
	"github.com/rustko/rustko-lsp/workspace"
)

// runRunKernels is run --kernels: for every kernel, its image found (or
// downloaded), the module built in the kernel's stage as build --kernels
// does, and booted in that kernel. Builds run two at a time like the other
// matrices; boots one at a time, so that a TCG guest, slow and sensitive to
// a loaded host, has a core of its own while the next kernel builds.
func runRunKernels(ctx context.Context, o runOptions, stdout, stderr io.Writer) (int, error) {
	switch {
	case o.kdir != "":
		return exitTool, errors.New("--kdir and --kernels exclude each other: list the tree in --kernels")
	case o.image != "":
		return exitTool, errors.New("--image names one kernel's image: with --kernels each kernel boots Debian's image of its release")
	case o.log != "":
		return exitTool, errors.New("--log names one file: with --kernels use --keep, which keeps each kernel's VM files (serial log included) and says where")
	}
	if st, err := os.Stat(o.dir); err == nil && !st.IsDir() {
		return exitTool, fmt.Errorf("%s: --kernels builds the module for each kernel: name its folder, not a file", o.dir)
	}
	m, err := loadModule(ctx, o.dir, "")
	if err != nil {
		return exitTool, err
	}
	trees, err := workspace.ResolveKernels(ctx, o.kernels)
	if err != nil {
		return exitTool, err
	}
	fmt.Fprintf(stderr, "rustko: running %s on %d kernel(s): %s\n", m.Vars.KernelModule, len(trees), releases(trees))
	crate := m.CrateFile()
	logs := &lineLog{w: stderr}
	var (
		bootMu sync.Mutex // one VM at a time
		mu     sync.Mutex
		boots  = map[string]*vm.Outcome{} // by tree
	)
	runs := workspace.ForEachKernel(ctx, trees, func(ctx context.Context, k *module.Kernel) diagnostics.KernelRun {
		w := logs.prefixed("[" + k.Release + "] ")
		defer w.Flush()
		b, run := runOnKernel(ctx, o, m, k, crate, &bootMu, w)
		if b != nil {
			mu.Lock()
			boots[k.Dir] = b
			mu.Unlock()
		}
		return run
	})
	if err := ctx.Err(); err != nil {
		return exitTool, errors.New("cancelled")
	}
	for _, r := range runs {
		if r.Artifact != "" {
			signingNote(ctx, stderr, r.Artifact, true)
			break
		}
	}
	if err := writeRunKernels(stdout, stderr, o.format, runs, boots, m.Root); err != nil {
		return exitTool, err
	}
	for _, r := range runs {
		switch b := boots[r.Dir]; {
		case r.Err != "":
			fmt.Fprintf(stderr, "rustko: %s: could not run %s: %s\n", r.Label(), m.Vars.KernelModule, firstLine(r.Err))
		case b == nil:
			fmt.Fprintf(stderr, "rustko: %s: build of %s failed: %s\n", r.Label(), m.Vars.KernelModule, diagnostics.Summary(r.Findings))
		default:
			printVerdict(logs.prefixed("["+r.Label()+"] "), b, "")
		}
	}
	return worstExit(runs), nil
}

// runOnKernel is one kernel of run --kernels: the image, the build, the
// boot. A kernel whose image cannot be had is not built: it could not be
// run whatever the build said.
func runOnKernel(ctx context.Context, o runOptions, m *module.Module, k *module.Kernel, crate string, bootMu *sync.Mutex, w io.Writer) (*vm.Outcome, diagnostics.KernelRun) {
	img, err := vm.FindImage(ctx, vm.DefaultCache(), k.Release, w)
	if err != nil {
		msg := "cannot run the VM: " + err.Error()
		if strings.Contains(msg, "--image") {
			msg += "; --image is for one kernel: run --kdir " + k.Dir + " --image FILE"
		}
		return nil, diagnostics.KernelRun{Err: msg}
	}
	res, err := build.RunStaged(ctx, modules, m, k, workspace.Options{Version: versionString()}, buildOptions(o.mode, false, w))
	if err != nil {
		return nil, diagnostics.KernelRun{Err: fmt.Sprintf("building %s: %v", m.Root, err)}
	}
	if res.HasErrors() {
		return nil, diagnostics.KernelRun{Findings: res.Findings}
	}
	bootMu.Lock()
	defer bootMu.Unlock()
	b, err := vm.Run(ctx, vm.Config{
		KO: res.KO, Tree: k.Dir, Image: img, Params: o.params, Timeout: o.timeout, Wait: o.wait,
		Accel: o.accel, Keep: o.keep, Progress: w,
	}, o.expect, crate)
	if err != nil {
		return nil, diagnostics.KernelRun{Err: cancelled(err).Error(), Artifact: res.KO}
	}
	// The .ko's DWARF names the stage's copies of the sources.
	stage := workspace.StageFor(m, k)
	b.Findings = stage.Unstage(build.PlaceUnknownSymbols(b.Findings, func() *module.Module { return m }, k.Dir))
	b.MoveFrames(stage.Source)
	return b, diagnostics.KernelRun{Findings: append(b.Findings, res.Findings...), Artifact: res.KO}
}

// writeRunKernels writes the runs grouped per kernel. In text each kernel's
// section is its header and findings, then its log lines and decoded
// backtraces; in JSON and SARIF the log lines are progress, on stderr,
// marked with their kernel.
func writeRunKernels(stdout, stderr io.Writer, format string, runs []diagnostics.KernelRun, boots map[string]*vm.Outcome, root string) error {
	var err error
	switch format {
	case "json":
		err = diagnostics.WriteJSONKernels(stdout, runs, root)
	case "sarif":
		err = diagnostics.WriteSARIFKernels(stdout, runs, root, versionString())
	default:
		opt := diagnostics.TextOptions{Root: root, Color: isTerminalWriter(stdout)}
		for i, r := range runs {
			if err = diagnostics.WriteTextKernels(stdout, runs[i:i+1], opt); err != nil {
				break
			}
			if b := boots[r.Dir]; b != nil {
				printBoot(stdout, b, root)
			}
		}
	}
	if err != nil {
		return fmt.Errorf("printing the findings: %w", err)
	}
	if format == "text" {
		return nil
	}
	logs := &lineLog{w: stderr}
	for _, r := range runs {
		if b := boots[r.Dir]; b != nil {
			w := logs.prefixed("[" + r.Label() + "] ")
			printBoot(w, b, root)
			w.Flush()
		}
	}
	return nil
}
