package vm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/rustko/rustko-lsp/build/objcheck"
	"github.com/rustko/rustko-lsp/diagnostics"
)

// Outcome is what one boot of a module showed, judged: `rustko-lsp run`
// prints it once, run --kernels once per kernel.
type Outcome struct {
	Result *Result
	// Lines are the module's kernel log lines, or the console's last ones
	// when the module was never loaded or the VM hung (Console).
	Lines    []string
	Console  bool
	Decoded  []Decoded
	Findings []diagnostics.Finding // an error for each problem
	Problems []string              // empty: the run passed
}

// Run boots cfg.KO (Boot) and judges the boot (Judge). The error is for a
// VM that could not run at all, "cannot run the VM" with what to install
// when it is a *SetupError.
func Run(ctx context.Context, cfg Config, expect []string, crate string) (*Outcome, error) {
	res, err := Boot(ctx, cfg)
	if err != nil {
		var se *SetupError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("cannot run the VM: %w", err)
		}
		return nil, err
	}
	return Judge(res, cfg.KO, expect, crate, cfg.Progress), nil
}

// Judge reads one boot of ko: expect are lines the module's kernel log
// must contain, crate is where findings without a source line of their own
// go (the module's crate root; "" for a .ko outside its module: such
// failures are only printed). Why backtraces could not be decoded goes to
// progress (nil: nowhere). `run`, `run --kernels` and the editor's
// rustko.run all judge through it.
func Judge(res *Result, ko string, expect []string, crate string, progress io.Writer) *Outcome {
	o := &Outcome{Result: res, Lines: res.Log.ModuleLines()}
	if res.TimedOut || !res.Log.Loaded {
		o.Lines, o.Console = lastLines(res.Log.Console, 30), true
	}
	o.Problems = res.Problems(expect)
	if len(o.Problems) == 0 {
		return o
	}
	dec, err := NewDecoder(ko, res.Module)
	if err != nil {
		if progress != nil {
			fmt.Fprintf(progress, "rustko: %v (backtraces are not decoded)\n", err)
		}
		dec = nil
	}
	o.Findings, o.Decoded = res.Findings(dec, crate)
	o.Findings = append(o.Findings, expectFindings(res, expect, crate)...)
	return o
}

// expectFindings are the expected lines the kernel log lacks as errors at
// crate: Result.Findings speaks of the boot only, and a run that did not
// print what was asked failed even when the module loaded and unloaded
// cleanly.
func expectFindings(res *Result, expect []string, crate string) []diagnostics.Finding {
	if crate == "" || len(expect) == 0 {
		return nil
	}
	boot := res.Problems(nil)
	var out []diagnostics.Finding
	for _, p := range res.Problems(expect) {
		if !slices.Contains(boot, p) {
			out = append(out, crateFinding(crate, CodeRunFailed, p))
		}
	}
	return out
}

func lastLines(lines []string, n int) []string {
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return lines
}

// MoveFrames renames the source files of the decoded frames with move
// (run --kernels: from a kernel's stage back to the module), leaving the
// frames the Outcome had before unchanged.
func (o *Outcome) MoveFrames(move func(string) string) {
	for i := range o.Decoded {
		frames := append([]DecodedFrame(nil), o.Decoded[i].Frames...)
		for j := range frames {
			locs := append([]objcheck.Location(nil), frames[j].Locations...)
			for l := range locs {
				locs[l].File = move(locs[l].File)
			}
			frames[j].Locations = locs
		}
		o.Decoded[i].Frames = frames
	}
}
