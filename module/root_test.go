package module

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/internal/testtree"
)

func TestFindRoot(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		from  string // relative to the temp folder
		want  string // relative; "" means an error is expected
	}{
		{"file in src", map[string]string{"Makefile": "", "Cargo.toml": "", "src/lib.rs": ""}, "src/lib.rs", "."},
		{"deeply nested", map[string]string{"Makefile": "", "config.mk": "", "src/a/b/c.rs": ""}, "src/a/b/c.rs", "."},
		{"the root folder itself", map[string]string{"Kbuild": "", "Cargo.toml": ""}, ".", "."},
		{"Kbuild and config.mk", map[string]string{"Kbuild": "", "config.mk": "", "src/m.c": ""}, "src/m.c", "."},
		{"innermost module wins", map[string]string{
			"Makefile": "", "Cargo.toml": "", "inner/Makefile": "", "inner/config.mk": "", "inner/src/x.rs": "",
		}, "inner/src/x.rs", "inner"},
		{"a plain cargo crate is not a module", map[string]string{"Cargo.toml": "", "src/lib.rs": ""}, "src/lib.rs", ""},
		{"a plain C Makefile is not a module", map[string]string{"Makefile": "", "main.c": ""}, "main.c", ""},
		{"markers split across levels", map[string]string{"Makefile": "", "sub/Cargo.toml": "", "sub/src/lib.rs": ""}, "sub/src/lib.rs", ""},
		{"a folder named Makefile is no marker", map[string]string{"Makefile/x": "", "Cargo.toml": "", "src/lib.rs": ""}, "src/lib.rs", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := testtree.Write(t, tt.files)
			got, err := FindRoot(filepath.Join(dir, tt.from))
			if tt.want == "" {
				if err == nil {
					// Something above the temp folder could be a module;
					// that would make this case meaningless, not pass.
					t.Fatalf("FindRoot found %s, want an error", got)
				}
				for _, w := range []string{"no rust.ko module root", filepath.Join(dir, filepath.Dir(tt.from)), "Cargo.toml or config.mk"} {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not mention %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if want := filepath.Join(dir, tt.want); got != want {
				t.Errorf("FindRoot = %s, want %s", got, want)
			}
		})
	}
}

func TestFindRootMissingPath(t *testing.T) {
	_, err := FindRoot(filepath.Join(t.TempDir(), "nope", "lib.rs"))
	if err == nil || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("err = %v, want one naming the missing path", err)
	}
}
