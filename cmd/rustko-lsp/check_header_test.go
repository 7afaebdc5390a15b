package main

import (
	"path/filepath"
	"testing"

	"github.com/rustko/rustko-lsp/internal/testkernel"
)

// TestCheckMissingHeader: a KERNEL_INCLUDE typo in config.mk is a finding
// on its line (exit 1), with and without --build, once: not exit 2 with
// no position, which is what CI took for "the tool is broken".
func TestCheckMissingHeader(t *testing.T) {
	files := treeFiles(t, filepath.Join("..", "..", "examples", "hello"))
	delete(files, "src/bindings.rs")
	delete(files, "src/bindings.index")
	files["config.mk"] = "# settings\nKERNEL_INCLUDE += linux/nosuch.h\n"
	dir := checkModuleDir(t, "missing-header", files)
	for _, build := range []bool{false, true} {
		code, diags, errs := checkJSON(t, checkOptions{dir: dir, kdir: testkernel.Dir(t), build: build})
		var got []jsonDiagnostic
		for _, d := range diags {
			if d.Code == "bindings" {
				got = append(got, d)
			}
		}
		if code != exitFindings || len(got) != 1 || got[0].File != "config.mk" || got[0].Line != 2 || got[0].Severity != "error" {
			t.Errorf("check (build %v): exit %d, bindings findings %+v; want exit %d and one error at config.mk:2\n%s", build, code, got, exitFindings, errs)
		}
	}
}
