package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/build/scaffold"
	"github.com/rustko/rustko-lsp/internal/testkernel"
	"github.com/rustko/rustko-lsp/internal/testtree"
)

// copyFixture copies testdata/rustko-era (an unmodified rust.ko-era module)
// into a fresh folder.
func copyFixture(t *testing.T) string {
	t.Helper()
	return testtree.WriteIn(t, filepath.Join(t.TempDir(), "hello"), treeFiles(t, filepath.Join("testdata", "rustko-era")))
}

func runMigrate(t *testing.T, write bool, dir string) (int, string, error) {
	t.Helper()
	var out bytes.Buffer
	code, err := migrateCommand(context.Background(), write, []string{dir}, &out)
	return code, out.String(), err
}

// TestMigrateBuildBoot: the rust.ko-era fixture → migrate --write → build on
// the pinned kernel (offline: nothing in the migrated module needs the
// registry) → booted under QEMU, it prints rust.ko's three lines.
func TestMigrateBuildBoot(t *testing.T) {
	kdir := testkernel.Dir(t)
	dir := copyFixture(t)
	code, out, err := runMigrate(t, true, dir)
	if err != nil || code != exitOK {
		t.Fatalf("migrate --write: exit %d, %v\n%s", code, err, out)
	}
	var stdout, stderr bytes.Buffer
	t.Setenv("CARGO_NET_OFFLINE", "true")
	if code := run([]string{"build", "--kdir", kdir, dir}, nil, &stdout, &stderr); code != exitOK {
		t.Fatalf("build after migrate: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	ko := filepath.Join(dir, "hello.ko")
	boot := exec.Command(filepath.Join("..", "..", "e2e", "boot.sh"), "-k", kdir,
		"-e", "hello: init", "-e", "Hello from Rust!++", "-e", "hello: exit", ko)
	boot.Env = append(os.Environ(), "RUSTKO_VM_ACCEL="+testAccel)
	log, err := boot.CombinedOutput()
	if err != nil {
		t.Fatalf("booting the migrated module: %v\n%s", err, log)
	}
	for _, want := range []string{"hello: init", "Hello from Rust!++", "hello: exit"} {
		if !strings.Contains(string(log), want) {
			t.Errorf("the kernel log lacks %q:\n%s", want, log)
		}
	}
}

// TestMigratePlan: the dry run lists every change at its file:line, writes
// nothing; --write applies them; a second run has nothing to do.
func TestMigratePlan(t *testing.T) {
	dir := copyFixture(t)
	before := treeFiles(t, dir)
	code, out, err := runMigrate(t, false, dir)
	if err != nil || code != exitOK {
		t.Fatalf("dry run: exit %d, %v\n%s", code, err, out)
	}
	for _, want := range []string{
		"Cargo.toml:10: the linux-std crate", "new: rustko/Cargo.toml",
		"Makefile:29: `make` builds through kbuild.mk with xargo",
		"src/lang.rs:1: PanicInfo is no longer used",
		`src/lang.rs:3: obsolete lang item "eh_personality"`,
		`src/lang.rs:6: obsolete lang item "eh_unwind_resume"`,
		`src/lang.rs:9: obsolete lang item "panic_impl"`,
		"src/lib.rs:1: #![feature(custom_attribute, lang_items, raw)]",
		"src/lib.rs:5: `extern crate linux_std`",
		"src/module.c:8: C shim hack `char __morestack[1024];`",
		"src/module.c:9: C shim hack `char _GLOBAL_OFFSET_TABLE_;`",
		"x86_64-unknown-none-gnu.json:8: x86_64-unknown-none-gnu.json is a rust.ko-era target spec",
		"KERNEL_INCLUDE (Makefile:14: linux/delay.h) is kept",
		"std/ (the linux-std crate) is left in place", "dry run: nothing was written",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the plan lacks %q:\n%s", want, out)
		}
	}
	if after := treeFiles(t, dir); !sameTree(before, after) {
		t.Fatal("the dry run changed files")
	}
	if code, out, err := runMigrate(t, true, dir); err != nil || code != exitOK {
		t.Fatalf("--write: exit %d, %v\n%s", code, err, out)
	}
	after := treeFiles(t, dir)
	for rel, text := range before {
		if _, ok := after[rel]; !ok {
			t.Errorf("%s was deleted", rel)
		}
		if strings.HasPrefix(rel, "std/") && after[rel] != text {
			t.Errorf("%s (the std/ crate) was edited", rel)
		}
	}
	checks := map[string][]string{
		"Cargo.toml":  {`rustko = { path = "rustko" }`, `lto = "fat"`, "codegen-units = 1", "opt-level = 2"},
		"src/lib.rs":  {"#[macro_use]\nextern crate rustko;", "mod bindings;", `println!("Hello from Rust!++");`},
		"Makefile":    {"\t$(RUSTKO) build .", "KERNEL_INCLUDE := linux/delay.h"},
		"src/lang.rs": {},
	}
	for rel, wants := range checks {
		for _, w := range wants {
			if !strings.Contains(after[rel], w) {
				t.Errorf("%s lacks %q:\n%s", rel, w, after[rel])
			}
		}
	}
	for rel, gone := range map[string][]string{
		"Cargo.toml": {"linux-std"}, "src/lib.rs": {"#![feature", "linux_std"},
		"src/lang.rs": {"#[lang", "PanicInfo"}, "src/module.c": {"__morestack", "_GLOBAL_OFFSET_TABLE_"},
		"x86_64-unknown-none-gnu.json": {"custom-unwind-resume", "no-compiler-rt"},
	} {
		for _, g := range gone {
			if strings.Contains(after[rel], g) {
				t.Errorf("%s still holds %q:\n%s", rel, g, after[rel])
			}
		}
	}
	if _, ok := after["rustko/src/lib.rs"]; !ok {
		t.Error("the rustko crate was not written")
	}
	code, out, err = runMigrate(t, true, dir)
	if err != nil || code != exitOK || !strings.Contains(out, "nothing to migrate") {
		t.Fatalf("second run: exit %d, %v\n%s", code, err, out)
	}
	if again := treeFiles(t, dir); !sameTree(after, again) {
		t.Error("the second run changed files")
	}
}

// TestMigrateBadInput: clear messages and nothing written for a folder that
// is not a module, a module that needs nothing, and read-only files.
func TestMigrateBadInput(t *testing.T) {
	t.Run("not a module", func(t *testing.T) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o644)
		code, out, err := runMigrate(t, true, dir)
		if code != exitTool || err == nil || !strings.Contains(err.Error(), "is not a module folder") {
			t.Fatalf("exit %d, err %v\n%s", code, err, out)
		}
	})
	t.Run("needs nothing", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "blinky")
		if _, err := scaffold.Write(dir, "blinky"); err != nil {
			t.Fatal(err)
		}
		before := treeFiles(t, dir)
		code, out, err := runMigrate(t, true, dir)
		if code != exitOK || err != nil || !strings.Contains(out, "nothing to migrate") {
			t.Fatalf("exit %d, err %v\n%s", code, err, out)
		}
		if !sameTree(before, treeFiles(t, dir)) {
			t.Error("files changed")
		}
	})
	for _, ro := range []string{"src/module.c", "Cargo.toml", "x86_64-unknown-none-gnu.json"} {
		t.Run("read-only "+ro, func(t *testing.T) {
			dir := copyFixture(t)
			if err := os.Chmod(filepath.Join(dir, ro), 0o444); err != nil {
				t.Fatal(err)
			}
			before := treeFiles(t, dir)
			code, out, err := runMigrate(t, true, dir)
			if code != exitTool || err == nil || !strings.Contains(err.Error(), ro+" is read-only: nothing was changed") {
				t.Fatalf("exit %d, err %v\n%s", code, err, out)
			}
			if !sameTree(before, treeFiles(t, dir)) {
				t.Error("files changed although migrate refused")
			}
			if _, err := os.Stat(filepath.Join(dir, "rustko")); err == nil {
				t.Error("the rustko crate was written although migrate refused")
			}
			entries, _ := filepath.Glob(filepath.Join(dir, "*", ".*.migrate*"))
			top, _ := filepath.Glob(filepath.Join(dir, ".*.migrate*"))
			if len(entries)+len(top) > 0 {
				t.Errorf("temporary files left: %v %v", entries, top)
			}
		})
	}
}

func sameTree(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
