// Package testtree writes the small file trees (modules, kernel trees,
// corpus archives) that tests in several packages build their inputs from.
// Only tests import it.
package testtree

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"golang.org/x/tools/txtar"
)

// Write creates files (slash-separated path -> content) under a fresh
// t.TempDir(), leaving out the names in except, and returns the folder.
func Write(t testing.TB, files map[string]string, except ...string) string {
	t.Helper()
	return WriteIn(t, t.TempDir(), files, except...)
}

// WriteIn is Write into dir, which may already hold other files.
func WriteIn(t testing.TB, dir string, files map[string]string, except ...string) string {
	t.Helper()
	for name, text := range files {
		if slices.Contains(except, name) {
			continue
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// Txtar reads the files of a txtar archive by name.
func Txtar(t testing.TB, path string) map[string]string {
	t.Helper()
	a, err := txtar.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	files := make(map[string]string, len(a.Files))
	for _, f := range a.Files {
		files[f.Name] = string(f.Data)
	}
	return files
}
