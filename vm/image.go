package vm

import (
	"bytes"
	"context"
	"debug/elf"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/rustko/rustko-lsp/internal/filecache"
	"github.com/rustko/rustko-lsp/internal/proc"
)

// SetupError means the VM could not run at all (no QEMU, no kernel image):
// nothing is known about the module. Install says what to run about it.
type SetupError struct {
	Msg     string
	Install string
	// kvm: QEMU failed to start a guest under KVM, which emulation may not.
	kvm bool
}

func (e *SetupError) Error() string {
	if e.Install == "" {
		return e.Msg
	}
	return e.Msg + ": " + e.Install
}

func setupErr(install, format string, args ...any) error {
	return &SetupError{Msg: fmt.Sprintf(format, args...), Install: install}
}

// ModInfo is what the module's .modinfo section says about it.
type ModInfo struct {
	Name     string
	Vermagic string
	Release  string // first word of vermagic
}

// ReadModInfo reads a .ko's .modinfo section (name=..., vermagic=...), as
// modinfo(8) does, without needing kmod installed.
func ReadModInfo(ko string) (ModInfo, error) {
	f, err := elf.Open(ko)
	if err != nil {
		return ModInfo{}, fmt.Errorf("%s is not a kernel module: %w", ko, err)
	}
	defer f.Close()
	s := f.Section(".modinfo")
	if s == nil {
		return ModInfo{}, fmt.Errorf("%s has no .modinfo section: not a kernel module", ko)
	}
	data, err := s.Data()
	if err != nil {
		return ModInfo{}, fmt.Errorf("%s: reading .modinfo: %w", ko, err)
	}
	var mi ModInfo
	for _, kv := range bytes.Split(data, []byte{0}) {
		k, v, ok := strings.Cut(string(kv), "=")
		if !ok {
			continue
		}
		switch k {
		case "name":
			mi.Name = v
		case "vermagic":
			mi.Vermagic = v
		}
	}
	if mi.Name == "" {
		mi.Name = strings.TrimSuffix(filepath.Base(ko), ".ko")
	}
	mi.Release, _, _ = strings.Cut(mi.Vermagic, " ")
	if mi.Release == "" {
		return mi, fmt.Errorf("%s has no vermagic: not a kernel module built by kbuild", ko)
	}
	return mi, nil
}

var utsRelease = regexp.MustCompile(`(?m)^#define UTS_RELEASE "([^"]+)"`)

// TreeRelease is a kernel build tree's UTS_RELEASE: the image must be that
// very release, and Debian's 6.1.0-NN moves with every kernel update, so it
// is read, never assumed.
func TreeRelease(tree string) (string, error) {
	b, err := os.ReadFile(filepath.Join(tree, "include/generated/utsrelease.h"))
	if err != nil {
		return "", fmt.Errorf("%s is not a kernel build tree: %w", tree, err)
	}
	m := utsRelease.FindSubmatch(b)
	if m == nil {
		return "", fmt.Errorf("%s/include/generated/utsrelease.h has no UTS_RELEASE", tree)
	}
	return string(m[1]), nil
}

// DefaultCache is where kernel images are kept: $RUSTKO_E2E_CACHE, else
// ${XDG_CACHE_HOME:-~/.cache}/rustko-lsp/e2e (the layout scripts/kernels.sh
// --images fills).
func DefaultCache() string {
	if c := os.Getenv("RUSTKO_E2E_CACHE"); c != "" {
		return c
	}
	base := os.Getenv("XDG_CACHE_HOME")
	if base == "" {
		home, _ := os.UserHomeDir()
		base = filepath.Join(home, ".cache")
	}
	return filepath.Join(base, "rustko-lsp", "e2e")
}

// imagePackage is Debian's package holding release's kernel, unsigned (the
// signed one would do for QEMU too, but the unsigned one is what the headers
// were built with).
func imagePackage(release string) string { return "linux-image-" + release + "-unsigned" }

