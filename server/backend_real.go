package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync"

	"github.com/rustko/rustko-lsp/bindings"
	"github.com/rustko/rustko-lsp/bindings/index"
	"github.com/rustko/rustko-lsp/build"
	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/diagnostics/bridge"
	"github.com/rustko/rustko-lsp/diagnostics/rustsrc"
	"github.com/rustko/rustko-lsp/module"
	"github.com/rustko/rustko-lsp/targets"
)

// BackendOptions configure the real backend.
type BackendOptions struct {
	Version string       // stamped into generated bindings
	Logger  *slog.Logger // build output at debug level; default slog.Default()
	// Rustko is the rustko-lsp executable kbuild's rule calls back in host
	// mode; "" means the running executable (right for `rustko-lsp serve`,
	// tests that run the server in-process must name a built binary).
	Rustko string
}

// realBackend runs the packages below the server the way `rustko-lsp
// check` and `build` do, so the editor and CI report the same findings.
type realBackend struct {
	opts BackendOptions
	log  *slog.Logger

	mu      sync.Mutex
	envs    map[*Project]*envEntry         // the analysis environment per project and index
	headers map[string]*bridge.HeaderIndex // "which header declares NAME", per include path list
	// files holds each file's last parse: a keystroke reparses only the
	// region that changed (tree-sitter reuses the rest of the old tree).
	files map[string]*rustsrc.File
	// kept are output paths holding a file rustko did not generate, as
	// the last generation found them: the analysis of that file carries
	// the bindings-not-ours finding.
	kept map[string]bool
}

type envEntry struct {
	ix  *index.Index
	env *rustsrc.Env
}

// projectData is what Load learns besides the module and kernel.
type projectData struct {
	flags     *module.Flags
	symvers   *module.Symvers
	license   *module.License
	toolchain *targets.Toolchain
	headers   *bridge.HeaderIndex
}

// NewBackend returns the backend that uses module, bindings, build,
// diagnostics/rustsrc and targets.
func NewBackend(opts BackendOptions) Backend {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &realBackend{opts: opts, log: opts.Logger, envs: map[*Project]*envEntry{}, headers: map[string]*bridge.HeaderIndex{}, files: map[string]*rustsrc.File{}, kept: map[string]bool{}}
}

func (b *realBackend) FindRoot(path string) (string, error) { return module.FindRoot(path) }

