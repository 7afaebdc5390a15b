package workspace

import (
	"context"
	"slices"

	"github.com/rustko/rustko-lsp/internal/filecache"
	"github.com/rustko/rustko-lsp/targets"
)

// installedEntry is the list of installed toolchains as it was when the
// files it depends on looked like stamps.
type installedEntry struct {
	stamps []stamp
	list   []*targets.Toolchain
}

// InstalledToolchains is targets.Installed (Find's answers cached in cache,
// nil for none), kept by the Loader until a toolchain is added, removed,
// updated or given rust-src (targets.InstalledInputs). The Loader keeps it,
// not the Module: a module is assembled again after every saved edit, and
// the list does not depend on the module. The toolchains are shared: read
// them, do not change them.
func (w *Module) InstalledToolchains(ctx context.Context, cache *filecache.Cache) []*targets.Toolchain {
	if w.loader == nil {
		return targets.Installed(ctx, cache)
	}
	return w.loader.installedToolchains(ctx, cache)
}

func (l *Loader) installedToolchains(ctx context.Context, cache *filecache.Cache) []*targets.Toolchain {
	// Stamped before reading, so that a change while reading is seen by
	// the next call.
	var stamps []stamp
	for _, p := range targets.InstalledInputs() {
		stamps = append(stamps, stampOf(p))
	}
	l.mu.Lock()
	e := l.installed
	l.mu.Unlock()
	if e != nil && slices.Equal(e.stamps, stamps) {
		return e.list
	}
	list := targets.Installed(ctx, cache)
	if ctx.Err() == nil { // a cancelled read may have stopped short
		l.mu.Lock()
		l.installed = &installedEntry{stamps: stamps, list: list}
		l.mu.Unlock()
	}
	return list
}
