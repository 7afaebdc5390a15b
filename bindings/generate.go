package bindings

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/rustko/rustko-lsp/bindings/index"
	"github.com/rustko/rustko-lsp/internal/filecache"
	"github.com/rustko/rustko-lsp/module"
)

// Options configure one generation.
type Options struct {
	Kernel *module.Kernel // the tree (release and arch go into the output header)
	Flags  *module.Flags  // kbuild's flags for a module object (module.CaptureFlags)
	// Headers as #include names them (linux/fs.h); empty means
	// DefaultHeaders(). An absolute path names a header outside the tree.
	Headers []string
	// Out is the Rust file to write (a module's src/bindings.rs); IndexOut
	// the index, by default Out with .rs replaced by .index. With Out
	// empty nothing is written and Result.Index is still returned.
	Out, IndexOut string
	LayoutTests   bool // emit compile-time size/align/offset assertions
	NoCache       bool // regenerate even when the cache has the answer
	// CacheDir is the cache's folder (filecache.Open); "" means
	// filecache.Dir(). Kept outputs go to its bindings-kept folder.
	CacheDir string
	Symvers  *module.Symvers // export status for the index; may be nil
	Version  string          // rustko's version, stamped into the output
	// Progress, when set, is told what is happening ("parsing headers" ...).
	Progress func(stage string)
	// Helpers are static inline functions to wrap in C (KERNEL_HELPERS);
	// their Rust declarations join the bindings. HelpersOut is the C file
	// to write (see HelpersFile); "" writes none. helpers.go.
	Helpers    []string
	HelpersOut string
	// Root is the module's folder: no write leaves it through a symlink
	// (internal/safewrite). "" confines each output to its own folder.
	Root string
}

// Result is what Generate produced.
type Result struct {
	RustFile, IndexFile string
	Cached              bool
	Index               *index.Index
	Elapsed             time.Duration
	// Items and Emitted count index items and generated Rust items.
	Items, Emitted int
	// Helpers is what KERNEL_HELPERS produced; nil when it lists nothing
	// and no HelpersOut was asked for.
	Helpers *Helpers
	// Kept are output paths holding files rustko did not generate (no
	// generated-file header): they are left byte-identical and the output
	// went to the cache instead (RustFile, IndexFile, Helpers.File say
	// where). Callers report each with KeptMessage.
	Kept []string
}

// DefaultHeaders is what a module needs without configuration: module
// metadata and THIS_MODULE, printk, allocation, files and char devices,
// and user-space copies.
func DefaultHeaders() []string {
	return []string{"linux/module.h", "linux/kernel.h", "linux/printk.h", "linux/slab.h", "linux/fs.h", "linux/uaccess.h"}
}

// gcPercent is the collector setting for a generation, whatever GOGC the
// process runs with. Measured on the six default headers with function
// bodies skipped: 100 gave the least CPU (user+sys 2.5 s against 2.8 s at
// 400: a larger heap costs more in page faults than the collections it
// saves) and the lowest peak RSS (215 MiB against 250-270 MiB).
const gcPercent = 100

