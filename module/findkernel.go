package module

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
)

// kernelSearch is where FindKernel looks. It is a value so tests can point
// every step at temp folders.
type kernelSearch struct {
	modulesDir string        // holds <release>/build: /lib/modules
	srcDirs    []string      // scanned for linux-headers-*: /usr/src
	release    func() string // the running kernel's release (uname -r)
	debian     func() bool   // whether to suggest Debian's meta package
}

var defaultSearch = kernelSearch{
	modulesDir: "/lib/modules",
	srcDirs:    []string{"/usr/src"},
	release:    func() string { release, _ := uname(); return release },
	debian:     func() bool { return isFile("/etc/debian_version") },
}

// FindKernel resolves the kernel build tree a module builds against.
//
// A configured tree (KERNEL_BUILD_PATH or KDIR, --kdir, the editor's
// kernelDir setting) is the one used: when it does not exist or is not a
// configured kernel tree, FindKernel returns an error naming it rather than
// building against another tree the user did not ask for. The one exception
// is rust.ko's own default, /lib/modules/$(uname -r)/build, which is also the
// search's first step: when it is missing the search goes on.
//
// Without a configured tree: the running kernel's /lib/modules/$(uname -r)/build,
// then the installed /usr/src/linux-headers-* trees holding Module.symvers and
// .config, the newest release first and, within a release, the plain flavour
// (-amd64) before the variants (-rt-amd64, -cloud-amd64). The running kernel is
// not always the one whose headers are installed (containers, CI, Debian's
// headers on another host kernel), hence the scan. Kernel.Skipped says which
// trees were passed over and why.
func FindKernel(ctx context.Context, configured string) (*Kernel, error) {
	return defaultSearch.find(ctx, configured)
}

// ErrConfiguredKernel marks the error for a configured kernel tree that is not
// usable, so callers can tell it from "no tree installed at all".
var ErrConfiguredKernel = errors.New("the configured kernel build tree is not usable")

