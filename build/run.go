package build

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rustko/rustko-lsp/bindings"
	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/internal/filecache"
	"github.com/rustko/rustko-lsp/module"
	"github.com/rustko/rustko-lsp/targets"
	"github.com/rustko/rustko-lsp/workspace"
)

// builder is one build's state, step by step.
type builder struct {
	w       *workspace.Module // the assembled module: kernel, flags, exports, licence
	m       *module.Module    // w.Module
	opts    Options
	r       *runner
	verbose bool
	res     *Result

	kernel *module.Kernel
	tc     *targets.Toolchain
	mode   Mode

	buildDir  string           // BUILD_DIRECTORY
	kbuildDir string           // kbuild's M= folder
	cargoDir  string           // cargo's target folder
	rustObj   string           // the Rust object kbuild links
	rustko    string           // this executable, for kbuild's rule in host mode
	cacheDir  string           // sysroots beside cache's entries
	cache     *filecache.Cache // rustc's answers to flag probes

	targetJSON  string        // rust-src mode: the target specification used
	ownTarget   bool          // targetJSON is the module's own file, not rustko's rendering of an embedded spec
	cargoTarget string        // what cargo's --target gets: the spec's path, or the host triple
	sysroot     *sysroot      // rust-src mode
	codegen     kernelCodegen // the rustc flags the kernel's configuration asks for
	helpersC    string        // a C file of helpers the bindings step wrote, if any
	runtimeC    string        // the rustko crate's C half, when the module depends on the crate

	rustDepFiles []string // what cargo says the object depends on
}

// Run builds w into <root>/<module>.ko, against the kernel tree, flags and
// exported symbols the workspace read for it. Findings about the module's sources
// (compile errors, modpost's undefined symbols) come back in the Result with
// a nil error; an error means the build could not run at all (no toolchain,
// no kernel tree, cancelled) and says what to do about it.
//
// Builds of one module never overlap: a second Run for the same
// BUILD_DIRECTORY waits for the first (or for ctx). Cancelling ctx kills
// every process the build started, with their children.
func Run(ctx context.Context, w *workspace.Module, opts Options) (*Result, error) {
	if w == nil {
		return nil, errors.New("build: no module given")
	}
	if w.Untrusted {
		return nil, fmt.Errorf("module %s is not trusted: its build would run its Makefile", w.Root)
	}
	b, err := newBuilder(w, opts)
	if err != nil {
		return nil, err
	}
	unlock, err := filecache.Lock(ctx, filepath.Join(b.buildDir, ".rustko-build.lock"))
	if err != nil {
		return nil, fmt.Errorf("waiting for another build of this module: %w", err)
	}
	defer unlock()
	if err := b.prepare(ctx); err != nil {
		return nil, err
	}
	if err := b.build(ctx); err != nil {
		return b.res, err
	}
	return b.res, nil
}

// RunStaged builds m against kernel k in k's stage (workspace.LoadStaged
// with lo), as build, check and run --kernels do: BUILD_DIRECTORY/<release>
// gets that kernel's bindings, build folder and <module>.ko. Findings on
// the stage's copies of the sources come back on the module's own files.
func RunStaged(ctx context.Context, l *workspace.Loader, m *module.Module, k *module.Kernel, lo workspace.Options, opts Options) (*Result, error) {
	w, stage, err := l.LoadStaged(ctx, m, k, lo)
	if err != nil {
		return nil, err
	}
	res, err := Run(ctx, w, opts)
	if err != nil {
		return nil, err
	}
	res.Findings = stage.Unstage(res.Findings)
	return res, nil
}

func newBuilder(w *workspace.Module, opts Options) (*builder, error) {
	m := w.Module
	v := m.Vars
	if v.KernelModule == "" {
		return nil, fmt.Errorf("module %s: KERNEL_MODULE is empty; set it in the Makefile or config.mk (KERNEL_MODULE := hello)", m.Root)
	}
	if !isFile(filepath.Join(m.Root, "Cargo.toml")) {
		return nil, fmt.Errorf("module %s has no Cargo.toml; rustko builds the Rust part with cargo (run `rustko-lsp new NAME` for a template)", m.Root)
	}
	if v.BuildDirectory == "" {
		return nil, fmt.Errorf("module %s: BUILD_DIRECTORY is empty; set it (BUILD_DIRECTORY := build)", m.Root)
	}
	b := &builder{
		w:       w,
		m:       m,
		opts:    opts,
		verbose: v.Verbose || opts.Verbose,
		res:     &Result{},
	}
	b.r = &runner{verbose: b.verbose, stdout: opts.Stdout, stderr: opts.Stderr}
	if b.r.stderr == nil {
		b.r.stderr = opts.Stdout
	}
	b.buildDir = v.BuildDirectory
	b.kbuildDir = filepath.Join(b.buildDir, "kbuild")
	b.cargoDir = filepath.Join(b.buildDir, "cargo")
	b.rustObj = filepath.Join(b.kbuildDir, v.KernelModule+"-rust.o")
	for what, p := range map[string]string{"the module folder": m.Root, "BUILD_DIRECTORY": b.buildDir, "KERNEL_MODULE": v.KernelModule} {
		if err := checkMakePath(what, p); err != nil {
			return nil, err
		}
	}
	b.rustko = opts.Rustko
	if b.rustko == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("finding the rustko-lsp executable for kbuild's rule: %w", err)
		}
		b.rustko = exe
	}
	return b, nil
}

