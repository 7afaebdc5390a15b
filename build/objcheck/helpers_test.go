package objcheck

import (
	"context"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rustko/rustko-lsp/internal/testkernel"
	"github.com/rustko/rustko-lsp/module"
)

// command runs a tool the tests need in its own process group, killed with
// its children if it outlives the test's deadline.
func command(t testing.TB, dir, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s (in %s): %v\n%s", name, strings.Join(args, " "), dir, err, out)
	}
	return string(out)
}

// compileC compiles src as name.c in dir with gcc and returns the object.
func compileC(t testing.TB, dir, name, src string, flags ...string) string {
	t.Helper()
	gcc := needTool(t, "gcc", "gcc")
	if err := os.WriteFile(filepath.Join(dir, name+".c"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	obj := filepath.Join(dir, name+".o")
	command(t, dir, gcc, append(append([]string{"-c"}, flags...), name+".c", "-o", obj)...)
	return obj
}

// lineOf is the 1-based line of the first line of src containing marker.
func lineOf(t testing.TB, src, marker string) int {
	t.Helper()
	for i, l := range strings.Split(src, "\n") {
		if strings.Contains(l, marker) {
			return i + 1
		}
	}
	t.Fatalf("marker %q not in source", marker)
	return 0
}

// relocTypes counts relocation types in loaded sections, read back with
// debug/elf independently of the package's own reader.
func relocTypes(t testing.TB, obj string) map[elf.R_X86_64]int {
	t.Helper()
	o, err := openObject(obj)
	if err != nil {
		t.Fatal(err)
	}
	n := map[elf.R_X86_64]int{}
	for _, rs := range o.relas {
		if rs.target.Flags&elf.SHF_ALLOC != 0 {
			for _, r := range rs.entries {
				n[r.typ]++
			}
		}
	}
	return n
}

func gotCount(m map[elf.R_X86_64]int) int {
	n := 0
	for t, c := range m {
		if isGOTReloc(t) {
			n += c
		}
	}
	return n
}

// kernelSymvers is the pinned test tree's Module.symvers (testkernel.Dir), so
// the result does not depend on which other trees are installed.
func kernelSymvers(t testing.TB) *module.Symvers {
	t.Helper()
	k, err := module.FindKernel(context.Background(), testkernel.Dir(t))
	if err != nil {
		t.Fatalf("no kernel build tree: %v (apt-get install -y linux-headers-amd64)", err)
	}
	s, err := module.ReadSymvers(k.Symvers)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// needTool finds a program the test cannot do without, failing with the
// Debian package that provides it.
func needTool(t testing.TB, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not found: install the Debian package %s (apt-get install -y %s)", name, pkg, pkg)
	}
	return p
}

// rustupSysroot is the stable toolchain's sysroot (host mode's compiler).
func rustupSysroot(t testing.TB) string {
	t.Helper()
	rustc := hostRustc(t)
	out, err := exec.Command(rustc, "--print", "sysroot").Output()
	if err != nil {
		t.Fatalf("%s --print sysroot: %v", rustc, err)
	}
	return strings.TrimSpace(string(out))
}

// hostRustc is rustup's stable rustc; Debian's 1.63 in /usr/bin is the
// rust-src toolchain.
func hostRustc(t testing.TB) string {
	t.Helper()
	home, _ := os.UserHomeDir()
	for _, p := range []string{os.Getenv("RUSTKO_TEST_HOST_RUSTC"), filepath.Join(home, ".cargo/bin/rustc")} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Fatalf("rustup's stable rustc not found in ~/.cargo/bin: install rustup's stable toolchain, or set RUSTKO_TEST_HOST_RUSTC")
	return ""
}
