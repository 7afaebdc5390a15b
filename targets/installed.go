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
	roots, _ := installedRoots()
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

// InstalledInputs are the paths whose change can change what Installed
// lists, for a caller that keeps the list: rustup's toolchains folder (a
// toolchain added or removed) and, in each folder Installed looks in,
// rustc (installed, updated, repaired) and the core library's sources
// (rust-src added, which decides whether a build can use the toolchain).
func InstalledInputs() []string {
	roots, toolchains := installedRoots()
	var out []string
	if toolchains != "" {
		out = append(out, toolchains)
	}
	for _, root := range roots {
		// rustup's and Debian's toolchains are their own sysroot.
		out = append(out, filepath.Join(root, "bin", "rustc"), filepath.Join(coreSrc(root), "src", "lib.rs"))
	}
	return out
}

// installedRoots are the folders Installed looks in and rustup's
// toolchains folder ("" without a home).
func installedRoots() (roots []string, toolchains string) {
	roots = []string{"/usr"}
	rustupHome := os.Getenv("RUSTUP_HOME")
	if home, err := os.UserHomeDir(); rustupHome == "" && err == nil {
		rustupHome = filepath.Join(home, ".rustup")
	}
	if rustupHome == "" {
		return roots, ""
	}
	toolchains = filepath.Join(rustupHome, "toolchains")
	dirs, _ := filepath.Glob(filepath.Join(toolchains, "*"))
	return append(roots, dirs...), toolchains
}
