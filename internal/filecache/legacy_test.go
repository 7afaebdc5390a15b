package filecache

import (
	"os"
	"path/filepath"
	"testing"
)

// Opening rustko's default cache folder removes the old layout's folders and
// header index files, and nothing else; a RUSTKO_CACHE_DIR is left alone.
func TestRemoveLegacy(t *testing.T) {
	mk := func(root string) {
		for _, d := range []string{"bindings", "flags", "toolchain", "predefined", "bindings-kept", "sysroot", "e2e", "untrusted"} {
			if err := os.MkdirAll(filepath.Join(root, d, "x"), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		for _, f := range []string{"headers-0123456789abcdef.idx", "notes.txt"} {
			if err := os.WriteFile(filepath.Join(root, f), []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	present := func(root, name string) bool {
		_, err := os.Lstat(filepath.Join(root, name))
		return err == nil
	}

	xdg := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", xdg)
	t.Setenv("RUSTKO_CACHE_DIR", "")
	def := filepath.Join(xdg, "rustko-lsp")
	mk(def)
	dir, err := Dir()
	if err != nil || dir != def {
		t.Fatalf("Dir() = %q, %v; want %q", dir, err, def)
	}
	Open(dir)
	for _, gone := range []string{"bindings", "flags", "toolchain", "predefined", "headers-0123456789abcdef.idx"} {
		if present(def, gone) {
			t.Errorf("%s is still in the default cache folder", gone)
		}
	}
	for _, kept := range []string{"bindings-kept", "sysroot", "e2e", "untrusted", "notes.txt"} {
		if !present(def, kept) {
			t.Errorf("%s was removed", kept)
		}
	}

	own := t.TempDir()
	mk(own)
	t.Setenv("RUSTKO_CACHE_DIR", own)
	if dir, err := Dir(); err != nil || dir != own {
		t.Fatalf("Dir() = %q, %v; want %q", dir, err, own)
	}
	Open(own)
	for _, kept := range []string{"bindings", "flags", "headers-0123456789abcdef.idx"} {
		if !present(own, kept) {
			t.Errorf("%s was removed from a RUSTKO_CACHE_DIR", kept)
		}
	}
}
