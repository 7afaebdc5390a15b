package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/build/scaffold"
)

// TestNewNextStep: the step new prints works where it is printed. A
// scaffolded Makefile finds rustko-lsp on PATH or at ../../bin/rustko-lsp
// (examples/hello in a checkout); anywhere else the step names the binary
// (found running `rustko-lsp new mymod` with the binary outside PATH:
// `make` stopped with "../../bin/rustko-lsp: No such file or directory").
// Each case runs make -n on the printed command to see what it would run.
func TestNewNextStep(t *testing.T) {
	onPath := func(string) (string, error) { return "/usr/local/bin/rustko-lsp", nil }
	notOnPath := func(string) (string, error) { return "", exec.ErrNotFound }
	exe := "/opt/rk/rustko-lsp"
	for _, tc := range []struct {
		name     string
		look     func(string) (string, error)
		checkout bool // the module sits two levels below a folder with bin/rustko-lsp
		wantRun  string
	}{
		{"on PATH", onPath, false, ""},
		{"in a checkout", notOnPath, true, "../../bin/rustko-lsp build ."},
		{"elsewhere", notOnPath, false, exe + " build ."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			top := t.TempDir()
			dir := filepath.Join(top, "a", "mymod")
			if tc.checkout {
				if err := os.MkdirAll(filepath.Join(top, "bin"), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(top, "bin", "rustko-lsp"), []byte("#!/bin/sh\n"), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := scaffold.Write(dir, "mymod"); err != nil {
				t.Fatal(err)
			}
			step := nextStep(dir, "mymod", tc.look, exe)
			cmd, ok := strings.CutPrefix(strings.TrimSpace(strings.SplitN(strings.TrimSpace(step), "   ", 2)[0]), "next: cd "+dir+" && ")
			if !ok || !strings.HasPrefix(cmd, "make") {
				t.Fatalf("step %q: want next: cd %s && make...", step, dir)
			}
			if tc.wantRun == "" {
				if cmd != "make" {
					t.Errorf("step %q, want a plain make", step)
				}
				return
			}
			// What make would run, with a PATH that has no rustko-lsp.
			args := append([]string{"-n", "-C", dir}, strings.Fields(cmd)[1:]...)
			mk := exec.Command("make", args...)
			mk.Env = append(os.Environ(), "PATH=/usr/bin:/bin")
			out, err := mk.CombinedOutput()
			var ee *exec.ExitError
			if err != nil && !errors.As(err, &ee) {
				t.Fatal(err)
			}
			if !strings.Contains(string(out), tc.wantRun) {
				t.Errorf("step %q: make -n runs\n%s\nwant %q", step, out, tc.wantRun)
			}
			if _, err := os.Stat(filepath.Join(dir, strings.TrimSuffix(tc.wantRun, " build ."))); err != nil && !filepath.IsAbs(tc.wantRun) {
				t.Errorf("step %q: make would run %s, which is not there", step, tc.wantRun)
			}
		})
	}
}
