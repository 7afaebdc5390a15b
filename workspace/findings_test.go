package workspace

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/internal/testkernel"
)

// TestLicenceUnread: when a source file cannot be read, the licence is
// unknown, not missing: the load warns about the file, and the module
// gets no missing-license error telling it to add the MODULE_LICENSE its
// C shim has. (Found as a non-root user with an unreadable C shim; as root
// a dangling link to a Rust file of the crate does the same.)
func TestLicenceUnread(t *testing.T) {
	for _, tc := range []struct {
		name        string
		dangling    bool // src/gone.rs, `mod gone;`, links to nothing
		licence     string
		wantMissing bool
		wantWarning bool
	}{
		{"readable, licensed", false, `MODULE_LICENSE("GPL");`, false, false},
		{"readable, no licence", false, "", true, false},
		{"unreadable, licensed", true, `MODULE_LICENSE("GPL");`, false, true},
		{"unreadable, no licence", true, "", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := copyHello(t)
			shim := filepath.Join(root, "src", "hello.c")
			b, err := os.ReadFile(shim)
			if err != nil {
				t.Fatal(err)
			}
			touch(t, shim, strings.Replace(string(b), `MODULE_LICENSE("GPL");`, tc.licence, 1))
			if tc.dangling {
				lib := filepath.Join(root, "src", "lib.rs")
				b, err := os.ReadFile(lib)
				if err != nil {
					t.Fatal(err)
				}
				touch(t, lib, string(b)+"\nmod gone;\n")
				if err := os.Symlink(filepath.Join(root, "nowhere.rs"), filepath.Join(root, "src", "gone.rs")); err != nil {
					t.Fatal(err)
				}
			}
			o := Options{Overrides: map[string]string{"KERNEL_BUILD_PATH": testkernel.Dir(t)}, Version: "test"}
			w, err := NewLoader(nil).Load(context.Background(), root, o)
			if err != nil {
				t.Fatal(err)
			}
			missing := false
			for _, f := range w.Findings {
				missing = missing || f.Code == diagnostics.CodeMissingLicense
			}
			warned := strings.Contains(strings.Join(w.Warnings, "\n"), "reading the module licence")
			if missing != tc.wantMissing || warned != tc.wantWarning {
				t.Errorf("missing-license %v (want %v), licence warning %v (want %v)\nfindings %v\nwarnings %q",
					missing, tc.wantMissing, warned, tc.wantWarning, w.Findings, w.Warnings)
			}
		})
	}
}