// Generate writes Rust bindings and the index for the configured headers,
// or copies them from the cache when nothing they depend on changed.
func Generate(ctx context.Context, o Options) (*Result, error) {
	start := time.Now()
	if o.Kernel == nil {
		return nil, errors.New("generating bindings: no kernel tree (module.FindKernel)")
	}
	if o.Flags == nil {
		return nil, errors.New("generating bindings: no kbuild flags (module.CaptureFlags)")
	}
	if len(o.Headers) == 0 {
		o.Headers = DefaultHeaders()
	}
	if o.Out != "" && o.IndexOut == "" {
		o.IndexOut = strings.TrimSuffix(o.Out, ".rs") + ".index"
	}
	var err error
	if o.Out, err = absPath(o.Out); err != nil {
		return nil, err
	}
	if o.IndexOut, err = absPath(o.IndexOut); err != nil {
		return nil, err
	}
	progress := func(s string) {
		slog.Debug("bindings", "stage", s, "elapsed", time.Since(start), "cpu", processCPU())
		if o.Progress != nil {
			o.Progress(s)
		}
	}
	resolved, err := resolveHeaders(o.Headers, o.Flags.IncludeDirs)
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, h := range resolved {
		paths = append(paths, h.name+"="+h.path)
	}
	cacheDir := o.CacheDir
	if cacheDir == "" {
		if cacheDir, err = filecache.Dir(); err != nil {
			slog.Warn("bindings will not be cached", "err", err)
		}
	}
	var cache *filecache.Cache
	keptDir := ""
	if cacheDir != "" {
		cache = filecache.Open(cacheDir)
		keptDir = filepath.Join(cacheDir, "bindings-kept")
	}
	kept, err := keepForeign(&o, keptDir)
	if err != nil {
		return nil, err
	}
	key := cacheKey(&o, append(paths, helpersKey(o.Helpers)...))
	if cache != nil && !o.NoCache && o.Out != "" {
		if m, why := lookupCache(cache, key); m != nil {
			res, err := fromCache(cache, m, &o, start)
			if err == nil {
				if res.Helpers, err = loadHelpers(m, &o); err == nil {
					if res.Helpers, err = writeHelpers(&o, res.Helpers); err != nil {
						return nil, err
					}
					res.Kept = kept
					return res, nil
				}
			}
			slog.Debug("bindings cache unusable", "err", err)
		} else {
			slog.Debug("bindings cache miss", "why", shortReason(why))
		}
	}

	g, err := run(ctx, &o, progress)
	if err != nil {
		return nil, err
	}
	rust, ix, ixBytes := g.rust, g.ix, g.ixBytes
	res := &Result{RustFile: o.Out, IndexFile: o.IndexOut, Index: ix, Items: len(ix.Items), Emitted: countRust(ix)}
	if o.Out != "" {
		if err := writeIfChanged(o.Root, o.Out, rust, []byte(RustHeader)); err != nil {
			return nil, err
		}
		if err := writeIfChanged(o.Root, o.IndexOut, ixBytes, []byte(indexMagic)); err != nil {
			return nil, err
		}
		if cache != nil {
			extra := []string{compilerPath(o.Flags.Compiler)}
			if o.Symvers != nil {
				extra = append(extra, o.Symvers.Path)
			}
			if err := storeCache(cache, key, g.fs, extra, rust, ixBytes, g.helpers); err != nil {
				slog.Warn("bindings not cached", "dir", cacheDir, "err", err)
			}
		}
	}
	if res.Helpers, err = writeHelpers(&o, g.helpers); err != nil {
		return nil, err
	}
	res.Kept = kept
	res.Elapsed = time.Since(start)
	slog.Info("generated bindings", "headers", len(o.Headers), "items", res.Items, "rust items", res.Emitted,
		"out", o.Out, "elapsed", res.Elapsed.Round(time.Millisecond), "cpu", processCPU())
	return res, nil
}

func fromCache(cache *filecache.Cache, m *cacheManifest, o *Options, start time.Time) (*Result, error) {
	if err := copyIfChanged(o.Root, cache, o.Out, m.Rust, []byte(RustHeader)); err != nil {
		return nil, err
	}
	if err := copyIfChanged(o.Root, cache, o.IndexOut, m.Index, []byte(indexMagic)); err != nil {
		return nil, err
	}
	ix, err := LoadIndex(o.IndexOut)
	if err != nil {
		return nil, err
	}
	ix.BindingsFile = o.Out
	res := &Result{RustFile: o.Out, IndexFile: o.IndexOut, Cached: true, Index: ix, Items: len(ix.Items), Emitted: countRust(ix)}
	res.Elapsed = time.Since(start)
	slog.Debug("bindings from cache", "out", o.Out, "elapsed", res.Elapsed)
	return res, nil
}