func (s kernelSearch) find(ctx context.Context, configured string) (*Kernel, error) {
	var skipped []string
	tried := map[string]bool{}
	try := func(dir, foundBy string, needSymvers bool) *Kernel {
		if tried[dir] {
			return nil
		}
		tried[dir] = true
		if why := treeProblem(dir, needSymvers); why != "" {
			skipped = append(skipped, fmt.Sprintf("%s (%s): %s", dir, foundBy, why))
			return nil
		}
		k := describeKernel(dir, foundBy)
		k.Skipped = skipped
		return k
	}

	rel := s.release()
	running := ""
	if rel != "" {
		running = filepath.Join(s.modulesDir, rel, "build")
	}
	if configured != "" {
		abs, err := filepath.Abs(configured)
		if err != nil {
			return nil, fmt.Errorf("resolving the configured kernel build tree %s: %w", configured, err)
		}
		if abs != running { // both clean: filepath.Abs and Join clean their results
			if why := treeProblem(abs, false); why != "" {
				return nil, fmt.Errorf("%w: %s %s (set by KERNEL_BUILD_PATH or KDIR, --kdir, or the editor's kernelDir setting; "+
					"point it at a configured tree such as /usr/src/linux-headers-<release>-<flavour>, or unset it to let rustko search)",
					ErrConfiguredKernel, abs, why)
			}
		}
		if k := try(abs, "configured", false); k != nil {
			return k, nil
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if running != "" {
		if k := try(running, "running kernel, "+filepath.Join(s.modulesDir, "$(uname -r)", "build"), false); k != nil {
			return k, nil
		}
	}
	var trees []headerTree
	for _, src := range s.srcDirs {
		pattern := filepath.Join(src, "linux-headers-*")
		found, _ := filepath.Glob(pattern)
		if len(found) == 0 {
			skipped = append(skipped, fmt.Sprintf("%s (%s scan): no folder matches", pattern, src))
		}
		for _, dir := range found {
			trees = append(trees, parseHeaderTree(dir, src+" scan"))
		}
	}
	sort.SliceStable(trees, func(i, j int) bool { return trees[i].before(trees[j]) })
	for i, tr := range trees {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		k := try(tr.dir, tr.foundBy, true)
		if k == nil {
			continue
		}
		// Say why the trees after the chosen one were not used: a newer
		// release or a plain flavour is chosen on purpose, and a user who
		// wanted the rt tree needs to know to configure it.
		for _, other := range trees[i+1:] {
			if tried[other.dir] || strings.HasPrefix(other.flavour, "common") {
				continue // Debian's -common halves are never candidates: noise here
			}
			why := cmp.Or(treeProblem(other.dir, true), preferredOver(tr, other))
			k.Skipped = append(k.Skipped, fmt.Sprintf("%s (%s): %s", other.dir, other.foundBy, why))
		}
		return k, nil
	}
	return nil, s.notFound(rel, skipped)
}

// headerTree is a scanned linux-headers-<release> folder, its release split
// into the version (6.12.118+deb12, 6.1.0-57) and the flavour (amd64,
// rt-amd64, cloud-amd64; Ubuntu's generic).
type headerTree struct {
	dir, foundBy     string
	version, flavour string
}

func parseHeaderTree(dir, foundBy string) headerTree {
	version, flavour := splitFlavour(strings.TrimPrefix(filepath.Base(dir), "linux-headers-"))
	return headerTree{dir: dir, foundBy: foundBy, version: version, flavour: flavour}
}

// splitFlavour splits a Debian or Ubuntu kernel release after its version:
// the first word and the all-digit ABI words after it (6.1.0-57,
// 6.12.118+deb12) are the version, the rest is the flavour.
func splitFlavour(release string) (version, flavour string) {
	words := strings.Split(release, "-")
	i := 1
	for i < len(words) && words[i] != "" && strings.Trim(words[i], "0123456789") == "" {
		i++
	}
	return strings.Join(words[:i], "-"), strings.Join(words[i:], "-")
}

// plain reports whether the flavour is the architecture's default build:
// Debian names variants <variant>-<arch> (rt-amd64, cloud-amd64, arm64-16k)
// and the default by the architecture alone; Ubuntu's default is generic.
func (t headerTree) plain() bool { return t.flavour != "" && !strings.Contains(t.flavour, "-") }

// before orders trees newest release first and, within a release, the
// plain flavour first, then by name so the order never depends on the file
// system's.
func (a headerTree) before(b headerTree) bool {
	if a.version != b.version {
		return VersionLess(b.version, a.version)
	}
	if a.plain() != b.plain() {
		return a.plain()
	}
	return a.dir < b.dir
}

// preferredOver says why chosen was used instead of the usable tree other.
func preferredOver(chosen, other headerTree) string {
	if other.version != chosen.version {
		return fmt.Sprintf("not chosen: release %s is older than %s", other.version, chosen.version)
	}
	if chosen.plain() && !other.plain() {
		return fmt.Sprintf("not chosen: the %s flavour; the plain %s flavour of the same release is preferred (set KERNEL_BUILD_PATH to use this one)",
			other.flavour, chosen.flavour)
	}
	return fmt.Sprintf("not chosen: %s of the same release sorts first (set KERNEL_BUILD_PATH to use this one)", filepath.Base(chosen.dir))
}

func (s kernelSearch) notFound(rel string, skipped []string) error {
	var b strings.Builder
	b.WriteString("no kernel build tree found; tried:\n")
	for _, sk := range skipped {
		b.WriteString("  - " + sk + "\n")
	}
	pkg := "linux-headers-" + rel
	if rel == "" {
		pkg = "linux-headers-$(uname -r)"
	}
	fmt.Fprintf(&b, "Install the headers for your kernel (apt-get install %s", pkg)
	if s.debian() {
		fmt.Fprintf(&b, ", or on Debian apt-get install %s", debianHeadersPackage())
	}
	b.WriteString("), or set KERNEL_BUILD_PATH in config.mk to a configured kernel build tree (one holding Makefile and .config)")
	return fmt.Errorf("%s", b.String())
}

// debianHeadersPackage is the meta package that always depends on the
// current kernel's headers for this machine's architecture.
func debianHeadersPackage() string {
	switch runtime.GOARCH {
	case "386":
		return "linux-headers-686-pae"
	case "arm":
		return "linux-headers-armmp"
	case "ppc64le":
		return "linux-headers-powerpc64le"
	}
	return "linux-headers-" + runtime.GOARCH
}

// treeProblem says why dir is not a usable kernel build tree, or "".
func treeProblem(dir string, needSymvers bool) string {
	if !isDir(dir) {
		if _, err := os.Stat(dir); err != nil && !os.IsNotExist(err) {
			return err.Error()
		}
		return "does not exist"
	}
	if !isFile(filepath.Join(dir, "Makefile")) {
		return "no Makefile, so not a kernel build tree"
	}
	if !isFile(filepath.Join(dir, ".config")) {
		return "no .config, so not a configured build tree (on Debian use the linux-headers-<version>-<flavour> folder, not -common)"
	}
	if needSymvers && !isFile(filepath.Join(dir, "Module.symvers")) {
		return "no Module.symvers"
	}
	return ""
}

func describeKernel(dir, foundBy string) *Kernel {
	k := &Kernel{Dir: dir, FoundBy: foundBy, Config: filepath.Join(dir, ".config")}
	if p := filepath.Join(dir, "Module.symvers"); isFile(p) {
		k.Symvers = p
	}
	k.Release, k.ReleaseFrom = kernelRelease(dir)
	k.Arch, k.SrcArch, k.ArchFrom = kernelArch(dir)
	return k
}

// kernelRelease prefers UTS_RELEASE, the string vermagic carries.
func kernelRelease(dir string) (release, from string) {
	if b, err := os.ReadFile(filepath.Join(dir, "include/generated/utsrelease.h")); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "#define UTS_RELEASE"); ok {
				if r := strings.Trim(strings.TrimSpace(rest), `"`); r != "" {
					return r, "include/generated/utsrelease.h"
				}
			}
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, "include/config/kernel.release")); err == nil {
		if r := strings.TrimSpace(string(b)); r != "" {
			return r, "include/config/kernel.release"
		}
	}
	name := filepath.Base(dir)
	if name == "build" { // /lib/modules/<release>/build
		return filepath.Base(filepath.Dir(dir)), "folder name"
	}
	return strings.TrimPrefix(name, "linux-headers-"), "folder name"
}

