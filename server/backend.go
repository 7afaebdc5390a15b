package server

import (
	"context"

	"github.com/rustko/rustko-lsp/bindings/index"
	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/diagnostics/rustsrc"
	"github.com/rustko/rustko-lsp/module"
	"github.com/rustko/rustko-lsp/workspace"
)

// Backend is everything the server asks of the packages below it. The real
// one (NewBackend) calls module, targets, bindings, build and
// diagnostics/rustsrc; tests of the scheduling logic substitute their own.
// Every method may be called from several goroutines at once.
type Backend interface {
	// FindRoot returns the root of the rust.ko module holding path (a file
	// or folder), or an error saying why there is none.
	FindRoot(path string) (string, error)
	// Load evaluates the module at root with the editor's overrides and
	// looks for its kernel tree. A missing kernel is reported in
	// Project.KernelErr, not as an error: the module is still usable for
	// analysis.
	Load(ctx context.Context, root string, o LoadOptions) (*Project, error)
	// Index returns the C index for the project's headers, regenerating the
	// bindings only when their inputs changed (or force is set), and telling
	// progress what it is doing when it has to work.
	Index(ctx context.Context, p *Project, force bool, progress func(string)) (*index.Index, error)
	// Analyze runs rustko's own checks on one Rust file's text. p may be
	// nil (the module did not load) and ix nil (no index yet).
	Analyze(ctx context.Context, p *Project, ix *index.Index, path string, src []byte) (*Analysis, error)
	// Build runs the pipeline (bindings, sysroot, rust, kbuild, checks),
	// calling progress at each stage, and returns every finding. A non-nil
	// error means the pipeline itself could not run; a project loaded
	// untrusted is never built.
	Build(ctx context.Context, p *Project, progress func(stage, message string)) (*BuildResult, error)
}

// LoadOptions say how Backend.Load reads a module.
type LoadOptions struct {
	// Overrides are make variable assignments from the editor settings
	// (name → value), the highest precedence rust.ko knows.
	Overrides map[string]string
	// Untrusted means the editor has not trusted the workspace (VS Code's
	// Restricted Mode, `trusted = false`): nothing of the module may run.
	// Its makefiles are not evaluated (module.LoadWithoutMake: a $(shell)
	// in them is arbitrary code), no kbuild runs in a kernel tree inside
	// the module, no rustc from inside it is probed, nothing is written into
	// it, and it is never built. Analysis, hover and the C index still work
	// from the system's kernel headers.
	Untrusted bool
	// ExtraHelpers and ExtraHeaders are the editor's list settings: they
	// add to KERNEL_HELPERS and KERNEL_INCLUDE.
	ExtraHelpers, ExtraHeaders []string
}

// Project is one loaded module: what Load found, read-only once returned.
type Project struct {
	Module    *module.Module
	Kernel    *module.Kernel // nil when no kernel tree was found
	KernelErr error          // why Kernel is nil
	// Findings about the project itself (target JSON, config.mk, Makefile),
	// shown on those files even when they are not open.
	Findings []diagnostics.Finding
	// Warnings are problems with no place in a file (a configured kernel
	// tree that was not usable); the user is told each once.
	Warnings []string
	// Sources are the module's C and Rust files: the project findings are
	// read from them too (the licence), so a change to one reloads it.
	Sources []string
	// assembled is what the real backend's Load read (kbuild flags, symbol
	// versions, licence, toolchain, header index), kept with the project so
	// later calls reuse it; nil from other backends.
	assembled *workspace.Module
}

// Analysis is one file's analysis at one text.
type Analysis struct {
	Findings []diagnostics.Finding
	// File is the parse the findings came from, resolved against the
	// module's index: hover and definition ask it (rustsrc.Hover), so they
	// agree with the findings. May be nil.
	File *rustsrc.File
}

// BuildResult is what one build produced.
type BuildResult struct {
	Findings []diagnostics.Finding
	// Index is the C index the build's binding step produced, when it ran.
	Index *index.Index
	// Files lists every file the build looked at, so findings that went away
	// in them are cleared even when the new run reports nothing there.
	Files []string
}