func countRust(ix *index.Index) int {
	n := 0
	for _, it := range ix.Items {
		if it.Rust != "" {
			n++
		}
	}
	return n
}

func absPath(p string) (string, error) {
	if p == "" {
		return "", nil
	}
	a, err := filepath.Abs(p)
	if err != nil {
		return "", fmt.Errorf("output path %s: %w", p, err)
	}
	return a, nil
}

func cleanHeaders(hs []string) []string {
	var out []string
	for _, h := range hs {
		if h = strings.TrimSpace(h); h != "" {
			out = append(out, h)
		}
	}
	return out
}

// processCPU is the process's user+system CPU time so far, for the stage
// log: on a busy machine it says more about a stage's cost than the clock.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// compilerPath is the compiler binary whose predefined macros the output
// depends on; an upgrade of it invalidates the cache.
func compilerPath(c string) string {
	if c == "" {
		c = "gcc"
	}
	p, err := exec.LookPath(c)
	if err != nil {
		return ""
	}
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return p
}

// generation is everything one cold run produced.
type generation struct {
	unit    *Unit
	rust    []byte
	ix      *index.Index
	ixBytes []byte
	fs      *recordingFS
	helpers *Helpers
}

// run is a cold generation: front end, lowering, selection, naming, Rust
// and index; nothing is written.
func run(ctx context.Context, o *Options, progress func(string)) (g *generation, err error) {
	old := debug.SetGCPercent(gcPercent)
	defer debug.SetGCPercent(old)
	defer func() {
		// Headers are outside input: whatever they make the generator
		// trip over is reported as an error naming them, not a crash.
		if r := recover(); r != nil {
			slog.Debug("bindings generator panic", "value", r, "stack", string(debug.Stack()))
			g, err = nil, fmt.Errorf("generating bindings for %s failed: %v (a rustko-lsp bug: please report it with this header list)",
				strings.Join(o.Headers, " "), r)
		}
	}()

	progress("parsing headers")
	fe, err := newFrontEnd(ctx, o.Kernel, o.Flags, o.Headers)
	if err != nil {
		return nil, err
	}
	keepBodiesForHelpers(fe, o)
	ast, err := fe.translate(ctx)
	if err != nil {
		return nil, err
	}
	progress("lowering declarations")
	l := newLowerer(ast, fe.headers)
	u := l.lower()
	u.Headers = cleanHeaders(o.Headers)
	u.FileOrder = l.fileOrder
	progress("evaluating macros")
	if err := l.lowerMacros(ctx); err != nil {
		return nil, err
	}
	l.layout()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	selectItems(u, l.inConfigured)
	var hp *helperPlan
	if len(o.Helpers) > 0 {
		if hp, err = planHelpers(ctx, ast, l, u, o); err != nil {
			return nil, err
		}
	}
	if err := badReached(u); err != nil {
		return nil, err
	}
	u.assignNames()

	progress("writing Rust")
	rel := relHeader(o.Flags.IncludeDirs)
	w := &rustWriter{}
	rust := writeRustWith(w, u, genOptions{
		Version: o.Version, Release: o.Kernel.Release, Arch: o.Kernel.Arch, KernelDir: o.Kernel.Dir,
		LayoutTests: o.LayoutTests, Rel: rel,
	})
	if rust, err = hp.appendRust(rust, w); err != nil {
		return nil, err
	}
	ix := buildIndex(u, w, indexMeta{
		release: o.Kernel.Release, arch: o.Kernel.Arch, symvers: o.Symvers,
		rel: rel, configured: l.inConfigured,
	})
	helpers := hp.annotate(ix)
	// The index on disk leaves the bindings file out, so one cache entry
	// serves every copy of a module; whoever loads it knows the path
	// (fromCache).
	ixBytes := writeIndexBytes(ix)
	ix.BindingsFile = o.Out
	return &generation{unit: u, rust: rust, ix: ix, ixBytes: ixBytes, fs: fe.fs, helpers: helpers}, nil
}
