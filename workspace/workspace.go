// Package workspace is the composition root: it reads a module and
// everything the module's analysis and build depend on (its variables, the
// kernel tree with kbuild's flags and Module.symvers, the licence, the
// toolchain, the header index, the bindings options, the module-level
// findings) once, the same way for every caller. `check`, `build`,
// `bindgen` and the language server all start from a Loader, so they cannot
// disagree about what a module is.
package workspace

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/rustko/rustko-lsp/bindings/headerscan"
	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/diagnostics/rustsrc"
	"github.com/rustko/rustko-lsp/internal/filecache"
	"github.com/rustko/rustko-lsp/module"
	"github.com/rustko/rustko-lsp/targets"
)

// Options say how to read a module.
type Options struct {
	// Overrides are make variable assignments (KERNEL_BUILD_PATH from
	// --kdir or the editor's kernelDir), the highest precedence rust.ko
	// knows.
	Overrides map[string]string
	// Untrusted reads the module without running anything of it
	// (module.LoadWithoutMake): no make in it, no kbuild in a kernel tree
	// inside it, no rustc from inside it, nothing written into it.
	Untrusted bool
	// Version is rustko's version, stamped into generated bindings (and
	// so part of their cache key).
	Version string
	// ExtraHelpers and ExtraHeaders add to KERNEL_HELPERS and
	// KERNEL_INCLUDE (the editor's list settings: a make assignment could
	// only replace the whole list).
	ExtraHelpers, ExtraHeaders []string
}

// key identifies what a load with these options reads, for the cache. The
// environment is part of it: make sees it (RUST_ROOT, KDIR, $(HOME) in a
// default).
func (o Options) key(root string) string {
	var b strings.Builder
	env := os.Environ()
	sort.Strings(env)
	fmt.Fprintf(&b, "%s\x00%v\x00%s\x00%s\x00", root, o.Untrusted, o.Version, strings.Join(env, "\x00"))
	names := make([]string, 0, len(o.Overrides))
	for k := range o.Overrides {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Fprintf(&b, "%s=%s\x00", k, o.Overrides[k])
	}
	fmt.Fprintf(&b, "helpers=%s\x00headers=%s", strings.Join(o.ExtraHelpers, " "), strings.Join(o.ExtraHeaders, " "))
	sum := sha256.Sum256([]byte(b.String()))
	return string(sum[:])
}

// Tree is a kernel build tree and what is read from it.
type Tree struct {
	Kernel  *module.Kernel
	Flags   *module.Flags   // kbuild's flags for a module object
	Symvers *module.Symvers // nil when the tree has no Module.symvers (export checks off)
	// Headers says which kernel header declares a name (loaded by Env).
	Headers *headerscan.HeaderIndex
	// Elsewhere says which other installed kernel declares a name this
	// one lacks (loaded on the first such name).
	Elsewhere *headerscan.Elsewhere
}

// Module is one assembled module, read-only once returned: the same value
// may be handed to several callers.
type Module struct {
	*module.Module
	Options Options
	// Tree is the kernel tree; its fields are nil when none was usable
	// (KernelErr says why): the module is still usable for analysis.
	Tree
	KernelErr error
	// Warnings are problems with no place in a file (a configured kernel
	// tree that was not usable, a Module.symvers that does not parse).
	Warnings []string
	License  *module.License // nil when no source file sets MODULE_LICENSE
	// Toolchain is the toolchain under RUST_ROOT (targets.Find), with the
	// data layouts probed when the module names a target specification (its
	// findings speak of the compiler that reads the file); nil with
	// ToolchainErr saying why when there is none, or when it lies in an
	// untrusted module (nothing of it may run).
	Toolchain    *targets.Toolchain
	ToolchainErr error
	// Sources are the files the build compiles (crate roots, mod
	// declarations, path dependencies, kbuild's C files); nil with
	// SourcesErr when the crate could not be walked.
	Sources    *rustsrc.Sources
	SourcesErr error
	// Findings are about the module itself (licence, target JSON,
	// rust.ko-era leftovers), computed once per load.
	Findings []diagnostics.Finding

	stamps []stamp      // the files this value was read from
	log    *slog.Logger // the Loader's (nil: slog.Default())
	loader *Loader      // the one that assembled it (nil: made by hand)
}

// Loader assembles modules and keeps what they share: the assembled
// modules themselves until a file they were read from changes, the header
// indexes per include path list, parsed Module.symvers files and the
// installed toolchains.
type Loader struct {
	log *slog.Logger

	mu        sync.Mutex
	modules   map[string]*Module                 // by Options.key
	headers   map[string]*headerscan.HeaderIndex // by include directories
	others    map[string]*headerscan.Elsewhere   // by kernel tree
	symvers   map[string]symversEntry            // by path
	installed *installedEntry                    // nil until asked
}

type symversEntry struct {
	st stamp
	s  *module.Symvers
}

