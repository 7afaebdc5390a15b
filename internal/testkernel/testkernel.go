// Package testkernel pins the kernel build trees tests run against, so a test's
// result does not depend on which other trees the machine happens to have (an
// rt, cloud or newer tree installed beside Debian 12's 6.1 must change nothing).
//
// One tree is pinned: $RUSTKO_TEST_KDIR when set, else the newest plain-flavour
// Debian 12 tree, /usr/src/linux-headers-6.1.*-amd64. Tests that run once per
// kernel (the bindings oracle) take All: $RUSTKO_TEST_KERNELS (a comma-separated
// list of trees) when set, else every configured tree under /usr/src whose
// compiler this machine has. The 7.x trees live in a Debian 13 root (they need
// gcc-14) and are tested by running the test binaries inside it with
// RUSTKO_TEST_KDIR set (scripts/in-trixie.sh).
package testkernel

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// Default is the pattern of the tree pinned when RUSTKO_TEST_KDIR is unset.
const Default = "/usr/src/linux-headers-6.1.*-amd64"

// Dir returns the pinned tree; the test fails when it is missing.
func Dir(t testing.TB) string {
	t.Helper()
	d, err := dir()
	if err != "" {
		t.Fatal(err)
	}
	return d
}

func dir() (string, string) {
	if d := os.Getenv("RUSTKO_TEST_KDIR"); d != "" {
		d = filepath.Clean(d) // All compares it with the scanned folders
		if !Configured(d) {
			return "", "RUSTKO_TEST_KDIR=" + d + " is not a configured kernel build tree (no .config or Module.symvers)"
		}
		return d, ""
	}
	trees, _ := filepath.Glob(Default)
	var plain []string
	for _, tr := range trees {
		// linux-headers-6.1.0-57-amd64, not -rt-amd64 or -cloud-amd64.
		if regexp.MustCompile(`^linux-headers-6\.1\.[0-9]+-[0-9]+-amd64$`).MatchString(filepath.Base(tr)) && Configured(tr) {
			plain = append(plain, tr)
		}
	}
	if len(plain) == 0 {
		return "", "no Debian 12 kernel headers (" + Default + ") to test against: apt-get install -y linux-headers-amd64 gcc make (or set RUSTKO_TEST_KDIR)"
	}
	sort.Slice(plain, func(i, j int) bool { return abiLess(plain[i], plain[j]) })
	return plain[len(plain)-1], ""
}

// All returns the trees per-kernel tests run over, the pinned one first.
func All(t testing.TB) []string {
	t.Helper()
	if l := os.Getenv("RUSTKO_TEST_KERNELS"); l != "" {
		var out []string
		for _, d := range strings.Split(l, ",") {
			if d = strings.TrimSpace(d); d == "" {
				continue
			}
			d = filepath.Clean(d)
			if !Configured(d) {
				t.Fatalf("RUSTKO_TEST_KERNELS names %s, which is not a configured kernel build tree", d)
			}
			out = append(out, d)
		}
		return out
	}
	first := Dir(t)
	out := []string{first}
	trees, _ := filepath.Glob("/usr/src/linux-headers-*")
	sort.Strings(trees)
	for _, tr := range trees {
		if tr == first || !Configured(tr) || !compilerPresent(tr) {
			continue
		}
		out = append(out, tr)
	}
	return out
}

// Configured reports whether dir is a kernel tree modules can be built against.
func Configured(dir string) bool {
	for _, f := range []string{".config", "Module.symvers", "Makefile"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.IsDir() {
			return false
		}
	}
	return true
}

// compilerPresent reports whether the compiler the tree was configured with
// (CONFIG_CC_VERSION_TEXT names it; Debian's 6.12+ trees call
// x86_64-linux-gnu-gcc-NN) is on PATH. A 7.x tree copied onto Debian 12 is not
// testable there: it needs gcc-14.
func compilerPresent(dir string) bool {
	b, err := os.ReadFile(filepath.Join(dir, ".config"))
	if err != nil {
		return false
	}
	m := regexp.MustCompile(`(?m)^CONFIG_GCC_VERSION=([0-9]+)$`).FindSubmatch(b)
	if m == nil {
		return true // not gcc: let the test say what is missing
	}
	v, _ := strconv.Atoi(string(m[1]))
	major := strconv.Itoa(v / 10000)
	for _, name := range []string{"x86_64-linux-gnu-gcc-" + major, "gcc-" + major} {
		if _, err := exec.LookPath(name); err == nil {
			return true
		}
	}
	return false
}

var abiNum = regexp.MustCompile(`6\.1\.[0-9]+-([0-9]+)-`)

// abiLess orders Debian 12 trees by their ABI number (6.1.0-9 before 6.1.0-57).
func abiLess(a, b string) bool {
	na, nb := 0, 0
	if m := abiNum.FindStringSubmatch(a); m != nil {
		na, _ = strconv.Atoi(m[1])
	}
	if m := abiNum.FindStringSubmatch(b); m != nil {
		nb, _ = strconv.Atoi(m[1])
	}
	return na < nb
}

// PinForMake puts the pinned tree in KERNEL_BUILD_PATH for the whole test
// binary: for packages whose tests load modules through make and start
// rustko-lsp processes (a module's `KERNEL_BUILD_PATH ?=` takes the
// environment's value, and child processes inherit it). Call it from
// TestMain; when no tree is pinned it changes nothing, and the tests that
// need one fail through Dir.
func PinForMake() {
	if d, err := dir(); err == "" {
		os.Setenv("KERNEL_BUILD_PATH", d)
	}
}
