package workspace

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/rustko/rustko-lsp/bindings"
	"github.com/rustko/rustko-lsp/bindings/index"
	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/diagnostics/rustsrc"
	"github.com/rustko/rustko-lsp/internal/filecache"
	"github.com/rustko/rustko-lsp/module"
)

// BindingsOptions are the options every caller generates the module's
// bindings with: its headers, bindings file and KERNEL_HELPERS as
// bindings.Options.FromModule reads them, so build, check, bindgen and the
// editor share one cache key and never rewrite each other's files. An
// untrusted module gets nothing written into it: the output goes to the
// cache (untrustedBindings). Computed on each call: the helpers' C file
// counts once it exists.
func (w *Module) BindingsOptions() bindings.Options {
	o := bindings.Options{Kernel: w.Kernel, Flags: w.Flags, Symvers: w.Symvers, Version: w.Options.Version}
	o.FromModule(w.Module)
	if w.Untrusted {
		// Its bindings path could be a link to any file of the user's. The
		// cache folder keeps the output, so a reload still hits the
		// bindings cache.
		o.Out, o.IndexOut, o.HelpersOut = untrustedBindings(&o), "", ""
	}
	return o
}

// untrustedBindings is where an untrusted module's bindings are generated:
// a folder of the user's cache named after what decides their content
// (kernel tree, rustko version, headers, helpers), so every untrusted module
// configured alike shares one instead of each leaving its own behind; writes
// there are atomic. "" (write nothing, no cache) when there is no cache
// folder.
func untrustedBindings(o *bindings.Options) string {
	cache, err := filecache.Dir()
	if err != nil || o.Kernel == nil {
		return ""
	}
	parts := []string{o.Kernel.Dir, o.Kernel.Release, o.Version, "headers"}
	parts = append(append(append(parts, o.Headers...), "helpers"), o.Helpers...)
	return filepath.Join(cache, "untrusted", filecache.KeyOf(parts...).String()[:16], "bindings.rs")
}

// Env is the analysis environment against index ix (nil before the
// bindings exist). Make one per index and share it between the files:
// rustsrc prepares its tables on first use.
func (w *Module) Env(ix *index.Index) *rustsrc.Env {
	if w == nil {
		return &rustsrc.Env{Index: ix}
	}
	if w.Headers != nil {
		// Background: the index is shared by every module on this tree and
		// outlives the caller. A failure is kept and said once per Env; the
		// analysis then advises without naming the header.
		if err := w.Headers.Load(context.Background()); err != nil {
			w.logger().Warn("indexing the kernel headers; findings will not say which header to add", "error", err)
		}
	}
	return &rustsrc.Env{
		Index: ix, Module: w.Module, Symvers: w.Symvers, License: w.License,
		Headers: w.Headers, Elsewhere: w.Elsewhere, Sources: w.Sources,
	}
}

// FileFindings is what one parsed Rust file of the module gets: rustko's
// checks and, in an untrusted module, the caveat on advice that rests on
// variables make did not evaluate. Generated files get none (Generated).
// A nil w (no module loaded) gives rustko's checks alone.
func (w *Module) FileFindings(f *rustsrc.File, env *rustsrc.Env) []diagnostics.Finding {
	found := rustsrc.Analyze(f, env)
	if w != nil && w.Untrusted {
		found = noteUntrusted(w.Module, found)
	}
	return found
}

// UntrustedNote qualifies a finding whose advice rests on the list variable
// name (KERNEL_INCLUDE, KERNEL_HELPERS) when an untrusted load could not read
// it: it is not set in the makefiles as plain text, and only make could say
// what it holds.
func UntrustedNote(name string) string {
	return " (The workspace is not trusted, so rustko has not evaluated its makefiles, which do not set " + name +
		" as plain text: the module may already list this.)"
}

func noteUntrusted(m *module.Module, fs []diagnostics.Finding) []diagnostics.Finding {
	out := slices.Clone(fs) // the analysis may keep its own
	for i := range out {
		name := ""
		switch out[i].Code {
		case diagnostics.CodeNotDeclared:
			name = "KERNEL_INCLUDE"
		case diagnostics.CodeInlineFunction:
			name = "KERNEL_HELPERS"
		}
		if name != "" && m.Origin[name] == module.OriginNotEvaluated {
			out[i].Message += UntrustedNote(name)
		}
	}
	return out
}