// NewLoader returns a Loader logging to log (nil: slog.Default() at the
// time of logging, so a command's logging set up later applies).
func NewLoader(log *slog.Logger) *Loader {
	return &Loader{log: log, modules: map[string]*Module{}, headers: map[string]*headerscan.HeaderIndex{}, others: map[string]*headerscan.Elsewhere{}, symvers: map[string]symversEntry{}}
}

// Load returns the module at root, assembled with o: from the cache when
// none of the files it was read from changed since. An error means the
// module itself could not be read (a makefile make refuses); a missing
// kernel tree is Module.KernelErr.
func (l *Loader) Load(ctx context.Context, root string, o Options) (*Module, error) {
	key := o.key(root)
	l.mu.Lock()
	w := l.modules[key]
	l.mu.Unlock()
	if w != nil && fresh(w.stamps) {
		return w, nil
	}
	w, err := l.assemble(ctx, root, o)
	if err != nil {
		return nil, err
	}
	if ctx.Err() != nil {
		return w, nil // possibly incomplete: not worth keeping
	}
	l.mu.Lock()
	for k, old := range l.modules {
		if old.Root == w.Root {
			delete(l.modules, k) // only a module's newest reading is asked for again
		}
	}
	l.modules[key] = w
	l.mu.Unlock()
	return w, nil
}

func (l *Loader) assemble(ctx context.Context, root string, o Options) (*Module, error) {
	var m *module.Module
	var err error
	if o.Untrusted {
		m, err = module.LoadWithoutMake(root, o.Overrides)
	} else {
		m, err = module.Load(ctx, root, o.Overrides)
	}
	if err != nil {
		return nil, err
	}
	if len(o.ExtraHelpers) > 0 || len(o.ExtraHeaders) > 0 {
		cp := *m
		cp.Vars.KernelHelpers = appendNew(slices.Clone(m.Vars.KernelHelpers), o.ExtraHelpers...)
		cp.Vars.KernelInclude = appendNew(slices.Clone(m.Vars.KernelInclude), o.ExtraHeaders...)
		m = &cp
	}
	w := &Module{Module: m, Options: o, log: l.log, loader: l}

	w.Sources, w.SourcesErr = rustsrc.ModuleSources(m)
	// Only regular files: a fifo at the bindings path would block the read.
	licFiles := slices.DeleteFunc(w.SourceFiles(), func(p string) bool {
		st, err := os.Stat(p)
		return err == nil && !st.Mode().IsRegular()
	})
	var licErr error
	switch lic, err := rustsrc.ReadLicense(licFiles); {
	case err == nil:
		w.License = lic
	case !errors.Is(err, rustsrc.ErrNoLicense):
		licErr = err
		w.Warnings = append(w.Warnings, fmt.Sprintf("rustko-lsp: reading the module licence of %s: %v", m.Root, err))
	}

	w.Toolchain, w.ToolchainErr = findToolchain(ctx, m)

	kdir := m.Vars.KernelBuildPath
	if m.Untrusted && kdir != "" && inside(m.Root, kdir) {
		// Capturing the flags runs make in the tree: its Makefile would be
		// the module's own file. The system's trees are not.
		w.Warnings = append(w.Warnings, fmt.Sprintf("rustko-lsp: KERNEL_BUILD_PATH %s lies inside the module %s, which is not trusted; "+
			"rustko runs nothing from an untrusted workspace, so it looks for the system's kernel trees instead (trust the workspace to use it)", kdir, m.Root))
		kdir = ""
	}
	tree, warnings, err := l.LoadTree(ctx, kdir)
	w.Warnings = append(w.Warnings, warnings...)
	if err != nil {
		w.KernelErr = err
	} else {
		w.Tree = *tree
		if s := skippedConfigured(m, tree.Kernel); s != "" {
			w.Warnings = append(w.Warnings, s)
		}
	}

	w.Findings = moduleFindings(m, w.Sources, w.License, licErr, w.Toolchain)
	w.stamps = w.inputs()
	return w, nil
}

// SourceFiles are the module's C and Rust files (the crate walk's, or the
// kbuild and RUST_FILES lists when the walk failed): what the licence and
// the module findings are read from, so a change to one of them, not only
// to the configuration, means the module must be read again.
func (w *Module) SourceFiles() []string {
	if w.Sources != nil {
		return w.Sources.Files()
	}
	return append(slices.Clone(w.Vars.CFiles), w.Vars.RustFiles...)
}

// findToolchain is the module's toolchain: rustc described (cached per
// binary), and with a target specification its data layouts too.
func findToolchain(ctx context.Context, m *module.Module) (*targets.Toolchain, error) {
	if m.Untrusted && inside(m.Root, m.Vars.RustRoot) {
		return nil, fmt.Errorf("RUST_ROOT %s lies inside the module %s, which is not trusted: rustko runs nothing of it", m.Vars.RustRoot, m.Root)
	}
	origin := m.Origin["RUST_ROOT"]
	if w := m.Where["RUST_ROOT"]; w != "" {
		origin = filepath.Join(m.Root, w)
	}
	cache, _ := filecache.Default() // nil: rustc is asked every time
	tc, err := targets.Find(ctx, m.Vars.RustRoot, origin, cache)
	if err != nil {
		return nil, err
	}
	if m.Vars.Target != "" {
		if err := tc.ProbeLayouts(ctx, cache); err != nil {
			return nil, err
		}
	}
	return tc, nil
}

