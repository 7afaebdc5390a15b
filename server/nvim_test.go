package server

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestNeovimEndToEnd drives the real server from Neovim 0.7 (headless) on a
// copy of examples/hello with testdata/nvim/lib.rs as its src/lib.rs: testdata/nvim/drive.lua types a call to a static
// inline function, waits for the diagnostic, hovers, applies the quick fix,
// saves, waits for the diagnostic to clear after the build, and stops the
// client; the server must then exit 0.
func TestNeovimEndToEnd(t *testing.T) {
	requireRealTools(t)
	nvim, err := exec.LookPath("nvim")
	if err != nil {
		t.Fatal("nvim is not installed: apt-get install neovim (or run `make test`)")
	}
	bin := rustkoBinary(t)
	work, err := filepath.EvalSymlinks(t.TempDir())
	must(t, err)
	module := filepath.Join(work, "hello")
	copyExample(t, "../examples/hello", module)
	// examples/hello prints through rustko::pr_info!; the steps hover a
	// direct _printk call and type a static inline call beside it.
	lib, err := os.ReadFile("testdata/nvim/lib.rs")
	must(t, err)
	must(t, os.WriteFile(filepath.Join(module, "src", "lib.rs"), lib, 0o644))

	results := filepath.Join(work, "results")
	exitFile := filepath.Join(work, "server-exit")
	logFile := filepath.Join(work, "server.log")
	// The shell records the server's exit code for the test to check.
	cmdline := shellQuote(bin) + " serve --log-level debug --log-file " + shellQuote(logFile) + "; echo $? > " + shellQuote(exitFile)
	nvimLua, err := filepath.Abs("../editors/nvim")
	must(t, err)
	drive, err := filepath.Abs("testdata/nvim/drive.lua")
	must(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), 230*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, nvim, "--headless", "-u", "NONE", "-i", "NONE", "-n", "-c", "luafile "+drive)
	cmd.Env = append(os.Environ(), "RUSTKO_CMD="+cmdline, "RUSTKO_MODULE="+module, "RUSTKO_RESULTS="+results, "RUSTKO_NVIM_LUA="+nvimLua)
	cmd.Dir = module
	out, runErr := cmd.CombinedOutput()
	res, _ := os.ReadFile(results)
	t.Logf("Neovim steps:\n%s", res)
	if runErr != nil || !strings.HasSuffix(strings.TrimSpace(string(res)), "PASS") {
		log, _ := os.ReadFile(logFile)
		t.Fatalf("Neovim run failed (%v); its output:\n%s\nserver log (tail):\n%s", runErr, out, tail(string(log), 60))
	}
	// The server ends after the client's shutdown/exit; give the shell a
	// moment to write the code.
	var code []byte
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if code, err = os.ReadFile(exitFile); err == nil && len(code) > 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if strings.TrimSpace(string(code)) != "0" {
		t.Errorf("server exit code %q, want 0 after shutdown and exit", strings.TrimSpace(string(code)))
	}
}

// copyExample copies a module's sources, leaving out what a build made.
func copyExample(t *testing.T, src, dst string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(src, "Makefile")); err != nil {
		t.Fatalf("the example module is missing: %v", err)
	}
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		switch {
		case d.IsDir() && (rel == "build" || rel == "target"):
			return filepath.SkipDir
		case !d.IsDir() && (strings.HasSuffix(rel, ".ko") || rel == "Cargo.lock" || rel == "config.mk" ||
			strings.HasPrefix(rel, filepath.Join("src", "bindings."))):
			return nil
		case d.IsDir():
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	must(t, err)
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
