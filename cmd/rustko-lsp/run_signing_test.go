package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/internal/testkernel"
)

// withHostRoot points the signing checks at a fake root whose
// module.sig_enforce is enforce ("Y" or "N") for the test.
func withHostRoot(t *testing.T, enforce string) {
	t.Helper()
	root := t.TempDir()
	p := filepath.Join(root, "sys", "module", "module", "parameters", "sig_enforce")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(enforce+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	old := hostRoot
	hostRoot = root
	t.Cleanup(func() { hostRoot = old })
}

const signingSays = "an unsigned "

// TestRunSigningNote: run says once that this machine refuses unsigned
// modules, before booting (here the boot then fails: no QEMU on PATH), and
// nothing when signatures are not enforced.
func TestRunSigningNote(t *testing.T) {
	ko := filepath.Join(t.TempDir(), "hello.ko")
	if err := os.WriteFile(ko, []byte("\x7fELF"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		enforce string
		notes   int
	}{{"Y", 1}, {"N", 0}} {
		t.Run("sig_enforce="+tc.enforce, func(t *testing.T) {
			withHostRoot(t, tc.enforce)
			t.Setenv("PATH", t.TempDir())
			code, _, stderr, err := runFor(t, runOptions{dir: ko})
			if code != exitTool || err == nil {
				t.Fatalf("without QEMU: exit %d (%v), want 2", code, err)
			}
			if n := strings.Count(stderr, signingSays); n != tc.notes {
				t.Errorf("signing note %d times, want %d:\n%s", n, tc.notes, stderr)
			}
			if tc.notes > 0 {
				for _, want := range []string{"module.sig_enforce is on", "unsigned hello.ko will not load here", "mokutil --import /var/lib/dkms/mok.pub", "scripts/sign-file sha256 ", "the VM run boots without Secure Boot"} {
					if !strings.Contains(stderr, want) {
						t.Errorf("note lacks %q:\n%s", want, stderr)
					}
				}
			}
		})
	}
}

// TestCheckSigningNote: check says it once on stderr, whatever the format;
// JSON on stdout stays a document.
func TestCheckSigningNote(t *testing.T) {
	files := treeFiles(t, filepath.Join("..", "..", "examples", "hello"))
	delete(files, "src/bindings.rs")
	delete(files, "hello.ko")
	dir := checkModuleDir(t, "hello", files)
	os.Remove(filepath.Join(dir, "hello.ko"))
	for _, tc := range []struct {
		enforce, format string
		notes           int
	}{{"Y", "text", 1}, {"Y", "json", 1}, {"N", "text", 0}} {
		t.Run(tc.enforce+"-"+tc.format, func(t *testing.T) {
			withHostRoot(t, tc.enforce)
			var stdout, stderr bytes.Buffer
			code, err := checkCommand(t.Context(), checkOptions{dir: dir, kdir: testkernel.Dir(t), format: tc.format}, nil, &stdout, &stderr)
			if err != nil || code != exitOK {
				t.Fatalf("check: exit %d (%v)\n%s", code, err, stderr.String())
			}
			if n := strings.Count(stderr.String(), signingSays); n != tc.notes {
				t.Errorf("signing note %d times, want %d:\n%s", n, tc.notes, stderr.String())
			}
			if tc.notes > 0 && !strings.Contains(stderr.String(), "unsigned MODULE.ko will not load") {
				t.Errorf("the note does not speak of the unbuilt module:\n%s", stderr.String())
			}
			if strings.Contains(stdout.String(), signingSays) {
				t.Errorf("the note reached stdout:\n%s", stdout.String())
			}
			if tc.format == "json" && !json.Valid(stdout.Bytes()) {
				t.Errorf("stdout is not JSON:\n%s", stdout.String())
			}
		})
	}
}
