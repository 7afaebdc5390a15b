package targets

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/rustko/rustko-lsp/internal/testtoolchain"
)

// TestInstalled: Debian's toolchain and rustup's (the real stable one, under
// a RUSTUP_HOME of the test's) are found in release order; a rustup folder
// without a working rustc is left out.
func TestInstalled(t *testing.T) {
	home, _ := os.UserHomeDir()
	stable, err := Find(context.Background(), filepath.Join(home, ".cargo"), "test", nil)
	if err != nil {
		t.Fatalf("rustup's stable toolchain (make test installs it): %v", err)
	}
	toolchains := testtoolchain.RustupHome(t, map[string]string{"broken": "", "stable": stable.Sysroot})
	got := Installed(context.Background(), nil)
	var roots []string
	for _, tc := range got {
		roots = append(roots, tc.Root)
	}
	want := []string{"/usr", filepath.Join(toolchains, "stable")}
	if len(roots) != 2 || roots[0] != want[0] || roots[1] != want[1] || got[1].Release != stable.Release {
		t.Errorf("Installed = %q, want %q (1.63 before %s)", roots, want, stable.Release)
	}
}
