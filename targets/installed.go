package targets

import (
	"context"
	"os"
	"path/filepath"
	"slices"

	"github.com/rustko/rustko-lsp/internal/filecache"
)

// Installed lists the toolchains this machine keeps where rust.ko users
// install them: Debian's under /usr and each of rustup's toolchains
// (RUSTUP_HOME, by default ~/.rustup), each as Find reads it (cached), in
// release order. rustup's ~/.cargo proxies are left out: which toolchain
// they run depends on rustup's settings. A folder that holds no working
// rustc is skipped.
func Installed(ctx context.Context, cache *filecache.Cache) []*Toolchain {
	roots := []string{"/usr"}
	rustupHome := os.Getenv("RUSTUP_HOME")
	if home, err := os.UserHomeDir(); rustupHome == "" && err == nil {
		rustupHome = filepath.Join(home, ".rustup")
	}
	if rustupHome != "" {
		dirs, _ := filepath.Glob(filepath.Join(rustupHome, "toolchains", "*"))
		roots = append(roots, dirs...)
	}
	var out []*Toolchain
	for _, root := range roots {
		if ctx.Err() != nil {
			break
		}
		if tc, err := Find(ctx, root, "", cache); err == nil {
			out = append(out, tc)
		}
	}
	slices.SortStableFunc(out, func(a, b *Toolchain) int { return a.Release.Compare(b.Release) })
	return out
}
