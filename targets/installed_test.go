package targets

import (
	"context"
	"os"
	"path/filepath"
	"testing"
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
	rustupHome := t.TempDir()
	toolchains := filepath.Join(rustupHome, "toolchains")
	if err := os.MkdirAll(filepath.Join(toolchains, "broken", "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(stable.Sysroot, filepath.Join(toolchains, "stable")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("RUSTUP_HOME", rustupHome)
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
