package build

import (
	"fmt"
	"io"
	"time"

	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/module"
	"github.com/rustko/rustko-lsp/targets"
)

// Mode is how the Rust object is compiled.
type Mode string

const (
	// ModeAuto picks rust-src when the toolchain ships the core sources,
	// host otherwise.
	ModeAuto Mode = "auto"
	// ModeRustSrc compiles core for the module's target specification into a
	// cached sysroot and the crate against it (rust.ko's way).
	ModeRustSrc Mode = "rust-src"
	// ModeHost compiles for the host target with the kernel's code-generation
	// flags, pulling core in through fat LTO, then relaxes GOT relocations.
	ModeHost Mode = "host"
)

// ParseMode accepts the spellings the CLI and editor settings use.
func ParseMode(s string) (Mode, error) {
	switch Mode(s) {
	case "", ModeAuto:
		return ModeAuto, nil
	case ModeRustSrc, ModeHost:
		return Mode(s), nil
	}
	return "", fmt.Errorf("unknown build mode %q: want auto, rust-src or host", s)
}

// Step names, in the order a build runs them. The server forwards them as
// progress titles, so they are short and stable.
type Step string

const (
	StepBindings Step = "bindings"
	StepSysroot  Step = "sysroot"
	StepRust     Step = "rust"
	StepChecks   Step = "checks"
	StepKbuild   Step = "kbuild"
)

// Phase tells a step's beginning from its end.
type Phase int

const (
	Begin Phase = iota + 1
	End
)

// Event is one progress report. Begin events carry what the step is about
// to do; End events carry how long it took and whether it failed.
type Event struct {
	Step    Step
	Phase   Phase
	Detail  string        // e.g. "rust-src mode, rustc 1.63.0 from /usr", "cached", "up to date"
	Elapsed time.Duration // End only
	Failed  bool          // End only: the step produced errors or could not run
}

// Options control one build. The zero value builds with the module's own
// settings and reports nothing.
type Options struct {
	// Mode forces a toolchain mode; "" and ModeAuto choose automatically.
	Mode Mode
	// Progress receives step events synchronously, from the goroutine that
	// called Run; it must not block for long.
	Progress func(Event)
	// Stdout and Stderr receive, when the build is verbose (V=1 or
	// Verbose), every command before it runs and the tools' own output.
	Stdout, Stderr io.Writer
	// Verbose forces V=1 whatever the module's V says.
	Verbose bool
	// Rustko is the rustko-lsp executable the generated kbuild rule calls
	// for what only rustko can do (host mode's GOT relaxation) when kbuild
	// rebuilds the Rust object on its own; "" means this executable.
	Rustko string
	// CacheDir holds the sysroots built in rust-src mode and the cache
	// (filecache.Open) of what each rustc said about itself; "" means
	// filecache.Dir().
	CacheDir string
}

// StepTime is how long one step took.
type StepTime struct {
	Step    Step
	Elapsed time.Duration
	Detail  string
}

// Result is what a build produced. A build that found errors in the sources
// returns a Result with error findings and an empty KO, and a nil error; the
// error return is for builds that could not run (no toolchain, no kernel).
type Result struct {
	Findings []diagnostics.Finding
	// KO is <root>/<module>.ko after a successful build.
	KO string
	// Mode is the mode used (never ModeAuto) and ModeReason why it was
	// chosen, e.g. "rustc 1.63.0 from /usr has rust-src".
	Mode       Mode
	ModeReason string
	Toolchain  *targets.Toolchain
	Kernel     *module.Kernel
	// RustObject is the Rust object kbuild links, in BUILD_DIRECTORY/kbuild.
	RustObject string
	// CodegenFlags are the rustc flags the kernel's configuration asked
	// for (IBT, return thunks, retpolines) that this toolchain accepts.
	CodegenFlags []string
	Steps        []StepTime
}

// HasErrors reports whether any finding is an error.
func (r *Result) HasErrors() bool {
	return diagnostics.HasErrors(r.Findings)
}
