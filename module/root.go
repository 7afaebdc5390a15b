package module

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// FindRoot walks up from path (a file or folder) to the first folder holding
// the rust.ko markers: Makefile or Kbuild, together with Cargo.toml and/or
// config.mk. Requiring both halves keeps a plain C module or a plain Cargo
// crate from being mistaken for a rust.ko module.
func FindRoot(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("finding the module root of %s: %w", path, err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return "", fmt.Errorf("finding the module root of %s: %w", path, err)
	}
	dir := abs
	if !fi.IsDir() {
		dir = filepath.Dir(abs)
	}
	var looked []string
	for {
		if isRoot(dir) {
			return dir, nil
		}
		looked = append(looked, dir)
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return "", fmt.Errorf("no rust.ko module root at or above %s: looked in %s for a Makefile or Kbuild "+
		"together with Cargo.toml or config.mk; run rustko-lsp from inside a module folder, "+
		"or create one with `rustko-lsp new NAME`", abs, strings.Join(looked, ", "))
}

func isRoot(dir string) bool {
	build := isFile(filepath.Join(dir, "Makefile")) || isFile(filepath.Join(dir, "Kbuild"))
	proj := isFile(filepath.Join(dir, "Cargo.toml")) || isFile(filepath.Join(dir, "config.mk"))
	return build && proj
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}