// prepare resolves the kernel, the toolchain and the mode.
func (b *builder) prepare(ctx context.Context) error {
	b.kernel = b.w.Kernel
	if b.kernel == nil {
		return b.w.KernelErr
	}
	b.res.Kernel = b.kernel
	if err := checkMakePath("the kernel tree", b.kernel.Dir); err != nil {
		return err
	}
	b.cacheDir = b.opts.CacheDir
	if b.cacheDir == "" {
		c, err := filecache.Dir()
		if err != nil {
			return err
		}
		b.cacheDir = c
	}
	b.cache = filecache.Open(b.cacheDir)
	// The workspace found the toolchain (targets.Find) when it read the
	// module; a build needs cargo too.
	tc := b.w.Toolchain
	if tc == nil {
		return b.w.ToolchainErr
	}
	if err := tc.CheckCargo(b.where("RUST_ROOT")); err != nil {
		return err
	}
	b.tc = tc
	b.res.Toolchain = tc
	mode, reason, err := chooseMode(b.opts.Mode, tc, b.kernel.Arch)
	if err != nil {
		return err
	}
	b.mode, b.res.Mode, b.res.ModeReason = mode, mode, reason
	if mode == ModeHost {
		b.cargoTarget = tc.Host
	}
	return b.resolveCodegen(ctx)
}

// where says where a variable was set, for error messages.
func (b *builder) where(name string) string {
	if w := b.m.Where[name]; w != "" {
		return filepath.Join(b.m.Root, w)
	}
	return b.m.Origin[name]
}

// build runs the steps. Each step's failure with findings ends the build
// with a nil error; a failure to run anything returns the error.
func (b *builder) build(ctx context.Context) error {
	// Every module gets bindings for the default headers; KERNEL_INCLUDE
	// adds to them (bindings.ModuleHeaders).
	ok, err := b.step(StepBindings, func() (string, bool, error) { return b.generateBindings(ctx) },
		strings.Join(bindings.ModuleHeaders(b.m.Vars.KernelInclude), " "))
	if err != nil || !ok {
		return err
	}
	if b.mode == ModeRustSrc {
		ok, err := b.step(StepSysroot, func() (string, bool, error) {
			if err := b.resolveTarget(); err != nil {
				return "", false, err
			}
			s, err := ensureSysroot(ctx, b.r, b.tc, b.targetJSON, b.cacheDir, b.codegen.Flags)
			var refused *coreRefusedError
			if b.ownTarget && errors.As(err, &refused) && ctx.Err() == nil {
				b.res.Findings = append(b.res.Findings, b.targetRefused(refused)...)
				return "failed", false, nil
			}
			if err != nil {
				return "", false, err
			}
			if strings.ContainsAny(s.Dir, " \t\n") {
				return "", false, fmt.Errorf("the sysroot cache %s holds a blank, which RUSTFLAGS cannot carry; set RUSTKO_CACHE_DIR to a path without one", s.Dir)
			}
			b.sysroot = s
			if s.Built {
				return "built core and alloc for " + s.Target, true, nil
			}
			return "cached", true, nil
		})
		if err != nil || !ok {
			return err
		}
	}

	var rust *rustOutcome
	ok, err = b.step(StepRust, func() (string, bool, error) {
		var err error
		rust, err = b.compileRust(ctx)
		if err != nil {
			return "", false, err
		}
		b.res.Findings = append(b.res.Findings, rust.Findings...)
		if rust.Failed {
			return "failed", false, nil
		}
		b.res.RustObject = b.rustObj
		b.rustDepFiles = rust.Deps
		b.runtimeC = rust.Runtime
		detail := string(b.mode) + " mode, compiled"
		if rust.Fresh {
			detail = string(b.mode) + " mode, up to date"
		}
		return detail, true, nil
	}, fmt.Sprintf("%s mode (%s)", b.mode, b.res.ModeReason))
	if err != nil || !ok {
		return err
	}

	var checks []diagnostics.Finding
	b.step(StepChecks, func() (string, bool, error) {
		fs, err := b.checkObject(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return "", false, err
			}
			// The checks only predict; a failure to run them must not
			// stop a build that may well succeed.
			fs = []diagnostics.Finding{{File: b.crateRoot(), Range: diagnostics.Point(1, 1), Severity: diagnostics.Warning,
				Source: diagnostics.SourceObject, Message: "the object checks could not run: " + err.Error()}}
		}
		checks = fs
		b.res.Findings = append(b.res.Findings, fs...)
		return fmt.Sprintf("%d finding(s)", len(fs)), !diagnostics.HasErrors(fs), nil
	})
	if err := ctx.Err(); err != nil {
		return err
	}

	// kbuild runs even after the checks found errors: the C shim's own
	// errors and modpost's view are worth having in the same round.
	_, err = b.step(StepKbuild, func() (string, bool, error) {
		sources, err := b.kbuildFiles(rust.Deps)
		if err != nil {
			return "", false, err
		}
		findings, syms, linked, err := b.runKbuild(ctx, sources)
		b.res.Findings = append(b.res.Findings, dropCoveredByCodegen(b.codegen.Missing, checks, dropDuplicateUndefined(checks, findings, syms))...)
		if err != nil || !linked {
			return "failed", false, err
		}
		if diagnostics.HasErrors(b.res.Findings) {
			// Linked, but not a module to load: leave the installed .ko alone.
			return "linked, not installed: the checks found errors", true, nil
		}
		if err := b.installKO(ctx); err != nil {
			return "", false, err
		}
		b.res.KO = filepath.Join(b.m.Root, b.m.Vars.KernelModule+".ko")
		return b.res.KO, true, nil
	}, fmt.Sprintf("kernel %s at %s", b.kernel.Release, b.kernel.Dir))
	return err
}

