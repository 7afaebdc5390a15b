// Package testtoolchain gives a test a rustup of its own: a RUSTUP_HOME
// whose toolchains are the ones the test names, so that what rustko finds
// installed does not depend on which toolchains this machine's rustup keeps
// (a nightly beside the stable one, say). It imports nothing of ours, so
// targets' own tests can use it; the test finds the real toolchain it links
// to (targets.Find) itself.
package testtoolchain

import (
	"os"
	"path/filepath"
	"testing"
)

// RustupHome points RUSTUP_HOME at a new folder for the rest of the test
// and returns its toolchains folder, which holds one entry per name in
// toolchains: a link to the folder it maps to (a real toolchain's sysroot),
// or, for "", a toolchain folder with an empty bin/, as a failed install
// leaves it. With none, the folder has no toolchains/ at all, like a rustup
// that never installed one.
func RustupHome(t testing.TB, toolchains map[string]string) string {
	t.Helper()
	home := t.TempDir()
	dir := filepath.Join(home, "toolchains")
	for name, target := range toolchains {
		if target == "" {
			if err := os.MkdirAll(filepath.Join(dir, name, "bin"), 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("RUSTUP_HOME", home)
	return dir
}
