package e2e

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestBootHello is the promise end to end: examples/hello built by
// rustko in each toolchain mode loads in each real kernel, prints its three
// lines and unloads cleanly.
func TestBootHello(t *testing.T) {
	kernels := bootKernels(t)
	bin := buildRustko(t)
	src, err := filepath.Abs("../examples/hello")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(src, "Makefile")); err != nil {
		t.Fatalf("examples/hello has no Makefile (%v): the boot test needs the example module", err)
	}
	for _, k := range kernels {
		for _, mode := range k.modes {
			t.Run(k.release+"/"+mode, func(t *testing.T) { t.Parallel(); bootHello(t, bin, src, k, mode) })
		}
	}
}

func bootHello(t *testing.T, bin, src string, k bootKernel, mode string) {
	dir := copyModule(t, src)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	name, args := bin, []string{"build", "--mode", mode, "--kdir", k.dir, "."}
	if k.inRoot != "" {
		name, args = inTrixie(t, bin, "build", "--mode", mode, "--kdir", k.inRoot, ".")
	}
	stdout, stderr, err := run(ctx, dir, name, args...)
	if err != nil {
		t.Fatalf("rustko-lsp build --mode %s failed: %v\n%s\n%s", mode, err, stdout, stderr)
	}
	if !strings.Contains(stderr, "("+mode+" mode)") {
		t.Errorf("the build does not say it used %s mode:\n%s", mode, stderr)
	}
	kos, _ := filepath.Glob(filepath.Join(dir, "*.ko"))
	if len(kos) != 1 {
		t.Fatalf("build left %d .ko files in the module root, want 1: %v\n%s", len(kos), kos, stderr)
	}
	code, log := boot(t, k, kos[0])
	if code != 0 {
		t.Errorf("booting examples/hello built in %s mode failed:\n%s", mode, log)
	}
	t.Log(strings.TrimSpace(log))
}

// buildRustko compiles the command under test once per test binary into a
// temporary folder (removed by TestMain), so the tests never run a stale
// bin/rustko-lsp and boot.sh does not build its own copy for every boot.
func buildRustko(t *testing.T) string {
	t.Helper()
	rustkoOnce.Do(func() {
		dir, err := os.MkdirTemp("", "rustko-e2e-bin-")
		if err != nil {
			rustkoErr = err.Error()
			return
		}
		rustkoDir = dir
		bin := filepath.Join(dir, "rustko-lsp")
		goTool, err := exec.LookPath("go")
		if err != nil {
			rustkoErr = "no go command to build rustko-lsp with"
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		if _, stderr, err := run(ctx, "..", goTool, "build", "-o", bin, "./cmd/rustko-lsp"); err != nil {
			rustkoErr = fmt.Sprintf("go build ./cmd/rustko-lsp: %v\n%s", err, stderr)
			return
		}
		rustkoBin = bin
	})
	if rustkoErr != "" {
		t.Fatal(rustkoErr)
	}
	return rustkoBin
}

var (
	rustkoOnce                      sync.Once
	rustkoBin, rustkoDir, rustkoErr string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if rustkoDir != "" {
		os.RemoveAll(rustkoDir)
	}
	os.Exit(code)
}

// copyModule copies a module's sources (not its build products) into a
// temporary folder, so the test neither depends on nor disturbs a build in
// the working tree.
func copyModule(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() && (rel == "build" || rel == "target" || strings.HasPrefix(d.Name(), ".")) && rel != "." {
			return filepath.SkipDir
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".ko") || d.Name() == "Cargo.lock") {
			return nil
		}
		out := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(out, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(out, data, 0o644)
	})
	if err != nil {
		t.Fatalf("copying %s: %v", src, err)
	}
	return dst
}