// FindImage returns the cached kernel image for release, downloading
// Debian's image package into the cache first when it is not there. The
// package is never installed (its scripts would touch /boot): only its
// vmlinuz is unpacked.
func FindImage(ctx context.Context, cache, release string, progress io.Writer) (string, error) {
	img := filepath.Join(cache, imagePackage(release), "boot", "vmlinuz-"+release)
	if st, err := os.Stat(img); err == nil && st.Size() > 0 {
		return img, nil
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return "", fmt.Errorf("kernel image cache: %w", err)
	}
	// One download at a time when several runs start on a fresh machine.
	unlock, err := filecache.Lock(ctx, filepath.Join(cache, ".lock"))
	if err != nil {
		return "", fmt.Errorf("locking the kernel image cache: %w", err)
	}
	defer unlock()
	if st, err := os.Stat(img); err == nil && st.Size() > 0 {
		return img, nil
	}
	if err := download(ctx, cache, release, progress); err != nil {
		return "", err
	}
	return img, nil
}

func download(ctx context.Context, cache, release string, progress io.Writer) error {
	pkg := imagePackage(release)
	manual := fmt.Sprintf("apt-get update, then check that %s exists for the headers' release (or name an image with --image FILE)", pkg)
	for _, tool := range []string{"apt-get", "dpkg-deb", "tar"} {
		if _, err := exec.LookPath(tool); err != nil {
			return setupErr("name the kernel image with --image FILE", "no kernel image for %s in %s and %s is not there to download %s", release, cache, tool, pkg)
		}
	}
	// Pin the image to the headers' package version so the two match.
	spec := pkg
	if out, err := exec.CommandContext(ctx, "dpkg-query", "-W", "-f=${Version}", "linux-headers-"+release).Output(); err == nil && len(out) > 0 {
		spec = pkg + "=" + string(out)
	}
	dl, err := os.MkdirTemp(cache, "download.")
	if err != nil {
		return fmt.Errorf("kernel image cache: %w", err)
	}
	defer os.RemoveAll(dl)
	fmt.Fprintf(progress, "rustko: downloading %s (about 70 MB, once) into %s\n", spec, cache)
	// As root, apt hands the download to its _apt user, which cannot write
	// into a private cache: download as ourselves.
	me := "root"
	if u, err := user.Current(); err == nil {
		me = u.Username
	}
	get := func(spec string) error {
		_, err := proc.Run(ctx, proc.Cmd{Name: "apt-get", Args: []string{"download", "-o", "APT::Sandbox::User=" + me, spec},
			Dir: dl, Stdout: progress, Stderr: progress})
		return err
	}
	if err := get(spec); err != nil {
		if spec == pkg || get(pkg) != nil {
			return setupErr(manual, "apt-get download %s failed", pkg)
		}
	}
	debs, _ := filepath.Glob(filepath.Join(dl, "*.deb"))
	if len(debs) != 1 {
		return setupErr(manual, "apt-get download %s left %d packages", pkg, len(debs))
	}
	dir := filepath.Join(cache, pkg)
	tmp := dir + ".tmp"
	os.RemoveAll(tmp)
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return fmt.Errorf("kernel image cache: %w", err)
	}
	// Only the kernel: the package's 400 MB of modules are not needed.
	script := `dpkg-deb --fsys-tarfile "$1" | tar -x -C "$2" "./boot/vmlinuz-$3"`
	if _, err := proc.Run(ctx, proc.Cmd{Name: "sh", Args: []string{"-c", script, "sh", debs[0], tmp, release}, Stderr: progress}); err != nil {
		os.RemoveAll(tmp)
		return setupErr(manual, "%s holds no boot/vmlinuz-%s", filepath.Base(debs[0]), release)
	}
	os.RemoveAll(dir)
	if err := os.Rename(tmp, dir); err != nil {
		return fmt.Errorf("kernel image cache: %w", err)
	}
	return nil
}

// staticBusybox finds a busybox that runs in an initramfs without libraries.
func staticBusybox() (string, error) {
	bb, err := exec.LookPath("busybox")
	if err != nil {
		return "", setupErr("apt-get install -y busybox-static", "busybox not found")
	}
	f, err := elf.Open(bb)
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", bb, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return "", setupErr("apt-get install -y busybox-static", "%s is dynamically linked and cannot run in the VM's initramfs", bb)
		}
	}
	return bb, nil
}
