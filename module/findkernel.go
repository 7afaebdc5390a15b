package module

import (
	"bufio"
	"context"
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
	release:    unameRelease,
	debian:     func() bool { return isFile("/etc/debian_version") },
}

// FindKernel resolves the kernel build tree a module builds against: the
// configured value first (KERNEL_BUILD_PATH), then the running kernel's
// /lib/modules/$(uname -r)/build, then the installed /usr/src/linux-headers-*
// trees holding Module.symvers and .config, newest version first. The running
// kernel is not always the one whose headers are installed (containers, CI,
// Debian's headers on another host kernel), hence the scan.
func FindKernel(ctx context.Context, configured string) (*Kernel, error) {
	return defaultSearch.find(ctx, configured)
}

func (s kernelSearch) find(ctx context.Context, configured string) (*Kernel, error) {
	var skipped []string
	tried := map[string]bool{}
	try := func(dir, foundBy string, needSymvers bool) *Kernel {
		if tried[dir] {
			return nil // rust.ko's default KERNEL_BUILD_PATH is the uname -r path
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

	if configured != "" {
		abs, err := filepath.Abs(configured)
		if err != nil {
			return nil, fmt.Errorf("resolving KERNEL_BUILD_PATH %s: %w", configured, err)
		}
		if k := try(abs, "configured", false); k != nil {
			return k, nil
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rel := s.release()
	if rel != "" {
		if k := try(filepath.Join(s.modulesDir, rel, "build"), "running kernel, "+filepath.Join(s.modulesDir, "$(uname -r)", "build"), false); k != nil {
			return k, nil
		}
	}
	for _, src := range s.srcDirs {
		pattern := filepath.Join(src, "linux-headers-*")
		trees, _ := filepath.Glob(pattern)
		sort.Slice(trees, func(i, j int) bool { return versionLess(trees[j], trees[i]) })
		if len(trees) == 0 {
			skipped = append(skipped, fmt.Sprintf("%s (%s scan): no folder matches", pattern, src))
		}
		for _, dir := range trees {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if k := try(dir, src+" scan", true); k != nil {
				return k, nil
			}
		}
	}
	return nil, s.notFound(rel, skipped)
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
	set := map[string]bool{}
	if f, err := os.Open(filepath.Join(dir, ".config")); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if name, ok := strings.CutSuffix(sc.Text(), "=y"); ok {
				set[name] = true
			}
		}
	}
	for _, a := range archByConfig {
		if !set[a.symbol] {
			continue
		}
		arch = a.arch
		switch {
		case a.arch == "riscv" && set["CONFIG_64BIT"]:
			arch = "riscv64"
		case a.arch == "riscv":
			arch = "riscv32"
		case a.arch == "ppc64" && set["CONFIG_CPU_LITTLE_ENDIAN"]:
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

func unameRelease() string {
	var u syscall.Utsname
	if err := syscall.Uname(&u); err != nil {
		return ""
	}
	b := make([]byte, 0, len(u.Release))
	for _, c := range u.Release {
		if c == 0 {
			break
		}
		b = append(b, byte(c))
	}
	return string(b)
}

// versionLess orders names the way people read versions: digit runs compare
// as numbers, so 6.1.0-9 sorts before 6.1.0-56 and 6.9 before 6.10.
func versionLess(a, b string) bool {
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
