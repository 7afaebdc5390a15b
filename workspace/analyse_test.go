package workspace

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/internal/testkernel"
)

// TestAnalyseMissingHeader: a KERNEL_INCLUDE header the kernel tree does
// not have is the module's mistake, so the analysis reports it as the
// build does (a bindings error on the line that set KERNEL_INCLUDE) with
// the module-level findings, instead of failing as if the tool could not
// run (check's exit 2, with no file or line).
func TestAnalyseMissingHeader(t *testing.T) {
	for _, tc := range []struct {
		name      string
		config    string // config.mk
		overrides map[string]string
		file      string // want the finding there, relative to the module
		line      int
	}{
		{"typo in config.mk", "# mine\nKERNEL_INCLUDE += linux/nosuch.h\n", nil, "config.mk", 2},
		{"replaced in config.mk", "KERNEL_INCLUDE := linux/fs.h \\\n  linux/nosuch.h\n", nil, "config.mk", 1},
		{"from the editor or the command line", "", map[string]string{"KERNEL_INCLUDE": "linux/nosuch.h"}, "Makefile", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := copyHello(t)
			if tc.config != "" {
				touch(t, filepath.Join(root, "config.mk"), tc.config)
			}
			overrides := map[string]string{"KERNEL_BUILD_PATH": testkernel.Dir(t)}
			for k, v := range tc.overrides {
				overrides[k] = v
			}
			w, err := NewLoader(nil).Load(context.Background(), root, Options{Overrides: overrides, Version: "test"})
			if err != nil {
				t.Fatal(err)
			}
			got, err := w.Analyse(context.Background(), AnalyseOptions{})
			if err != nil {
				t.Fatalf("analysis failed: %v; want a finding", err)
			}
			if len(got) != 1 {
				t.Fatalf("findings %+v, want one", got)
			}
			f := got[0]
			if f.Code != diagnostics.CodeBindings || f.Severity != diagnostics.Error || f.File != filepath.Join(root, tc.file) ||
				f.Range.Start.Line != tc.line || !strings.Contains(f.Message, "header linux/nosuch.h not found") {
				t.Errorf("finding %s:%d %s %q, want a bindings error at %s:%d naming linux/nosuch.h",
					f.File, f.Range.Start.Line, f.Code, f.Message, tc.file, tc.line)
			}
		})
	}
}