func (b *realBackend) Load(ctx context.Context, root string, o LoadOptions) (*Project, error) {
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
	p := &Project{Module: m}
	data := &projectData{}
	p.extra = data
	licFiles := append(append([]string(nil), m.Vars.CFiles...), m.Vars.RustFiles...)
	if srcs, err := rustsrc.ModuleSources(m); err == nil {
		licFiles = srcs.Files() // what check reads: kbuild's C files, the whole crate
	}
	if lic, err := module.ReadLicense(licFiles); err == nil {
		data.license = lic
	} else if !errors.Is(err, module.ErrNoLicense) {
		b.log.Warn("reading the module licence", "root", root, "error", err)
	}
	if m.Vars.Target != "" && !(m.Untrusted && inside(m.Root, m.Vars.RustRoot)) {
		if tc, err := targets.Probe(ctx, filepath.Join(m.Vars.RustRoot, "bin", "rustc")); err == nil {
			data.toolchain = &tc
		}
	}
	kdir := m.Vars.KernelBuildPath
	if m.Untrusted && kdir != "" && inside(m.Root, kdir) {
		// Capturing the flags runs make in the tree: its Makefile would be
		// the module's own file. The system's trees are not.
		p.Warnings = append(p.Warnings, fmt.Sprintf("rustko-lsp: KERNEL_BUILD_PATH %s lies inside the module %s, which is not trusted; "+
			"rustko runs nothing from an untrusted workspace, so it looks for the system's kernel trees instead (trust the workspace to use it)", kdir, m.Root))
		kdir = ""
	}
	k, err := module.FindKernel(ctx, kdir)
	if err != nil {
		p.KernelErr = err
	} else {
		p.Kernel = k
		if w := skippedConfigured(m, k); w != "" {
			p.Warnings = append(p.Warnings, w)
		}
		if data.flags, err = module.CaptureFlags(ctx, k); err != nil {
			p.Kernel, p.KernelErr = nil, fmt.Errorf("kernel tree %s found, but kbuild's compiler flags could not be captured: %w", k.Dir, err)
		} else {
			if k.Symvers != "" {
				if data.symvers, err = module.ReadSymvers(k.Symvers); err != nil {
					b.log.Warn("reading Module.symvers; export checks are off", "file", k.Symvers, "error", err)
				}
			}
			data.headers = b.headerIndex(ctx, data.flags.IncludeDirs)
		}
	}
	p.Findings = rustsrc.CheckModule(&rustsrc.Env{Module: m, License: data.license, Toolchain: data.toolchain})
	return p, nil
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

// headerIndex returns the loaded "which header declares NAME" index for a
// set of include directories, shared by every module using the same tree.
func (b *realBackend) headerIndex(ctx context.Context, dirs []string) *bridge.HeaderIndex {
	key := strings.Join(dirs, "\x00")
	b.mu.Lock()
	h, ok := b.headers[key]
	if !ok {
		cache, err := module.CacheDir()
		if err != nil {
			cache = ""
		}
		h = bridge.NewHeaderIndex(dirs, cache)
		b.headers[key] = h
	}
	b.mu.Unlock()
	if err := h.Load(ctx); err != nil {
		b.log.Warn("indexing the kernel headers; findings will not say which header to add", "error", err)
	}
	return h
}

func dataOf(p *Project) *projectData {
	if p == nil {
		return &projectData{}
	}
	if d, ok := p.extra.(*projectData); ok {
		return d
	}
	return &projectData{}
}

func (b *realBackend) Index(ctx context.Context, p *Project, force bool, progress func(string)) (*index.Index, error) {
	if p == nil || p.Kernel == nil {
		return nil, errors.New("no kernel tree, so no bindings")
	}
	d := dataOf(p)
	o := bindings.Options{Kernel: p.Kernel, Flags: d.flags, Symvers: d.symvers, Version: b.opts.Version, NoCache: force, Progress: progress}
	// The module's headers, bindings file and KERNEL_HELPERS exactly as the
	// build and bindgen read them, or each would keep rewriting the others'
	// bindings file.
	o.FromModule(p.Module)
	if p.Module.Untrusted {
		// Nothing is written into an untrusted module: its bindings path
		// could be a link to any file of the user's. The cache folder
		// keeps the output, so a reload still hits the bindings cache.
		o.Out, o.IndexOut, o.HelpersOut = untrustedBindings(&o), "", ""
	}
	res, err := bindings.Generate(ctx, o)
	if err != nil {
		return nil, fmt.Errorf("generating %s from KERNEL_INCLUDE (%s): %w", p.Module.Vars.Bindings, strings.Join(p.Module.Vars.KernelInclude, " "), err)
	}
	b.mu.Lock()
	for _, f := range []string{o.Out, o.IndexOut, o.HelpersOut} {
		if a, err := filepath.Abs(f); err == nil && f != "" {
			delete(b.kept, a)
		}
	}
	for _, f := range res.Kept {
		b.kept[f] = true
	}
	b.mu.Unlock()
	if !res.Cached {
		// The C front end's hundreds of MiB of short-lived tokens are
		// garbage now; hand the pages back instead of keeping the peak
		// resident for the rest of the editing session.
		debug.FreeOSMemory()
	}
	return res.Index, nil
}

// untrustedBindings is where an untrusted module's bindings are generated:
// a folder of the user's cache named after what decides their content
// (kernel tree, rustko version, headers, helpers), so every untrusted module
// configured alike shares one instead of each leaving its own behind; writes
// there are atomic. "" (write nothing, no cache) when there is no cache
// folder.
func untrustedBindings(o *bindings.Options) string {
	cache, err := module.CacheDir()
	if err != nil {
		return ""
	}
	h := sha256.New()
	parts := []string{o.Kernel.Dir, o.Kernel.Release, o.Version, "headers"}
	parts = append(append(append(parts, o.Headers...), "helpers"), o.Helpers...)
	for _, part := range parts {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return filepath.Join(cache, "untrusted", hex.EncodeToString(h.Sum(nil)[:8]), "bindings.rs")
}

// env returns the analysis environment for a project and index, made once
// and shared by the analyses of every file (rustsrc prepares its tables on
// first use).
func (b *realBackend) env(p *Project, ix *index.Index) *rustsrc.Env {
	b.mu.Lock()
	defer b.mu.Unlock()
	if e, ok := b.envs[p]; ok && e.ix == ix {
		return e.env
	}
	d := dataOf(p)
	env := &rustsrc.Env{Index: ix, Symvers: d.symvers, License: d.license, Toolchain: d.toolchain, Headers: d.headers}
	if p != nil {
		env.Module = p.Module
		// Only the newest project of a module is analysed again: forget
		// the environments of its older loads.
		for old := range b.envs {
			if old.Module != nil && p.Module != nil && old.Module.Root == p.Module.Root {
				delete(b.envs, old)
			}
		}
	}
	b.envs[p] = &envEntry{ix: ix, env: env}
	return env
}

func (b *realBackend) Analyze(ctx context.Context, p *Project, ix *index.Index, path string, src []byte) (*Analysis, error) {
	if p != nil && p.Module != nil && p.Module.Untrusted && path == p.Module.Vars.Bindings {
		// The module's own generated file (the index of an untrusted one
		// names the cache's copy, so the session cannot tell): findings
		// there are nothing its author can act on.
		return &Analysis{}, nil
	}
	env := b.env(p, ix)
	b.mu.Lock()
	prev := b.files[path]
	b.mu.Unlock()
	var f *rustsrc.File
	var err error
	if prev != nil {
		f, err = prev.Reparse(src, env)
	} else {
		f, err = rustsrc.ParseWith(path, src, env)
	}
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	b.files[path] = f
	b.mu.Unlock()
	found := rustsrc.Analyze(f, env)
	b.mu.Lock()
	kept := b.kept[path]
	b.mu.Unlock()
	if kept {
		found = append(bindings.KeptFindings([]string{path}), found...)
	}
	if p != nil && p.Module != nil && p.Module.Untrusted {
		found = noteUntrusted(p.Module, found)
	}
	return &Analysis{
		Findings: found,
		Resolve: func(line, col int) *index.Item {
			if r, ok := f.Resolve(line, col); ok {
				return r.Item
			}
			return nil
		},
	}, nil
}

// untrustedNote qualifies a finding whose advice rests on the list variable
// name (KERNEL_INCLUDE, KERNEL_HELPERS) when an untrusted load could not read
// it: it is not set in the makefiles as plain text, and only make could say
// what it holds.
func untrustedNote(name string) string {
	return " (The workspace is not trusted, so rustko has not evaluated its makefiles, which do not set " + name +
		" as plain text: the module may already list this.)"
}

func noteUntrusted(m *module.Module, fs []diagnostics.Finding) []diagnostics.Finding {
	out := slices.Clone(fs) // the analysis may keep its own
	for i := range out {
		name := ""
		switch out[i].Code {
		case rustsrc.CodeNotDeclared:
			name = "KERNEL_INCLUDE"
		case rustsrc.CodeInlineFunction:
			name = "KERNEL_HELPERS"
		}
		if name != "" && m.Origin[name] == module.OriginNotEvaluated {
			out[i].Message += untrustedNote(name)
		}
	}
	return out
}

func (b *realBackend) Build(ctx context.Context, p *Project, progress func(stage, message string)) (*BuildResult, error) {
	if p.Module.Untrusted {
		return nil, errUntrusted(p.Module.Root)
	}
	out := &logWriter{log: b.log, root: p.Module.Root}
	defer out.flush()
	res, err := build.Run(ctx, p.Module, build.Options{
		Kernel:  p.Kernel,
		Version: b.opts.Version,
		Rustko:  b.opts.Rustko,
		// Never the process's stdout: that is the protocol stream.
		Stdout: out, Stderr: out,
		Progress: func(e build.Event) {
			if e.Phase == build.Begin {
				progress(string(e.Step), e.Detail)
			}
		},
	})
	if err != nil {
		return nil, err
	}
	br := &BuildResult{Findings: res.Findings}
	// The build's bindings step may have regenerated the bindings (a new
	// KERNEL_INCLUDE); the cache answers at once when it did not.
	if ix, err := b.Index(ctx, p, false, nil); err == nil {
		br.Index = ix
	}
	return br, nil
}

// logWriter turns a build's verbose output into debug log lines.
type logWriter struct {
	log  *slog.Logger
	root string
	mu   sync.Mutex
	buf  []byte
}

func (w *logWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		nl := bytes.IndexByte(w.buf, '\n')
		if nl < 0 {
			break
		}
		w.log.Debug("build output", "module", w.root, "line", string(w.buf[:nl]))
		w.buf = w.buf[nl+1:]
	}
	return len(p), nil
}

func (w *logWriter) flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) > 0 {
		w.log.Debug("build output", "module", w.root, "line", string(w.buf))
		w.buf = nil
	}
}

var _ io.Writer = (*logWriter)(nil)
