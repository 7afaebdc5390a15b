package workspace

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"

	"github.com/sourcegraph/conc/pool"

	"github.com/rustko/rustko-lsp/bindings"
	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/module"
)

// matrixParallel bounds how many kernels are checked or built at once. A
// cold bindings generation takes a core and about 250 MB, a build runs
// cargo and kbuild: two at a time is what a two-core CI runner holds.
const matrixParallel = 2

// KernelTree is one tree of a --kernels run, or why it cannot be used.
type KernelTree struct {
	Dir    string
	Kernel *module.Kernel // nil when Err says why the tree is not usable
	Err    error
}

// ResolveKernels turns --kernels into trees: "all" is every configured tree
// installed (module.InstalledKernels), anything else a comma-separated list
// of trees, each of which must be a configured tree itself (no fall-back to
// another one, as for --kdir). A listed tree that is not usable stays in the
// list with its reason, so that it is reported and the others still run.
func ResolveKernels(ctx context.Context, spec string) ([]KernelTree, error) {
	if strings.TrimSpace(spec) == "all" {
		ks, skipped, err := module.InstalledKernels(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing the installed kernel trees: %w", err)
		}
		if len(ks) == 0 {
			return nil, fmt.Errorf("--kernels all: no configured kernel build tree (with .config and Module.symvers) is installed; looked at:\n  %s",
				strings.Join(append(skipped, "/lib/modules/*/build and /usr/src/linux-headers-*"), "\n  "))
		}
		out := make([]KernelTree, len(ks))
		for i, k := range ks {
			out[i] = KernelTree{Dir: k.Dir, Kernel: k}
		}
		return out, nil
	}
	var out []KernelTree
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
func describeListed(ctx context.Context, dir string) KernelTree {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return KernelTree{Dir: dir, Err: fmt.Errorf("%s is not a kernel build tree: no such folder", dir)}
	}
	for _, f := range []string{"Makefile", ".config", "Module.symvers"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || !st.Mode().IsRegular() {
			return KernelTree{Dir: dir, Err: fmt.Errorf("%s is not a configured kernel build tree: it has no %s", dir, f)}
		}
	}
	k, err := module.FindKernel(ctx, dir)
	if err != nil {
		return KernelTree{Dir: dir, Err: err}
	}
	if !SameDir(k.Dir, dir) {
		return KernelTree{Dir: dir, Err: fmt.Errorf("%s is not a usable kernel build tree:\n%s", dir, k.Summary())}
	}
	return KernelTree{Dir: dir, Kernel: k}
}

// ForEachKernel runs do for every usable tree, matrixParallel at a time,
// and returns the runs in the trees' order whatever order they finish in;
// a tree that is not usable is a run with its reason as the error.
func ForEachKernel(ctx context.Context, trees []KernelTree, do func(ctx context.Context, k *module.Kernel) diagnostics.KernelRun) []diagnostics.KernelRun {
	runs := make([]diagnostics.KernelRun, len(trees))
	p := pool.New().WithMaxGoroutines(matrixParallel)
	for i, t := range trees {
		p.Go(func() {
			if t.Err != nil {
				runs[i] = diagnostics.KernelRun{Dir: t.Dir, Err: t.Err.Error()}
				return
			}
			runs[i] = do(ctx, t.Kernel)
			runs[i].Release, runs[i].Dir = t.Kernel.Release, t.Kernel.Dir
		})
	}
	p.Wait()
	return runs
}

// SameDir tells whether a and b are one existing folder, links followed.
func SameDir(a, b string) bool {
	ra, err1 := filepath.EvalSymlinks(a)
	rb, err2 := filepath.EvalSymlinks(b)
	return err1 == nil && err2 == nil && ra == rb
}

// Stage is the folder of everything made for one kernel of a --kernels
// run: BUILD_DIRECTORY/<release>. It mirrors the module's sources, so that
// the kernel's bindings sit where `mod bindings;` finds them without
// touching the module's own src/, and its .ko ends up at
// BUILD_DIRECTORY/<release>/<module>.ko.
type Stage struct {
	Dir string
	m   *module.Module
}

