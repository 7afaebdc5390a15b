package targets

import (
	"cmp"
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
	slices.SortStableFunc(out, func(a, b *Toolchain) int { return compareVersions(a.Release, b.Release) })
	return out
}

// compareVersions orders releases, a pre-release before its release.
func compareVersions(a, b Version) int {
	if c := cmp.Or(cmp.Compare(a.Major, b.Major), cmp.Compare(a.Minor, b.Minor), cmp.Compare(a.Patch, b.Patch)); c != 0 {
		return c
	}
	switch {
	case a.Pre == b.Pre:
		return 0
	case a.Pre == "":
		return 1
	case b.Pre == "":
		return -1
	}
	return cmp.Compare(a.Pre, b.Pre)
}
