package scaffold

import (
	"bytes"
	"context"
	"flag"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/module"
)

var update = flag.Bool("update", false, "rewrite examples/hello from the template")

// exampleDir is the example generated from the template.
const exampleDir = "../../examples/hello"

// buildProducts are what a build leaves in a module folder; the example's
// .gitignore covers them and they are no part of the template.
func isBuildProduct(rel string) bool {
	switch {
	case rel == "build" || strings.HasPrefix(rel, "build/"),
		strings.HasSuffix(rel, ".ko"),
		rel == "src/bindings.rs", rel == "src/bindings.index", rel == "src/rustko_helpers.c",
		rel == "Cargo.lock", rel == "config.mk":
		return true
	}
	return false
}

// TestExampleMatchesTemplate keeps examples/hello and `rustko-lsp new`
// from drifting apart: the example is the template rendered for "hello".
// Run `go test ./build/scaffold -run TestExampleMatchesTemplate -update`
// after changing the template.
func TestExampleMatchesTemplate(t *testing.T) {
	files, err := Files("hello")
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		for _, rel := range slices.Sorted(maps.Keys(files)) {
			p := filepath.Join(exampleDir, filepath.FromSlash(rel))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, files[rel], 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, rel := range slices.Sorted(maps.Keys(files)) {
		got, err := os.ReadFile(filepath.Join(exampleDir, filepath.FromSlash(rel)))
		if err != nil {
			t.Errorf("examples/hello lacks %s (run this test with -update): %v", rel, err)
			continue
		}
		if !bytes.Equal(got, files[rel]) {
			t.Errorf("examples/hello/%s differs from the template; change build/scaffold/template and run this test with -update", rel)
		}
	}
	err = filepath.WalkDir(exampleDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(exampleDir, p)
		rel = filepath.ToSlash(rel)
		if rel == "." || isBuildProduct(rel) {
			if d.IsDir() && rel != "." {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.IsDir() {
			if _, ok := files[rel]; !ok {
				t.Errorf("examples/hello/%s is not in the template; add it to build/scaffold/template or remove it", rel)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestFiles(t *testing.T) {
	files, err := Files("blinky")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{".gitignore", "Cargo.toml", "Makefile", "config.mk.example",
		"rustko/Cargo.toml", "rustko/build.rs", "rustko/c/rustko_rt.c", "rustko/src/error.rs", "rustko/src/kalloc.rs",
		"rustko/src/lib.rs", "rustko/src/panic.rs", "rustko/src/print.rs",
		"src/blinky.c", "src/lib.rs", "x86_64-unknown-none-gnu.json"}
	if got := slices.Sorted(maps.Keys(files)); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("files %v, want %v", got, want)
	}
	// The module's Cargo.toml names its copy of the crate, offline.
	if !bytes.Contains(files["Cargo.toml"], []byte(`rustko = { path = "`+CrateDir+`" }`)) {
		t.Errorf("Cargo.toml does not depend on the crate at %s/:\n%s", CrateDir, files["Cargo.toml"])
	}
	for rel, data := range files {
		// "hello from rust" is the message every module starts with.
		rest := bytes.ReplaceAll(data, []byte("hello from rust"), nil)
		if bytes.Contains(rest, []byte("{{")) || bytes.Contains(rest, []byte("hello")) {
			t.Errorf("%s still holds a placeholder or the example's name", rel)
		}
	}
	for _, want := range []string{"static int __init blinky_init(void)", `pr_info("blinky: init\n");`, `MODULE_LICENSE("GPL");`} {
		if !bytes.Contains(files["src/blinky.c"], []byte(want)) {
			t.Errorf("the C shim lacks %q", want)
		}
	}
}

func TestValidName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"hello", true}, {"my_mod2", true},
		{"", false}, {"Hello", false}, {"2fast", false}, {"my-mod", false}, {"a b", false}, {"../x", false},
		{"core", false}, {"std", false}, {"fn", false},
	}
	for _, tt := range tests {
		if err := ValidName(tt.name); (err == nil) != tt.ok {
			t.Errorf("ValidName(%q) = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}

// TestWriteLoads writes a new module and reads it back the way every
// other command does: GNU make evaluates its Makefile.
func TestWriteLoads(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "blinky")
	written, err := Write(dir, "blinky")
	if err != nil {
		t.Fatal(err)
	}
	if files, _ := Files("blinky"); len(written) != len(files) {
		t.Errorf("wrote %d files: %v", len(written), written)
	}
	root, err := module.FindRoot(filepath.Join(dir, "src", "lib.rs"))
	if err != nil || root != dir {
		t.Fatalf("FindRoot = %q, %v; want %s", root, err, dir)
	}
	m, err := module.Load(context.Background(), dir, map[string]string{"RUST_ROOT": "/usr"})
	if err != nil {
		t.Fatal(err)
	}
	v := m.Vars
	if v.KernelModule != "blinky" || v.Target != filepath.Join(dir, "x86_64-unknown-none-gnu.json") ||
		v.BuildDirectory != filepath.Join(dir, "build") || strings.Join(v.KernelInclude, " ") != "linux/panic.h" ||
		len(v.CFiles) != 1 || v.CFiles[0] != filepath.Join(dir, "src", "blinky.c") || v.Bindings != filepath.Join(dir, "src", "bindings.rs") {
		t.Errorf("loaded %+v", v)
	}
	if _, err := Write(dir, "blinky"); err == nil {
		t.Error("Write over a non-empty folder succeeded")
	}
	if _, err := Write(filepath.Join(t.TempDir(), "x"), "Bad-Name"); err == nil {
		t.Error("Write accepted an invalid name")
	}
}
