package workspace

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/rustko/rustko-lsp/internal/filecache"
	"github.com/rustko/rustko-lsp/internal/testtoolchain"
	"github.com/rustko/rustko-lsp/targets"
)

// TestInstalledToolchainsKept: the Loader answers a second ask with the
// list it read (the same toolchains, not read again), and reads again when
// rustup gains a toolchain or a broken one gets its rustc, as a user
// installing one while the editor runs would expect.
func TestInstalledToolchainsKept(t *testing.T) {
	ctx := context.Background()
	home, _ := os.UserHomeDir()
	stable, err := targets.Find(ctx, filepath.Join(home, ".cargo"), "test", nil)
	if err != nil {
		t.Fatalf("rustup's stable toolchain (make test installs it): %v", err)
	}
	toolchains := testtoolchain.RustupHome(t, map[string]string{"broken": ""})
	cache := filecache.Open(t.TempDir())
	w := &Module{loader: NewLoader(nil)}
	roots := func(list []*targets.Toolchain) []string {
		var out []string
		for _, tc := range list {
			out = append(out, tc.Root)
		}
		return out
	}

	first := w.InstalledToolchains(ctx, cache)
	if got := roots(first); !slices.Equal(got, []string{"/usr"}) {
		t.Fatalf("installed %q, want only /usr (the broken toolchain left out)", got)
	}
	if again := w.InstalledToolchains(ctx, cache); len(again) != 1 || again[0] != first[0] {
		t.Errorf("second ask read the toolchains again (%p, was %p)", again, first)
	}

	if err := os.Symlink(stable.Sysroot, filepath.Join(toolchains, "stable")); err != nil {
		t.Fatal(err)
	}
	if got := roots(w.InstalledToolchains(ctx, cache)); !slices.Equal(got, []string{"/usr", filepath.Join(toolchains, "stable")}) {
		t.Errorf("after installing stable: %q", got)
	}

	// Inside a toolchain: its folder's entry in toolchains/ does not change.
	if err := os.Symlink(filepath.Join(stable.Sysroot, "bin", "rustc"), filepath.Join(toolchains, "broken", "bin", "rustc")); err != nil {
		t.Fatal(err)
	}
	if got := roots(w.InstalledToolchains(ctx, cache)); !slices.Equal(got, []string{"/usr", filepath.Join(toolchains, "broken"), filepath.Join(toolchains, "stable")}) {
		t.Errorf("after repairing broken: %q", got)
	}
}
