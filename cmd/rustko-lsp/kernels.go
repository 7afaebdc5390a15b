package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/sourcegraph/conc/pool"

	"github.com/rustko/rustko-lsp/bindings"
	"github.com/rustko/rustko-lsp/build"
	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/module"
	"github.com/rustko/rustko-lsp/workspace"
)

// matrixParallel bounds how many kernels are checked or built at once. A
// cold bindings generation takes a core and about 250 MB, a build runs
// cargo and kbuild: two at a time is what a two-core CI runner holds.
const matrixParallel = 2

// matrixKernel is one tree of a --kernels run, or why it cannot be used.
type matrixKernel struct {
	dir string
	k   *module.Kernel
	err error
}

// resolveKernels turns --kernels into trees: "all" is every configured tree
// installed (module.InstalledKernels), anything else a comma-separated list
// of trees, each of which must be a configured tree itself (no fall-back to
// another one, as for --kdir). A listed tree that is not usable stays in the
// list with its reason, so that it is reported and the others still run.
func resolveKernels(ctx context.Context, spec string) ([]matrixKernel, error) {
	if strings.TrimSpace(spec) == "all" {
		ks, skipped, err := module.InstalledKernels(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing the installed kernel trees: %w", err)
		}
		if len(ks) == 0 {
			return nil, fmt.Errorf("--kernels all: no configured kernel build tree (with .config and Module.symvers) is installed; looked at:\n  %s",
				strings.Join(append(skipped, "/lib/modules/*/build and /usr/src/linux-headers-*"), "\n  "))
		}
		out := make([]matrixKernel, len(ks))
		for i, k := range ks {
			out[i] = matrixKernel{dir: k.Dir, k: k}
		}
		return out, nil
	}
	var out []matrixKernel
	seen := map[string]bool{}
	for _, d := range strings.Split(spec, ",") {
		if d = strings.TrimSpace(d); d == "" {
			continue
		}
		abs, err := filepath.Abs(d)
		if err != nil {
			return nil, fmt.Errorf("--kernels %s: %w", d, err)
		}
		key := abs
		if real, err := filepath.EvalSymlinks(abs); err == nil {
			key = real
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, describeListed(ctx, abs))
	}
	if len(out) == 0 {
		return nil, errors.New("--kernels: give all or a comma-separated list of kernel build trees")
	}
	return out, nil
}

// describeListed describes a tree named in --kernels, or says why it cannot
// be checked: in a matrix a tree must hold everything check reads.
func describeListed(ctx context.Context, dir string) matrixKernel {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return matrixKernel{dir: dir, err: fmt.Errorf("%s is not a kernel build tree: no such folder", dir)}
	}
	for _, f := range []string{"Makefile", ".config", "Module.symvers"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || !st.Mode().IsRegular() {
			return matrixKernel{dir: dir, err: fmt.Errorf("%s is not a configured kernel build tree: it has no %s", dir, f)}
		}
	}
	k, err := module.FindKernel(ctx, dir)
	if err != nil {
		return matrixKernel{dir: dir, err: err}
	}
	if !sameDir(k.Dir, dir) {
		return matrixKernel{dir: dir, err: fmt.Errorf("%s is not a usable kernel build tree:\n%s", dir, k.Summary())}
	}
	return matrixKernel{dir: dir, k: k}
}

// kernelStage is the folder of everything built for kernel k:
// BUILD_DIRECTORY/<release>. It mirrors the module's sources, so that the
// kernel's bindings sit where `mod bindings;` finds them without touching
// the module's own src/, and its .ko ends up at BUILD_DIRECTORY/<release>/<module>.ko.
func kernelStage(m *module.Module, k *module.Kernel) string {
	name := strings.ReplaceAll(k.Release, string(filepath.Separator), "_")
	if name == "" || name == "." || name == ".." {
		name = filepath.Base(k.Dir)
	}
	return filepath.Join(m.Vars.BuildDirectory, name)
}

// stagedPath is where p of the module at root is in stage: at the same
// place when p is inside root, else directly in stage.
func stagedPath(root, stage, p string) string {
	if r, ok := inside(root, p); ok {
		return filepath.Join(stage, r)
	}
	return filepath.Join(stage, filepath.Base(p))
}

// inside returns p relative to root when p is in root.
func inside(root, p string) (string, bool) {
	r, err := filepath.Rel(root, p)
	if err != nil || r == "." || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return "", false
	}
	return r, true
}

