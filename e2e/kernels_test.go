package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/internal/testkernel"
)

// bootKernel is one kernel the boot tests cover.
type bootKernel struct {
	release string
	// dir is the tree's path on this machine (what boot.sh reads); for a tree in
	// the trixie root it is under the root.
	dir string
	// inRoot is the tree's path inside the trixie root, empty for a native tree:
	// kbuild for such a tree needs the root's gcc-14, so builds run there.
	inRoot string
	// modes are the toolchain modes examples/hello is built in for this kernel.
	modes []string
}

// trixieRoot is where scripts/kernels.sh makes the Debian 13 root.
func trixieRoot() string {
	if r := os.Getenv("RUSTKO_TRIXIE_ROOT"); r != "" {
		return r
	}
	return "/var/lib/rustko-lsp/trixie"
}

// bootKernels lists the kernels the boot tests run on: every tree the unit
// tests run over but the cloud flavour (the pinned Debian 12 tree first, then
// 6.12 and 6.12-rt when installed), and the trees of the trixie root when it
// exists (Debian 13's own 6.12, built with gcc-14, and the 7.x line). `make test`
// installs all of them (scripts/kernels.sh); RUSTKO_E2E_NO_ROOT=1 leaves the
// root's trees out.
func bootKernels(t *testing.T) []bootKernel {
	t.Helper()
	var out []bootKernel
	for _, dir := range testkernel.All(t) {
		// The cloud flavour is for cloud VMs (no image is fetched for it):
		// the unit tests read its headers; amd64 and rt cover the boots.
		if strings.Contains(filepath.Base(dir), "-cloud-") {
			continue
		}
		out = append(out, bootKernel{release: release(t, dir), dir: dir, modes: []string{"rust-src", "host"}})
	}
	if os.Getenv("RUSTKO_E2E_NO_ROOT") != "" {
		return out
	}
	root := trixieRoot()
	var trees []string
	for _, pattern := range []string{"linux-headers-6.12.*+deb13-amd64", "linux-headers-7.*-amd64"} {
		found, _ := filepath.Glob(filepath.Join(root, "usr/src", pattern))
		sort.Strings(found)
		trees = append(trees, found...)
	}
	for _, dir := range trees {
		if !testkernel.Configured(dir) || strings.Contains(filepath.Base(dir), "-rt-") || strings.Contains(filepath.Base(dir), "-cloud-") {
			continue
		}
		// The root's rustc 1.85 has rust-src: the rust.ko way (RUST_ROOT=/usr).
		out = append(out, bootKernel{release: release(t, dir), dir: dir, inRoot: strings.TrimPrefix(dir, root), modes: []string{"rust-src"}})
	}
	return out
}

// release reads the tree's UTS_RELEASE, as boot.sh does.
func release(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "include/generated/utsrelease.h"))
	if err != nil {
		t.Fatalf("%s is not a kernel build tree: %v", dir, err)
	}
	s := string(b)
	i := strings.Index(s, `UTS_RELEASE "`)
	if i < 0 {
		t.Fatalf("%s/include/generated/utsrelease.h has no UTS_RELEASE", dir)
	}
	s = s[i+len(`UTS_RELEASE "`):]
	return s[:strings.IndexByte(s, '"')]
}

// inTrixie returns the command line that runs name inside the trixie root
// (scripts/in-trixie.sh keeps the working directory and mounts /tmp and the
// checkout at the same paths; it reads RUSTKO_TRIXIE_ROOT from the test's
// environment).
func inTrixie(t *testing.T, name string, args ...string) (string, []string) {
	t.Helper()
	script, err := filepath.Abs("../scripts/in-trixie.sh")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("chroot"); err != nil {
		t.Fatalf("chroot not found (coreutils): %v", err)
	}
	return script, append([]string{name}, args...)
}
