package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/internal/testkernel"
)

// TestBindgenHelpers runs `rustko-lsp bindgen` in a module whose config.mk
// lists a helper and a name that does not exist: the helper file and the
// Rust declaration are written, the bad name is reported at config.mk's
// line, the rest of the bindings are generated, and the exit status says
// there are findings.
func TestBindgenHelpers(t *testing.T) {
	makefile, err := os.ReadFile("../../examples/hello/Makefile")
	if err != nil {
		t.Fatal(err)
	}
	cargo, err := os.ReadFile("../../examples/hello/Cargo.toml")
	if err != nil {
		t.Fatal(err)
	}
	dir := checkModuleDir(t, "bindgen-helpers", map[string]string{
		"Makefile":    string(makefile),
		"Cargo.toml":  string(cargo),
		"config.mk":   "KERNEL_INCLUDE := linux/slab.h linux/uaccess.h\nKERNEL_HELPERS := kmalloc \\\n  no_such_helper\n",
		"src/hello.c": "#include <linux/module.h>\nMODULE_LICENSE(\"GPL\");\n",
	})
	t.Chdir(dir)
	errFile, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer errFile.Close()
	code, err := runBindgen(context.Background(), bindgenOpts{kdir: testkernel.Dir(t), logLevel: "error"}, errFile)
	if err != nil {
		t.Fatal(err)
	}
	stderr, _ := os.ReadFile(errFile.Name())
	if code != exitFindings {
		t.Errorf("exit status %d, want %d (findings)\n%s", code, exitFindings, stderr)
	}
	if !strings.Contains(string(stderr), "config.mk:2: KERNEL_HELPERS: no_such_helper is not declared") {
		t.Errorf("the bad name is not reported at config.mk's line:\n%s", stderr)
	}
	c, err := os.ReadFile(filepath.Join(dir, "src", "rustko_helpers.c"))
	if err != nil || !strings.Contains(string(c), "rustko_helper_kmalloc(size_t size, gfp_t flags)") {
		t.Errorf("helper file: %v\n%s", err, c)
	}
	rs, err := os.ReadFile(filepath.Join(dir, "src", "bindings.rs"))
	if err != nil || !strings.Contains(string(rs), `#[link_name = "rustko_helper_kmalloc"]`) || !strings.Contains(string(rs), "pub fn kfree(") {
		t.Errorf("bindings: %v (%d bytes)", err, len(rs))
	}
}