// LoadTree finds the kernel tree (kdir, or the search module.FindKernel
// does when it is empty) and reads kbuild's flags, Module.symvers and the
// header index for it. Warnings say what was left out; an error means there
// is no usable tree. `bindgen` outside a module uses it alone.
func (l *Loader) LoadTree(ctx context.Context, kdir string) (*Tree, []string, error) {
	k, err := module.FindKernel(ctx, kdir)
	if err != nil {
		return nil, nil, err
	}
	t := &Tree{Kernel: k}
	if t.Flags, err = module.CaptureFlags(ctx, k); err != nil {
		return nil, nil, fmt.Errorf("kernel tree %s found, but kbuild's compiler flags could not be captured: %w", k.Dir, err)
	}
	var warnings []string
	if k.Symvers == "" {
		warnings = append(warnings, fmt.Sprintf("rustko-lsp: the kernel tree %s has no Module.symvers, so the checks of exported and GPL-only symbols are off", k.Dir))
	} else if t.Symvers, err = l.readSymvers(k.Symvers); err != nil {
		warnings = append(warnings, fmt.Sprintf("rustko-lsp: %v; the checks of exported and GPL-only symbols are off", err))
	}
	t.Headers = l.headerIndex(t.Flags.IncludeDirs)
	t.Elsewhere = l.elsewhere(ctx, k)
	return t, warnings, nil
}

// readSymvers parses a Module.symvers once per version of the file: 25k
// lines is too much to reparse on every load.
func (l *Loader) readSymvers(path string) (*module.Symvers, error) {
	st := stampOf(path)
	l.mu.Lock()
	e, ok := l.symvers[path]
	l.mu.Unlock()
	if ok && e.st == st {
		return e.s, nil
	}
	s, err := module.ReadSymvers(path)
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	l.symvers[path] = symversEntry{st: st, s: s}
	l.mu.Unlock()
	return s, nil
}

// headerIndex returns the "which header declares NAME" index for a set of
// include directories, shared by every module using the same tree. It is
// loaded by the first Env, not here: bindgen, build and run never read it,
// and loading it costs 50 MB and tens of milliseconds.
func (l *Loader) headerIndex(dirs []string) *headerscan.HeaderIndex {
	key := strings.Join(dirs, "\x00")
	l.mu.Lock()
	defer l.mu.Unlock()
	h, ok := l.headers[key]
	if !ok {
		cache, err := filecache.Dir()
		if err != nil {
			cache = ""
		}
		h = headerscan.NewHeaderIndex(dirs, cache)
		l.headers[key] = h
	}
	return h
}

// elsewhere returns the other-kernels lookup for k, one per tree so that
// its one-time load serves every module built against k. It outlives the
// load that asked for it, so its context is not cancelled with ctx.
func (l *Loader) elsewhere(ctx context.Context, k *module.Kernel) *headerscan.Elsewhere {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e := l.others[k.Dir]; e != nil {
		return e
	}
	cache, err := filecache.Dir()
	if err != nil {
		cache = ""
	}
	e := headerscan.ElsewhereFor(context.WithoutCancel(ctx), k, cache)
	l.others[k.Dir] = e
	return e
}

// skippedConfigured explains a kernel tree the user set on purpose (in
// config.mk, the environment or the editor) that was not usable, so the
// search went on. rust.ko's Makefile default (/lib/modules/$(uname -r)/build)
// is wrong on many machines and not worth a warning.
func skippedConfigured(m *module.Module, k *module.Kernel) string {
	if m.Vars.KernelBuildPath == "" || k.FoundBy == "configured" {
		return ""
	}
	switch m.Origin["KERNEL_BUILD_PATH"] {
	case "", module.OriginDefault, "Makefile":
		return ""
	}
	why := "it is not a kernel build tree"
	if len(k.Skipped) > 0 {
		why = k.Skipped[0]
	}
	return fmt.Sprintf("rustko-lsp: KERNEL_BUILD_PATH %s (from %s) is not usable: %s; using %s (%s) instead",
		m.Vars.KernelBuildPath, m.Origin["KERNEL_BUILD_PATH"], why, k.Dir, k.FoundBy)
}

// inside reports whether path lies in root, symbolic links resolved where
// they exist, so a link inside the module that points elsewhere is judged by
// where it leads.
func inside(root, path string) bool {
	if path == "" {
		return false
	}
	resolve := func(p string) string {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			return r
		}
		return filepath.Clean(p)
	}
	rel, err := filepath.Rel(resolve(root), resolve(path))
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

func appendNew(list []string, add ...string) []string {
	for _, a := range add {
		if !slices.Contains(list, a) {
			list = append(list, a)
		}
	}
	return list
}
