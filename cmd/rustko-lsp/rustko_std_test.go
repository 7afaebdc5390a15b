package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/internal/testkernel"
)

// TestCheckRustkoStdCrate: `check` on rust.ko's layout analyses the crate
// the build compiles, not only RUST_FILES (src/*.rs): the std/ path
// dependency's io.rs, reached through std/src/lib.rs's `pub mod io;`, has
// its hard-coded GFP value reported, and std/src/os/float.rs, behind a
// feature the module does not enable, is not analysed (it would be a float
// finding).
func TestCheckRustkoStdCrate(t *testing.T) {
	dir := checkModuleDir(t, "rustko-std", treeFiles(t, filepath.Join("..", "..", "module", "testdata", "rustko")))
	code, diags, _ := checkJSON(t, checkOptions{dir: dir, kdir: testkernel.Dir(t)})
	if code != exitFindings {
		t.Fatalf("exit %d, want %d", code, exitFindings)
	}
	var got []string
	for _, d := range diags {
		// JSON names files relative to the module.
		rel := filepath.ToSlash(d.File)
		if !strings.HasPrefix(rel, "std/") {
			continue
		}
		got = append(got, fmt.Sprintf("%s:%d %s", rel, d.Line, d.Code))
		if d.Code == "hard-coded-constant" && !strings.Contains(d.Message, "GFP_KERNEL") {
			t.Errorf("%s:%d: message does not name GFP_KERNEL: %s", rel, d.Line, d.Message)
		}
	}
	want := []string{"std/src/io.rs:12 hard-coded-constant"}
	if !slices.Equal(got, want) {
		t.Errorf("findings in std/: %q, want %q", got, want)
	}
}
