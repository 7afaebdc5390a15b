package build

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/internal/testkernel"
	"github.com/rustko/rustko-lsp/workspace"
)

// exampleModule copies examples/hello, without build products, into a
// temporary folder and loads it with RUST_ROOT set.
func exampleModule(t *testing.T, rustRoot string) *workspace.Module {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join("..", "examples", "hello")
	rels := []string{"Makefile", "Cargo.toml", "config.mk.example", "x86_64-unknown-none-gnu.json", "src/lib.rs", "src/hello.c"}
	// The module's copy of the rustko crate, its path dependency.
	crate, err := filepath.Glob(filepath.Join(src, "rustko", "*", "*"))
	if err != nil || len(crate) == 0 {
		t.Fatalf("examples/hello has no rustko crate (%v)", err)
	}
	for _, p := range append(crate, filepath.Join(src, "rustko", "Cargo.toml"), filepath.Join(src, "rustko", "build.rs")) {
		rel, _ := filepath.Rel(src, p)
		rels = append(rels, rel)
	}
	for _, rel := range rels {
		data, err := os.ReadFile(filepath.Join(src, rel))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return load(t, dir, map[string]string{"RUST_ROOT": rustRoot, "KERNEL_BUILD_PATH": testkernel.Dir(t)})
}

// TestExampleHelloBothModes builds examples/hello as `make demo` does, in
// rust-src mode and in host mode (forced on Debian's toolchain, which every
// test machine has; a rustup toolchain without rust-src takes the same
// path), and checks the module is one the installed kernel accepts.
func TestExampleHelloBothModes(t *testing.T) {
	needTools(t)
	for _, mode := range []Mode{ModeRustSrc, ModeHost} {
		t.Run(string(mode), func(t *testing.T) {
			m := exampleModule(t, debianRustRoot)
			res, err := build(t, m, Options{Mode: mode})
			if err != nil {
				t.Fatal(err)
			}
			if res.Mode != mode || res.KO != filepath.Join(m.Root, "hello.ko") || res.HasErrors() {
				t.Fatalf("mode %s, ko %q, errors %v", res.Mode, res.KO, res.HasErrors())
			}
			for _, s := range []Step{StepBindings, StepRust, StepChecks, StepKbuild} {
				found := false
				for _, st := range res.Steps {
					found = found || st.Step == s
				}
				if !found {
					t.Errorf("no %s step in %+v", s, res.Steps)
				}
			}
			out, err := exec.Command("modinfo", "-F", "vermagic", res.KO).Output()
			if err != nil {
				t.Fatalf("modinfo: %v", err)
			}
			if vm := strings.TrimSpace(string(out)); !strings.HasPrefix(vm, res.Kernel.Release+" ") {
				t.Errorf("vermagic %q, want the installed headers' release %s", vm, res.Kernel.Release)
			}
			out, err = exec.Command("modinfo", "-F", "license", res.KO).Output()
			if err != nil || strings.TrimSpace(string(out)) != "GPL" {
				t.Errorf("license %q, %v", out, err)
			}
			ko, err := os.ReadFile(res.KO)
			// rustko's pr_info! hands the formatted text to a fixed KERN_INFO format.
			if err != nil || !strings.Contains(string(ko), "\x016%s%s\x00") || !strings.Contains(string(ko), "hello from rust") {
				t.Errorf("hello.ko does not hold the KERN_INFO format and the message (%v)", err)
			}
		})
	}
}
