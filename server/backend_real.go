package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/rustko/rustko-lsp/bindings"
	"github.com/rustko/rustko-lsp/bindings/index"
	"github.com/rustko/rustko-lsp/build"
	"github.com/rustko/rustko-lsp/diagnostics/rustsrc"
	"github.com/rustko/rustko-lsp/module"
	"github.com/rustko/rustko-lsp/workspace"
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

// realBackend runs the packages below the server through the workspace
// loader, as `rustko-lsp check` and `build` do, so the editor and CI report
// the same findings.
type realBackend struct {
	opts   BackendOptions
	log    *slog.Logger
	loader *workspace.Loader

	mu   sync.Mutex
	envs map[*Project]*envEntry // the analysis environment per project and index
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

// NewBackend returns the backend that uses module, bindings, build,
// diagnostics/rustsrc and targets.
func NewBackend(opts BackendOptions) Backend {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &realBackend{opts: opts, log: opts.Logger, loader: workspace.NewLoader(opts.Logger), envs: map[*Project]*envEntry{}, files: map[string]*rustsrc.File{}, kept: map[string]bool{}}
}

func (b *realBackend) FindRoot(path string) (string, error) { return module.FindRoot(path) }

func (b *realBackend) Load(ctx context.Context, root string, o LoadOptions) (*Project, error) {
	w, err := b.loader.Load(ctx, root, workspace.Options{
		Overrides: o.Overrides, Untrusted: o.Untrusted, Version: b.opts.Version,
		ExtraHelpers: o.ExtraHelpers, ExtraHeaders: o.ExtraHeaders,
	})
	if err != nil {
		return nil, err
	}
	return &Project{Module: w.Module, Kernel: w.Kernel, KernelErr: w.KernelErr, Findings: w.Findings, Warnings: w.Warnings, Sources: w.SourceFiles(), assembled: w}, nil
}

// dataOf is what Load assembled for p; nil for a project of another backend.
func dataOf(p *Project) *workspace.Module {
	if p == nil {
		return nil
	}
	return p.assembled
}

func (b *realBackend) Index(ctx context.Context, p *Project, force bool, progress func(string)) (*index.Index, error) {
	if p == nil || p.Kernel == nil {
		return nil, errors.New("no kernel tree, so no bindings")
	}
	d := dataOf(p)
	if d == nil {
		return nil, errors.New("the project was not loaded by this backend")
	}
	// The options check and the build generate with (nothing written into
	// an untrusted module), or each would keep rewriting the others' file.
	o := d.BindingsOptions()
	o.NoCache, o.Progress = force, progress
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

// env returns the analysis environment for a project and index, made once
// and shared by the analyses of every file (rustsrc prepares its tables on
// first use).
func (b *realBackend) env(p *Project, ix *index.Index) *rustsrc.Env {
	b.mu.Lock()
	defer b.mu.Unlock()
	if e, ok := b.envs[p]; ok && e.ix == ix {
		return e.env
	}
	env := dataOf(p).Env(ix)
	if p != nil {
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
	d := dataOf(p)
	if d.Generated(path, ix) {
		// Generated (the index of an untrusted module names the cache's
		// copy, so the session cannot tell), or a file of the user's that
		// rustko left alone, as check treats it: only the note on the
		// latter says anything.
		b.mu.Lock()
		kept := b.kept[path]
		b.mu.Unlock()
		if kept {
			return &Analysis{Findings: workspace.KeptFindings([]string{path})}, nil
		}
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
	found := d.FileFindings(f, env)
	return &Analysis{Findings: found, File: f}, nil
}

func (b *realBackend) Build(ctx context.Context, p *Project, progress func(stage, message string)) (*BuildResult, error) {
	if p.Module.Untrusted {
		return nil, errUntrusted(p.Module.Root)
	}
	// The build's verbose output becomes debug log lines.
	out := &lineWriter{emit: func(l string) { b.log.Debug("build output", "module", p.Module.Root, "line", l) }}
	defer out.flush()
	d := dataOf(p)
	if d == nil {
		return nil, errors.New("the project was not loaded by this backend")
	}
	res, err := build.Run(ctx, d, build.Options{
		Rustko: b.opts.Rustko,
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
