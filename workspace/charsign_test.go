package workspace

import (
	"context"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/internal/testkernel"
	"github.com/rustko/rustko-lsp/internal/testtree"
)

// TestPlainCharFollowsTheTree: the shim-signature check reads a C `char`
// parameter as signed or unsigned as the pinned tree's gcc does (kbuild
// passes -funsigned-char from 6.2 on, so 6.12 and 7.x trees differ from
// 6.1): the Rust parameter of the other signedness is the mismatch. gcc
// with the tree's target flags is the oracle.
func TestPlainCharFollowsTheTree(t *testing.T) {
	ctx := context.Background()
	skeleton := testtree.Txtar(t, filepath.Join(corpusDir, "_skeleton.txtar"))
	files := map[string]string{}
	for k, v := range skeleton {
		files[k] = v
	}
	files["src/lib.rs"] = `#![no_std]

extern "C" {
    fn shim_put_i8(c: i8);
    fn shim_put_u8(c: u8);
}

#[no_mangle]
pub extern "C" fn rust_main() {
    unsafe { shim_put_i8(1); shim_put_u8(1) }
}
`
	files["src/module.c"] = strings.Replace(files["src/module.c"], "\n", `
void shim_put_i8(char c) { (void)c; }
void shim_put_u8(char c) { (void)c; }
`, 1)
	dir := testtree.Write(t, files, "charsign")
	w, err := corpusLoader.Load(ctx, dir, Options{Overrides: map[string]string{"KERNEL_BUILD_PATH": testkernel.Dir(t)}, Version: "test"})
	if err != nil {
		t.Fatalf("loading the module: %v", err)
	}
	args := append([]string{"-x", "c", "-E", "-dM"}, w.Flags.TargetFlags...)
	out, err := exec.CommandContext(ctx, w.Flags.Compiler, append(args, "-")...).Output()
	if err != nil {
		t.Fatalf("%s %v: %v", w.Flags.Compiler, args, err)
	}
	unsigned := strings.Contains(string(out), "#define __CHAR_UNSIGNED__ ")
	got := analyzeModule(t, dir)
	var mismatched []string
	for _, f := range got {
		if f.Code == diagnostics.CodeSignatureMismatch {
			for _, name := range []string{"shim_put_i8", "shim_put_u8"} {
				if strings.Contains(f.Message, name) {
					mismatched = append(mismatched, name)
				}
			}
		}
	}
	want := []string{"shim_put_u8"} // char is signed: u8 is the wrong one
	if unsigned {
		want = []string{"shim_put_i8"}
	}
	slices.Sort(mismatched)
	if !slices.Equal(slices.Compact(mismatched), want) {
		t.Errorf("gcc says char is unsigned = %v on %s; signature mismatches on %v, want %v\nfindings: %v",
			unsigned, w.Kernel.Release, mismatched, want, got)
	}
}