// generatedFiles are the files rustko writes into a module's folder; the
// stage gets its own, so they are neither copied into it nor pruned from it.
func generatedFiles(m *module.Module, root string) map[string]bool {
	b := stagedPath(m.Root, root, m.Vars.Bindings)
	return map[string]bool{
		b:                                       true,
		strings.TrimSuffix(b, ".rs") + ".index": true,
		stagedPath(m.Root, root, bindings.HelpersFile(m.Root)): true,
		filepath.Join(root, m.Vars.KernelModule+".ko"):         true,
	}
}

// syncStage makes stage a copy of the module's sources. Files are written
// only when their content differs, so cargo and kbuild, which go by times,
// rebuild only what changed; files gone from the module go from the stage.
func syncStage(m *module.Module, stage string) error {
	root := m.Root
	if _, ok := inside(root, m.Vars.BuildDirectory); !ok && m.Vars.BuildDirectory != "" {
		if _, ok := inside(m.Vars.BuildDirectory, root); ok || sameDir(root, m.Vars.BuildDirectory) {
			return fmt.Errorf("BUILD_DIRECTORY %s holds the module folder: --kernels needs a build folder of its own", m.Vars.BuildDirectory)
		}
	}
	skipDirs := map[string]bool{m.Vars.BuildDirectory: true, stage: true, filepath.Join(root, ".git"): true, filepath.Join(root, "target"): true}
	fromRoot := generatedFiles(m, root)
	want := map[string]bool{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == root {
			return os.MkdirAll(stage, 0o755)
		}
		rel, _ := filepath.Rel(root, p)
		dest := filepath.Join(stage, rel)
		switch {
		case d.IsDir():
			if skipDirs[p] {
				return filepath.SkipDir
			}
			want[dest] = true
			return os.MkdirAll(dest, 0o755)
		case fromRoot[p]:
			return nil
		case d.Type()&fs.ModeSymlink != 0:
			want[dest] = true
			return syncLink(p, dest)
		case d.Type().IsRegular():
			want[dest] = true
			return syncFile(p, dest)
		}
		return nil // sockets, fifos: not sources
	})
	if err != nil {
		return fmt.Errorf("copying the module's sources into %s: %w", stage, err)
	}
	inStage := generatedFiles(m, stage)
	// cargo writes Cargo.lock beside a manifest that has none; deleting it
	// would only make cargo resolve again next time.
	inStage[filepath.Join(stage, "Cargo.lock")] = true
	stageBuild := filepath.Join(stage, "build")
	var stale []string
	err = filepath.WalkDir(stage, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == stage {
			return nil
		}
		if p == stageBuild {
			return filepath.SkipDir
		}
		if !want[p] && !inStage[p] {
			stale = append(stale, p)
			if d.IsDir() {
				return filepath.SkipDir
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("pruning %s: %w", stage, err)
	}
	for _, p := range stale {
		if err := os.RemoveAll(p); err != nil {
			return fmt.Errorf("pruning %s: %w", stage, err)
		}
	}
	return nil
}

func syncFile(src, dest string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	st, err := os.Stat(src)
	if err != nil {
		return err
	}
	if old, err := os.ReadFile(dest); err == nil && bytes.Equal(old, data) {
		return os.Chmod(dest, st.Mode().Perm())
	}
	if fi, err := os.Lstat(dest); err == nil && !fi.Mode().IsRegular() {
		if err := os.RemoveAll(dest); err != nil {
			return err
		}
	}
	return os.WriteFile(dest, data, st.Mode().Perm())
}

func syncLink(src, dest string) error {
	target, err := os.Readlink(src)
	if err != nil {
		return err
	}
	if old, err := os.Readlink(dest); err == nil && old == target {
		return nil
	}
	if err := os.RemoveAll(dest); err != nil {
		return err
	}
	return os.Symlink(target, dest)
}

// kernelBuild is what buildForKernel needs besides the module and kernel.
type kernelBuild struct {
	mode     build.Mode
	verbose  bool
	out      io.Writer         // commands and tools' output (verbose)
	progress func(build.Event) // step events
}

// buildForKernel builds m against k in the kernel's stage: the sources are
// mirrored there and loaded as a module of their own with KERNEL_BUILD_PATH
// set to k and BUILD_DIRECTORY inside the stage, so that two kernels' builds
// share no file and may run at once. Findings on the mirrored sources are
// moved back onto the module's own files.
func buildForKernel(ctx context.Context, m *module.Module, k *module.Kernel, kb kernelBuild) (*build.Result, error) {
	stage := kernelStage(m, k)
	if err := syncStage(m, stage); err != nil {
		return nil, err
	}
	ov := map[string]string{"KERNEL_BUILD_PATH": k.Dir, "BUILD_DIRECTORY": filepath.Join(stage, "build")}
	// What was relative to the module's folder must still name the same
	// thing from the stage.
	if r := strings.TrimSpace(m.Raw["RUST_ROOT"]); r != "" && !filepath.IsAbs(r) {
		ov["RUST_ROOT"] = m.Vars.RustRoot
	}
	if t := m.Vars.Target; t != "" {
		if _, ok := inside(m.Root, t); !ok {
			ov["TARGET"] = t
		}
	}
	if _, ok := inside(m.Root, m.Vars.Bindings); !ok {
		ov["BINDINGS"] = stagedPath(m.Root, stage, m.Vars.Bindings)
	}
	sm, err := modules.Load(ctx, stage, workspace.Options{Overrides: ov, Version: versionString()})
	if err != nil {
		return nil, fmt.Errorf("loading the module's copy for %s: %w", k.Release, err)
	}
	res, err := build.Run(ctx, sm, build.Options{
		Mode: kb.mode, Verbose: kb.verbose,
		Stdout: kb.out, Stderr: kb.out, Progress: kb.progress,
	})
	if err != nil {
		return nil, err
	}
	res.Findings = unstage(res.Findings, stage, m.Root, generatedFiles(m, stage))
	return res, nil
}

// unstage moves findings on the stage's copies of the module's sources back
// onto the sources; what exists only in the stage (its bindings, its build
// folder) keeps its path.
func unstage(fs []diagnostics.Finding, stage, root string, generated map[string]bool) []diagnostics.Finding {
	stageBuild := filepath.Join(stage, "build")
	move := func(p string) string {
		if p == "" || generated[p] {
			return p
		}
		if _, ok := inside(stageBuild, p); ok {
			return p
		}
		if r, ok := inside(stage, p); ok {
			return filepath.Join(root, r)
		}
		return p
	}
	out := make([]diagnostics.Finding, len(fs))
	for i, f := range fs {
		f.File = move(f.File)
		f.Related = append([]diagnostics.Related(nil), f.Related...)
		for j := range f.Related {
			f.Related[j].File = move(f.Related[j].File)
		}
		fixes := make([]diagnostics.Fix, len(f.Fixes))
		for j, fx := range f.Fixes {
			fx.Edits = append([]diagnostics.Edit(nil), fx.Edits...)
			for e := range fx.Edits {
				fx.Edits[e].File = move(fx.Edits[e].File)
			}
			fixes[j] = fx
		}
		if f.Fixes != nil {
			f.Fixes = fixes
		}
		out[i] = f
	}
	return out
}

// forEachKernel runs do for every kernel, matrixParallel at a time, and
// returns the runs in the kernels' order whatever order they finish in.
func forEachKernel(ctx context.Context, trees []matrixKernel, do func(ctx context.Context, t matrixKernel) diagnostics.KernelRun) []diagnostics.KernelRun {
	runs := make([]diagnostics.KernelRun, len(trees))
	p := pool.New().WithMaxGoroutines(matrixParallel)
	for i, t := range trees {
		p.Go(func() {
			if t.err != nil {
				runs[i] = diagnostics.KernelRun{Dir: t.dir, Err: t.err.Error()}
				return
			}
			runs[i] = do(ctx, t)
			runs[i].Release, runs[i].Dir = t.k.Release, t.k.Dir
		})
	}
	p.Wait()
	return runs
}

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

func releases(trees []matrixKernel) string {
	var names []string
	for _, t := range trees {
		if t.k != nil {
			names = append(names, t.k.Release)
		} else {
			names = append(names, t.dir)
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
	trees, err := resolveKernels(ctx, o.kernels)
	if err != nil {
		return exitTool, err
	}
	text := o.format == "text"
	logs := &lineLog{w: stderr}
	if text {
		fmt.Fprintln(stderr, m.Summary())
		fmt.Fprintf(stderr, "rustko: checking %s against %d kernel(s): %s\n", m.Vars.KernelModule, len(trees), releases(trees))
	}
	runs := forEachKernel(ctx, trees, func(ctx context.Context, t matrixKernel) diagnostics.KernelRun {
		k := t.k
		var progress io.Writer
		if text {
			w := logs.prefixed("[" + k.Release + "] ")
			defer w.Flush()
			progress = w
		}
		findings, err := analyseKernel(ctx, m, k, progress)
		if err != nil {
			return diagnostics.KernelRun{Err: err.Error()}
		}
		run := diagnostics.KernelRun{Findings: findings}
		if o.build {
			kb := kernelBuild{out: io.Discard}
			if progress != nil {
				kb.out = progress
				kb.progress = func(e build.Event) {
					if e.Phase == build.End {
						fmt.Fprintf(progress, "rustko: build %-8s %s\n", e.Step, e.Elapsed.Round(10*time.Millisecond))
					}
				}
			}
			res, err := buildForKernel(ctx, m, k, kb)
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