// archByConfig maps the .config symbol that selects an architecture to
// kbuild's UTS_MACHINE and SRCARCH; more specific symbols come first.
var archByConfig = []struct {
	symbol, arch, srcArch string
}{
	{"CONFIG_X86_64", "x86_64", "x86"},
	{"CONFIG_X86_32", "i386", "x86"},
	{"CONFIG_ARM64", "aarch64", "arm64"},
	{"CONFIG_ARM", "arm", "arm"},
	{"CONFIG_RISCV", "riscv", "riscv"}, // width from CONFIG_64BIT below
	{"CONFIG_PPC64", "ppc64", "powerpc"},
	{"CONFIG_PPC32", "ppc", "powerpc"},
	{"CONFIG_S390", "s390x", "s390"},
	{"CONFIG_LOONGARCH", "loongarch64", "loongarch"},
	{"CONFIG_MIPS", "mips", "mips"},
}

// kernelArch reads the architecture from .config, which every configured
// tree has; asking kbuild (make kernelrelease/ARCH) costs seconds.
func kernelArch(dir string) (arch, srcArch, from string) {
	cfg, _ := ReadKernelConfig(filepath.Join(dir, ".config")) // unreadable: nil, nothing enabled
	for _, a := range archByConfig {
		if !cfg.Enabled(a.symbol) {
			continue
		}
		arch = a.arch
		switch {
		case a.arch == "riscv" && cfg.Enabled("CONFIG_64BIT"):
			arch = "riscv64"
		case a.arch == "riscv":
			arch = "riscv32"
		case a.arch == "ppc64" && cfg.Enabled("CONFIG_CPU_LITTLE_ENDIAN"):
			arch = "ppc64le"
		}
		return arch, a.srcArch, ".config (" + a.symbol + "=y)"
	}
	// A tree with one architecture folder (Debian's flavour trees) still
	// says which SRCARCH it is for.
	if ents, err := os.ReadDir(filepath.Join(dir, "arch")); err == nil && len(ents) == 1 && ents[0].IsDir() {
		return "", ents[0].Name(), "arch/" + ents[0].Name()
	}
	return "", "", "unknown (no architecture symbol in .config)"
}

// uname is the running kernel's release and machine (uname -r, uname -m),
// both "" when the call fails.
func uname() (release, machine string) {
	var u syscall.Utsname
	if err := syscall.Uname(&u); err != nil {
		return "", ""
	}
	return utsString(u.Release[:]), utsString(u.Machine[:])
}

// utsString is a NUL-terminated utsname field, whose characters are int8
// or uint8 depending on the architecture.
func utsString[T int8 | uint8](field []T) string {
	b := make([]byte, 0, len(field))
	for _, c := range field {
		if c == 0 {
			break
		}
		b = append(b, byte(c))
	}
	return string(b)
}

// VersionLess orders names the way people read versions: digit runs compare
// as numbers, so 6.1.0-9 sorts before 6.1.0-56 and 6.9 before 6.10.
func VersionLess(a, b string) bool {
	for a != "" && b != "" {
		ca, ra := versionChunk(a)
		cb, rb := versionChunk(b)
		if ca != cb {
			da, db := isDigit(ca[0]), isDigit(cb[0])
			switch {
			case da && db:
				na, nb := strings.TrimLeft(ca, "0"), strings.TrimLeft(cb, "0")
				if len(na) != len(nb) {
					return len(na) < len(nb)
				}
				if na != nb {
					return na < nb
				}
			default:
				return ca < cb
			}
		}
		a, b = ra, rb
	}
	return len(a) < len(b)
}

func versionChunk(s string) (chunk, rest string) {
	d := isDigit(s[0])
	i := 1
	for i < len(s) && isDigit(s[i]) == d {
		i++
	}
	return s[:i], s[i:]
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
