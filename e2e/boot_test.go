package e2e

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// bootTimeout bounds one boot.sh run, download included; TCG boots take
// 6-30 s depending on how busy the machine is.
const bootTimeout = 8 * time.Minute

// run starts a command in its own process group and kills the whole group
// when ctx ends, so a hung QEMU or make never outlives the test.
func run(ctx context.Context, dir string, name string, args ...string) (stdout, stderr string, err error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	return out.String(), errb.String(), err
}

// kbuildModules writes C sources into a temporary folder and builds them
// as out-of-tree modules with the kernel's own kbuild.
func kbuildModules(t *testing.T, k bootKernel, sources map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	var objs []string
	for name, src := range sources {
		if err := os.WriteFile(filepath.Join(dir, name+".c"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		objs = append(objs, name+".o")
	}
	if err := os.WriteFile(filepath.Join(dir, "Kbuild"), []byte("obj-m := "+strings.Join(objs, " ")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	name, args := "make", []string{"-C", k.dir, "M=" + dir, "modules"}
	if k.inRoot != "" {
		name, args = inTrixie(t, "make", "-C", k.inRoot, "M="+dir, "modules")
	}
	if _, stderr, err := run(ctx, dir, name, args...); err != nil {
		t.Fatalf("kbuild of test modules failed: %v\n%s\n(needs make and gcc: apt-get install -y make gcc)", err, stderr)
	}
	return dir
}

// boot runs boot.sh on ko and returns its exit code and stderr.
func boot(t *testing.T, k bootKernel, ko string, expect ...string) (int, string) {
	t.Helper()
	args := []string{"-k", k.dir, "-l", filepath.Join(t.TempDir(), "serial.log")}
	for _, e := range expect {
		args = append(args, "-e", e)
	}
	ctx, cancel := context.WithTimeout(context.Background(), bootTimeout)
	defer cancel()
	// boot.sh runs the rustko-lsp under test, not one it builds itself.
	env := []string{"RUSTKO_LSP=" + buildRustko(t), "./boot.sh"}
	_, stderr, err := run(ctx, ".", "env", append(append(env, args...), ko)...)
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, stderr
	case errors.As(err, &exit):
		if exit.ExitCode() == 2 {
			t.Fatalf("boot.sh could not run:\n%s", stderr)
		}
		return exit.ExitCode(), stderr
	}
	t.Fatalf("running boot.sh: %v\n%s", err, stderr)
	return -1, ""
}

const helloC = `#include <linux/module.h>
#include <linux/init.h>
static int __init hello_init(void)
{
	pr_info("hello: init\n");
	pr_info("hello from rust\n");
	return 0;
}
static void __exit hello_exit(void)
{
	pr_info("hello: exit\n");
}
module_init(hello_init);
module_exit(hello_exit);
MODULE_LICENSE("GPL");
`

const oopsC = `#include <linux/module.h>
#include <linux/init.h>
static int __init oops_init(void)
{
	pr_info("oops: init\n");
	*(volatile int *)16 = 1;
	return 0;
}
module_init(oops_init);
MODULE_LICENSE("GPL");
`

// TestBootHarness proves boot.sh both ways on each kernel with C modules
// built by kbuild: one that prints hello's three lines passes, one that
// oopses in its init fails even though its own line is printed.
func TestBootHarness(t *testing.T) {
	for _, k := range bootKernels(t) {
		t.Run(k.release, func(t *testing.T) { t.Parallel(); bootHarness(t, k) })
	}
}

func bootHarness(t *testing.T, k bootKernel) {
	dir := kbuildModules(t, k, map[string]string{"hello": helloC, "oops": oopsC})

	code, log := boot(t, k, filepath.Join(dir, "hello.ko"))
	if code != 0 {
		t.Errorf("booting the C hello module failed (exit %d):\n%s", code, log)
	}
	t.Log(strings.TrimSpace(log))

	code, log = boot(t, k, filepath.Join(dir, "oops.ko"), "oops: init")
	if code != 1 {
		t.Errorf("booting a module that oopses: exit %d, want 1 (a failed check):\n%s", code, log)
	}
	if !strings.Contains(log, "Oops") && !strings.Contains(log, "BUG:") {
		t.Errorf("boot.sh's failure does not name the oops:\n%s", log)
	}
}