// step runs one step between its progress events and records its time. ok
// is false when the step failed (with findings or an error).
func (b *builder) step(s Step, fn func() (detail string, ok bool, err error), begin ...string) (bool, error) {
	b.emit(Event{Step: s, Phase: Begin, Detail: strings.Join(begin, " ")})
	start := time.Now()
	detail, ok, err := fn()
	elapsed := time.Since(start)
	if err != nil {
		detail = "error"
	}
	b.res.Steps = append(b.res.Steps, StepTime{Step: s, Elapsed: elapsed, Detail: detail})
	b.emit(Event{Step: s, Phase: End, Detail: detail, Elapsed: elapsed, Failed: err != nil || !ok})
	if err == nil && !ok && !diagnostics.HasErrors(b.res.Findings) {
		// A step must not fail silently: give the person something to read.
		b.res.Findings = append(b.res.Findings, diagnostics.Finding{
			File: filepath.Join(b.m.Root, "Makefile"), Range: diagnostics.Point(1, 1), Severity: diagnostics.Error,
			Source: diagnostics.SourceRustko, Message: fmt.Sprintf("the %s step failed without a message; run the build with V=1", s),
		})
	}
	return ok && err == nil, err
}

func (b *builder) emit(e Event) {
	if b.opts.Progress != nil {
		b.opts.Progress(e)
	}
}

// targetRefused is rustc refusing the module's own target specification:
// what the spec check says about the file (the positioned target-spec
// findings check lists too), and rustc's own words on its first line.
func (b *builder) targetRefused(e *coreRefusedError) []diagnostics.Finding {
	var out []diagnostics.Finding
	for _, f := range b.w.Findings {
		if f.Code == diagnostics.CodeTargetSpec && f.File == e.JSON {
			out = append(out, f)
		}
	}
	return append(out, diagnostics.Finding{
		File: e.JSON, Range: diagnostics.Point(1, 1), Severity: diagnostics.Error, Source: diagnostics.SourceRustko,
		Code: diagnostics.CodeTargetSpec,
		Message: fmt.Sprintf("rustc %s refuses this target specification (TARGET, set by %s): compiling %s for it failed:\n%s\n"+
			"fix the file, or build with --mode host", e.Release, b.where("TARGET"), e.Crate, e.Output),
	})
}

// resolveTarget picks the target specification for rust-src mode: the
// module's TARGET, or the embedded spec for the kernel's architecture. A
// TARGET file identical to the embedded spec is used in the form this
// rustc accepts (1.63 wants string widths, today's rustc integers): the
// module ships the canonical file, rustko adapts it.
func (b *builder) resolveTarget() error {
	dir := filepath.Join(b.buildDir, "target")
	name := ""
	// TargetFor: a spec found by rust.ko's <UTS_MACHINE>-unknown-none-gnu
	// name must be the one for this kernel's architecture.
	if t := b.m.TargetFor(b.kernel.Arch); t != "" {
		data, err := os.ReadFile(t)
		if err != nil {
			return fmt.Errorf("reading the target specification TARGET=%s (set by %s): %w", t, b.where("TARGET"), err)
		}
		stem := strings.TrimSuffix(filepath.Base(t), ".json")
		if emb := targets.Data(stem); emb == nil || string(emb) != string(data) {
			b.targetJSON, b.cargoTarget, b.ownTarget = t, t, true
			return nil
		}
		name = stem
	} else {
		n, ok := targets.ForArch(b.kernel.Arch)
		if !ok {
			n, ok = targets.ForArch(b.kernel.SrcArch)
		}
		if !ok {
			return fmt.Errorf("no embedded target specification for the kernel's architecture %s (%s); set TARGET to a target JSON for it", b.kernel.Arch, b.kernel.Dir)
		}
		name = n
	}
	p, err := targets.WriteFor(dir, name, *b.tc)
	if err != nil {
		return fmt.Errorf("writing the target specification for rustc %s: %w", b.tc.Release, err)
	}
	if err := checkMakePath("the target specification", p); err != nil {
		return err
	}
	b.targetJSON, b.cargoTarget = p, p
	return nil
}
