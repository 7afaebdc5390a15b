package headerscan

import (
	"context"
	"log/slog"
	"sync"

	"github.com/rustko/rustko-lsp/module"
)

// OtherTree is an installed kernel tree other than the one the module builds
// against.
type OtherTree struct {
	Release string
	Older   bool // its release is older than the module's kernel
	// IncludeDirs returns kbuild's include directories for the tree
	// (capturing them runs make in the tree once; the flag cache keeps them).
	IncludeDirs func(ctx context.Context) ([]string, error)
}

// Sighting is another kernel's declaration of a name the module's kernel
// does not declare.
type Sighting struct {
	Release string
	Older   bool
	Declared
}

// Elsewhere answers "which other installed kernel declares NAME" for a name
// no header of the module's kernel declares, so that a name a newer kernel
// removed (strlcpy after 6.7) is reported as such instead of as a typo.
//
// Nothing is read until the first question: most analyses never ask one,
// and the first scan of a tree's headers costs seconds (later processes read
// the cached index in tens of milliseconds).
type Elsewhere struct {
	ctx      context.Context // bounds the one-time load; the owner's lifetime
	trees    func(context.Context) ([]OtherTree, error)
	cacheDir string

	once    sync.Once
	loaded  []OtherTree
	indexes []*HeaderIndex // parallel to loaded; nil where the tree could not be read
}

// NewElsewhere prepares the lookup over the trees the loader lists (newest
// first). ctx bounds the one-time load that the first Declaring starts:
// analyses take no context of their own, so the lookup keeps its owner's.
func NewElsewhere(ctx context.Context, trees func(context.Context) ([]OtherTree, error), cacheDir string) *Elsewhere {
	return &Elsewhere{ctx: ctx, trees: trees, cacheDir: cacheDir}
}

// Declaring returns the other trees that declare name, in the loader's
// order. A tree whose headers cannot be read is left out (and logged): the
// answer only ever adds to a finding.
func (e *Elsewhere) Declaring(name string) []Sighting {
	if e == nil {
		return nil
	}
	e.once.Do(e.load)
	var out []Sighting
	for i, h := range e.indexes {
		if h == nil {
			continue
		}
		if d, ok := h.Lookup(name); ok {
			out = append(out, Sighting{Release: e.loaded[i].Release, Older: e.loaded[i].Older, Declared: d})
		}
	}
	return out
}

func (e *Elsewhere) load() {
	trees, err := e.trees(e.ctx)
	if err != nil {
		slog.Warn("listing the other installed kernel trees; findings will not say which kernel declares a missing name", "error", err)
		return
	}
	e.loaded = trees
	e.indexes = make([]*HeaderIndex, len(trees))
	for i, t := range trees {
		dirs, err := t.IncludeDirs(e.ctx)
		if err != nil {
			slog.Warn("reading another kernel tree's include directories", "release", t.Release, "error", err)
			continue
		}
		h := NewHeaderIndex(dirs, e.cacheDir)
		if err := h.Load(e.ctx); err != nil {
			slog.Warn("indexing another kernel tree's headers", "release", t.Release, "error", err)
			continue
		}
		e.indexes[i] = h
	}
}

// ElsewhereFor is the lookup over every installed kernel version other than
// current's, newest first, one tree per version, include directories from
// kbuild (module.CaptureFlags, cached per tree).
func ElsewhereFor(ctx context.Context, current *module.Kernel, cacheDir string) *Elsewhere {
	return NewElsewhere(ctx, func(ctx context.Context) ([]OtherTree, error) {
		kernels, older, err := module.OtherReleases(ctx, current)
		if err != nil {
			return nil, err
		}
		trees := make([]OtherTree, len(kernels))
		for i, k := range kernels {
			trees[i] = OtherTree{Release: k.Release, Older: older[i], IncludeDirs: func(ctx context.Context) ([]string, error) {
				f, err := module.CaptureFlags(ctx, k)
				if err != nil {
					return nil, err
				}
				return f.IncludeDirs, nil
			}}
		}
		return trees, nil
	}, cacheDir)
}