// StageFor is m's stage for kernel k.
func StageFor(m *module.Module, k *module.Kernel) Stage {
	name := strings.ReplaceAll(k.Release, string(filepath.Separator), "_")
	if name == "" || name == "." || name == ".." {
		name = filepath.Base(k.Dir)
	}
	return Stage{Dir: filepath.Join(m.Vars.BuildDirectory, name), m: m}
}

// LoadStaged assembles m for kernel k in k's stage: the sources are
// mirrored there (Sync) and loaded as a module of their own with
// KERNEL_BUILD_PATH set to k and BUILD_DIRECTORY inside the stage, so that
// two kernels' builds share no file and may run at once. The stage's
// variables go over o.Overrides.
func (l *Loader) LoadStaged(ctx context.Context, m *module.Module, k *module.Kernel, o Options) (*Module, Stage, error) {
	s := StageFor(m, k)
	if err := s.Sync(); err != nil {
		return nil, s, err
	}
	ov := maps.Clone(o.Overrides)
	if ov == nil {
		ov = map[string]string{}
	}
	ov["KERNEL_BUILD_PATH"], ov["BUILD_DIRECTORY"] = k.Dir, filepath.Join(s.Dir, "build")
	// What was relative to the module's folder must still name the same
	// thing from the stage.
	if r := strings.TrimSpace(m.Raw["RUST_ROOT"]); r != "" && !filepath.IsAbs(r) {
		ov["RUST_ROOT"] = m.Vars.RustRoot
	}
	if t := m.Vars.Target; t != "" {
		if _, ok := relInside(m.Root, t); !ok {
			ov["TARGET"] = t
		}
	}
	if _, ok := relInside(m.Root, m.Vars.Bindings); !ok {
		ov["BINDINGS"] = s.Path(m.Vars.Bindings)
	}
	o.Overrides = ov
	sm, err := l.Load(ctx, s.Dir, o)
	if err != nil {
		return nil, s, fmt.Errorf("loading the module's copy for %s: %w", k.Release, err)
	}
	return sm, s, nil
}

// Path is where p of the module is in the stage: at the same place when p
// is inside the module's folder, else directly in the stage.
func (s Stage) Path(p string) string { return stagedPath(s.m.Root, s.Dir, p) }

func stagedPath(root, stage, p string) string {
	if r, ok := relInside(root, p); ok {
		return filepath.Join(stage, r)
	}
	return filepath.Join(stage, filepath.Base(p))
}

// relInside returns p relative to root when p is in root (not root itself).
func relInside(root, p string) (string, bool) {
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

// Sync makes the stage a copy of the module's sources. Files are written
// only when their content differs, so cargo and kbuild, which go by times,
// rebuild only what changed; files gone from the module go from the stage.
func (s Stage) Sync() error {
	m, root, stage := s.m, s.m.Root, s.Dir
	if _, ok := relInside(root, m.Vars.BuildDirectory); !ok && m.Vars.BuildDirectory != "" {
		if _, ok := relInside(m.Vars.BuildDirectory, root); ok || SameDir(root, m.Vars.BuildDirectory) {
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

// Source is the module's own file for p, a path in the stage: the copy of
// a source moves back onto the source; what exists only in the stage (its
// bindings, its build folder) and what lies outside it keep their path.
func (s Stage) Source(p string) string {
	if p == "" || generatedFiles(s.m, s.Dir)[p] {
		return p
	}
	if _, ok := relInside(filepath.Join(s.Dir, "build"), p); ok {
		return p
	}
	if r, ok := relInside(s.Dir, p); ok {
		return filepath.Join(s.m.Root, r)
	}
	return p
}

// Unstage moves findings on the stage's copies of the module's sources
// (Source) back onto the sources, leaving fs itself unchanged.
func (s Stage) Unstage(fs []diagnostics.Finding) []diagnostics.Finding {
	out := make([]diagnostics.Finding, len(fs))
	for i, f := range fs {
		f.File = s.Source(f.File)
		f.Related = append([]diagnostics.Related(nil), f.Related...)
		for j := range f.Related {
			f.Related[j].File = s.Source(f.Related[j].File)
		}
		fixes := make([]diagnostics.Fix, len(f.Fixes))
		for j, fx := range f.Fixes {
			fx.Edits = append([]diagnostics.Edit(nil), fx.Edits...)
			for e := range fx.Edits {
				fx.Edits[e].File = s.Source(fx.Edits[e].File)
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