// AnalyseOptions adjust a whole-module analysis.
type AnalyseOptions struct {
	// Stage, when set, is where the bindings go instead of the module's
	// own files (check --kernels): a check against another kernel must not
	// rewrite the bindings the editor and the build use.
	Stage *Stage
	// Generated, when set, is told the bindings are ready.
	Generated func(*bindings.Result)
}

// Analyse is the whole module's analysis, what `check` prints and what the
// editor shows once every file has been analysed: the bindings generated
// (or taken from the cache), every Rust file of the crate analysed against
// their index, the notes on output files rustko left alone and the
// module-level findings.
func (w *Module) Analyse(ctx context.Context, o AnalyseOptions) ([]diagnostics.Finding, error) {
	if w.Kernel == nil {
		return nil, w.KernelErr
	}
	if w.SourcesErr != nil {
		return nil, fmt.Errorf("listing the module's sources: %w", w.SourcesErr)
	}
	gopts := w.BindingsOptions()
	if o.Stage != nil {
		gopts.Out, gopts.IndexOut = o.Stage.Path(gopts.Out), ""
		if gopts.HelpersOut != "" {
			gopts.HelpersOut = o.Stage.Path(gopts.HelpersOut)
		}
	}
	gen, err := bindings.Generate(ctx, gopts)
	var missing *bindings.HeaderNotFoundError
	if errors.As(err, &missing) && ctx.Err() == nil {
		// A header the tree lacks is the module's mistake (a typo, or a
		// header another kernel has): a finding, as the build gives it,
		// with the module-level ones; the Rust files need the bindings.
		return append([]diagnostics.Finding{w.BindingsFailed(gopts.Headers, err)}, w.Findings...), nil
	}
	if err != nil {
		return nil, fmt.Errorf("generating %s from KERNEL_INCLUDE (%s): %w", w.Vars.Bindings, strings.Join(w.Vars.KernelInclude, " "), err)
	}
	if o.Generated != nil {
		o.Generated(gen)
	}
	env := w.Env(gen.Index)
	findings := KeptFindings(gen.Kept)
	for _, f := range w.Sources.Rust {
		if w.Generated(f, gen.Index) {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", f, err)
		}
		pf, err := rustsrc.ParseWith(f, src, env)
		if err != nil {
			return nil, err
		}
		findings = append(findings, w.FileFindings(pf, env)...)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return append(findings, w.Findings...), nil
}

// BindingsFailed is the finding for bindings that could not be generated
// from headers (a header the kernel tree lacks, one that does not parse), on
// the line that set KERNEL_INCLUDE, worded alike in check, build and the
// editor.
func (w *Module) BindingsFailed(headers []string, err error) diagnostics.Finding {
	file, line := w.SetAt("KERNEL_INCLUDE")
	return diagnostics.Finding{
		File: file, Range: diagnostics.Point(line, 1), Severity: diagnostics.Error, Source: diagnostics.SourceRustko,
		Code:    diagnostics.CodeBindings,
		Message: fmt.Sprintf("generating %s from %s failed: %v", w.Vars.Bindings, strings.Join(headers, " "), err),
	}
}

// SetAt is the file and line where variable name was last assigned, for
// findings about its value; the Makefile's first line when the editor's
// settings or the environment set it.
func (w *Module) SetAt(name string) (file string, line int) {
	where := w.Where[name]
	if where == "" {
		return filepath.Join(w.Root, "Makefile"), 1
	}
	file, line = where, 1
	if i := strings.LastIndexByte(where, ':'); i > 0 {
		if n, err := strconv.Atoi(where[i+1:]); err == nil && n > 0 {
			file, line = where[:i], n
		}
	}
	if filepath.IsAbs(file) {
		return filepath.Clean(file), line
	}
	return filepath.Join(w.Root, file), line
}

// Generated reports whether path is where the module's bindings go
// (BINDINGS) or the file its index was generated into: generated code the
// author cannot change, or, where rustko left a file of the user's alone,
// someone's bindgen output, which only gets the bindings-not-ours note.
func (w *Module) Generated(path string, ix *index.Index) bool {
	return w != nil && path == w.Vars.Bindings || ix != nil && ix.BindingsFile != "" && filepath.Clean(ix.BindingsFile) == path
}

func (w *Module) logger() *slog.Logger {
	if w.log == nil {
		return slog.Default()
	}
	return w.log
}
