package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/vm"
)

// bootOutcome is what one boot of the module showed, ready to print: run
// prints it once, run --kernels once per kernel.
type bootOutcome struct {
	res *vm.Result
	// lines are the module's kernel log lines, or the console's last ones
	// when the module was never loaded or the VM hung (console).
	lines    []string
	console  bool
	decoded  []vm.Decoded
	findings []diagnostics.Finding // the boot's; an error for each problem
	problems []string              // empty: the run passed
}

// bootModule boots cfg.KO and reads the result: its log lines, the decoded
// backtraces, and findings at crate (the module's crate root, "" for a .ko
// outside its module) for what went wrong. The error is for a VM that could
// not run at all (exit 2).
func bootModule(ctx context.Context, o runOptions, cfg vm.Config, crate string, progress io.Writer) (*bootOutcome, error) {
	res, err := vm.Boot(ctx, cfg)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return nil, errors.New("cancelled")
		}
		var se *vm.SetupError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("cannot run the VM: %w", err)
		}
		return nil, err
	}
	b := &bootOutcome{res: res, lines: res.Log.ModuleLines()}
	if res.TimedOut || !res.Log.Loaded {
		b.lines, b.console = lastLines(res.Log.Console, 30), true
	}
	b.problems = res.Problems(o.expect)
	if len(b.problems) == 0 {
		return b, nil
	}
	dec, err := vm.NewDecoder(cfg.KO, res.Module)
	if err != nil {
		fmt.Fprintf(progress, "rustko: %v (backtraces are not decoded)\n", err)
		dec = nil
	}
	b.findings, b.decoded = res.Findings(dec, crate)
	b.findings = append(b.findings, expectFindings(res, o.expect, crate)...)
	return b, nil
}

// expectFindings are the --expect lines the kernel log lacks as errors at
// crate: vm's Findings speak of the boot only, and a run that did not print
// what was asked failed even when the module loaded and unloaded cleanly.
func expectFindings(res *vm.Result, expect []string, crate string) []diagnostics.Finding {
	if crate == "" || len(expect) == 0 {
		return nil
	}
	boot := map[string]bool{}
	for _, p := range res.Problems(nil) {
		boot[p] = true
	}
	var out []diagnostics.Finding
	for _, p := range res.Problems(expect) {
		if !boot[p] {
			out = append(out, diagnostics.Finding{File: crate, Range: diagnostics.Point(1, 1), Severity: diagnostics.Error,
				Code: vm.CodeRunFailed, Source: vm.SourceKernel, Message: p})
		}
	}
	return out
}

// print writes the log lines and the decoded backtraces.
func (b *bootOutcome) print(w io.Writer, root string) {
	if b.console {
		fmt.Fprintf(w, "rustko: last lines of the VM's console:\n")
	}
	for _, l := range b.lines {
		fmt.Fprintln(w, l)
	}
	for _, d := range b.decoded {
		fmt.Fprintf(w, "rustko: decoded: %s", d.Text(root))
	}
}

// verdict writes where the VM's files are and PASS or FAIL with the
// problems.
func (b *bootOutcome) verdict(w io.Writer, serialLog string) {
	res := b.res
	if res.WorkDir != "" {
		fmt.Fprintf(w, "rustko: VM files kept in %s\n", res.WorkDir)
	} else if serialLog != "" {
		fmt.Fprintf(w, "rustko: serial log in %s\n", serialLog)
	}
	secs := res.Elapsed.Round(100 * time.Millisecond)
	if len(b.problems) > 0 {
		for _, p := range b.problems {
			fmt.Fprintf(w, "rustko: FAIL: %s\n", p)
		}
		fmt.Fprintf(w, "rustko: %s failed on %s (%s, %s)\n", res.Module, res.Release, res.Accel, secs)
		return
	}
	fmt.Fprintf(w, "rustko: PASS: %s loaded and unloaded on %s (%s, %s)\n", res.Module, res.Release, res.Accel, secs)
}
