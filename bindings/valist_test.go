package bindings

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/module"
)

// TestVaListHelper: a static inline taking a va_list gets a helper gcc
// accepts. The parameter is adjusted to a pointer to gcc's va_list record,
// which C cannot name by its tag (frontend.go's vaList, cwrap's speller).
func TestVaListHelper(t *testing.T) {
	dir := t.TempDir()
	h := `typedef __builtin_va_list va_list;
int vformat(char *buf, unsigned long size, const char *fmt, va_list args);
static inline int vwrap(const char *fmt, va_list args) { return vformat(0, 0, fmt, args); }
`
	if err := os.WriteFile(filepath.Join(dir, "vh.h"), []byte(h), 0o644); err != nil {
		t.Fatal(err)
	}
	k := &module.Kernel{Release: "golden", Arch: "x86_64"}
	f := &module.Flags{Compiler: "gcc", IncludeDirs: []string{dir}, Std: "gnu11", TargetFlags: []string{"-m64"}}
	ctx := context.Background()
	g, err := run(ctx, &Options{Kernel: k, Flags: f, Headers: []string{"vh.h"}, Helpers: []string{"vwrap"}, Version: "test"}, func(string) {})
	if err != nil {
		t.Fatal(err)
	}
	if len(g.helpers.Refused) != 0 || len(g.helpers.Wrapped) != 1 {
		t.Fatalf("vwrap: wrapped %v, refused %v", g.helpers.Wrapped, g.helpers.Refused)
	}
	c := filepath.Join(dir, "helpers.c")
	if err := os.WriteFile(c, g.helpers.C, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := runTool(ctx, nil, "gcc", "-m64", "-std=gnu11", "-Werror", "-I", dir, "-c", "-o", filepath.Join(dir, "helpers.o"), c); err != nil {
		t.Fatalf("gcc rejects the helper:\n%s\n%v", g.helpers.C, err)
	}
	for _, want := range []string{"pub type va_list = [__va_list_tag; 1];", "args: *mut __va_list_tag"} {
		if !strings.Contains(string(g.rust), want) {
			t.Errorf("the bindings lack %q", want)
		}
	}
}
