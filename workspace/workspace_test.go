package workspace

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rustko/rustko-lsp/internal/testkernel"
)

// copyHello copies examples/hello (without what a build or bindgen left
// there) into a temp folder.
func copyHello(t testing.TB) string {
	t.Helper()
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join("..", "examples", "hello")
	err = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		switch rel {
		case "build", "hello.ko", "src/bindings.rs", "src/bindings.index":
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// touch rewrites a file with new content and a time the stamp must see.
func touch(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(2 * time.Second)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
}

// TestLoadAssemblesAndCaches: one load gives every input the analysis and
// the build need; the next load is the same value until a file it was read
// from changes (config.mk appearing, the licence's source file edited).
func TestLoadAssemblesAndCaches(t *testing.T) {
	root := copyHello(t)
	kdir := testkernel.Dir(t)
	l := NewLoader(nil)
	ctx := context.Background()
	o := Options{Overrides: map[string]string{"KERNEL_BUILD_PATH": kdir}, Version: "test"}
	w, err := l.Load(ctx, root, o)
	if err != nil {
		t.Fatal(err)
	}
	if w.KernelErr != nil || w.Kernel == nil || w.Kernel.Dir != kdir {
		t.Fatalf("kernel %+v, error %v; want %s", w.Kernel, w.KernelErr, kdir)
	}
	if w.Flags == nil || len(w.Flags.IncludeDirs) == 0 || w.Symvers == nil || w.Symvers.Len() == 0 || w.Headers == nil {
		t.Errorf("flags %v, symvers %v, header index %v: want all three", w.Flags, w.Symvers, w.Headers)
	}
	// The header index (50 MB) is read by the analysis only: bindgen and
	// build never pay for it.
	if w.Headers.Loaded() {
		t.Error("the header index was loaded before any analysis asked for it")
	}
	if w.Env(nil); !w.Headers.Loaded() {
		t.Error("Env did not load the header index")
	}
	if w.License == nil || w.License.Value != "GPL" || filepath.Base(w.License.File) != "hello.c" {
		t.Errorf("licence %+v, want GPL from src/hello.c", w.License)
	}
	if w.Toolchain == nil || !w.Toolchain.Release.Known() || len(w.Toolchain.DataLayouts) == 0 || w.Toolchain.Cargo == "" {
		t.Errorf("toolchain %+v, want Debian's rustc probed (examples/hello names a target spec)", w.Toolchain)
	}
	if w.Sources == nil || len(w.Sources.Rust) == 0 || len(w.Warnings) != 0 || len(w.Findings) != 0 {
		t.Errorf("sources %v, warnings %q, findings %v; want the crate's files and nothing to report", w.Sources, w.Warnings, w.Findings)
	}
	bo := w.BindingsOptions()
	if bo.Out != filepath.Join(root, "src", "bindings.rs") || bo.Kernel != w.Kernel || bo.Flags != w.Flags || bo.Symvers != w.Symvers || bo.Version != "test" ||
		!strings.Contains(strings.Join(bo.Headers, " "), "linux/panic.h") {
		t.Errorf("bindings options %+v", bo)
	}

	again, err := l.Load(ctx, root, o)
	if err != nil || again != w {
		t.Fatalf("second load: %p, %v; want the cached %p", again, err, w)
	}
	other, err := l.Load(ctx, root, Options{Overrides: o.Overrides, Version: "test", ExtraHeaders: []string{"linux/delay.h"}})
	if err != nil || other == w || !strings.Contains(strings.Join(other.Vars.KernelInclude, " "), "linux/delay.h") {
		t.Fatalf("load with an extra header: %v, %v", other.Vars.KernelInclude, err)
	}

	touch(t, filepath.Join(root, "config.mk"), "KERNEL_MODULE := renamed\n")
	w2, err := l.Load(ctx, root, o)
	if err != nil || w2 == w || w2.Vars.KernelModule != "renamed" {
		t.Fatalf("after config.mk appeared: %p (module %q), %v; want a new reading", w2, w2.Vars.KernelModule, err)
	}
	c := filepath.Join(root, "src", "hello.c")
	b, err := os.ReadFile(c)
	if err != nil {
		t.Fatal(err)
	}
	touch(t, c, strings.Replace(string(b), `MODULE_LICENSE("GPL")`, `MODULE_LICENSE("Proprietary")`, 1))
	w3, err := l.Load(ctx, root, o)
	if err != nil || w3 == w2 || w3.License == nil || w3.License.Value != "Proprietary" {
		t.Fatalf("after the licence changed: %+v, %v", w3.License, err)
	}
	if len(w3.Findings) != 1 || w3.Findings[0].Code != "non-gpl-license" {
		t.Errorf("module findings %v, want the non-gpl-license one", w3.Findings)
	}
	// make sees the environment: a changed one is another reading.
	t.Setenv("BUILD_DIRECTORY", "elsewhere")
	w4, err := l.Load(ctx, root, o)
	if err != nil || w4 == w3 || w4.Vars.BuildDirectory != filepath.Join(root, "elsewhere") {
		t.Fatalf("after the environment changed: BUILD_DIRECTORY %q, %v", w4.Vars.BuildDirectory, err)
	}
}

// TestBadCargoToml: a Cargo.toml that is not TOML stops check's analysis
// with an error naming the file and its line (module.ReadManifest), as
// cargo would stop the build.
func TestBadCargoToml(t *testing.T) {
	root := copyHello(t)
	manifest := filepath.Join(root, "Cargo.toml")
	touch(t, manifest, "[package]\nname = \"hello\"\nname = \"twice\"\n")
	o := Options{Overrides: map[string]string{"KERNEL_BUILD_PATH": testkernel.Dir(t)}, Version: "test"}
	w, err := NewLoader(nil).Load(context.Background(), root, o)
	if err != nil {
		t.Fatal(err)
	}
	want := manifest + ":3: "
	if w.SourcesErr == nil || !strings.Contains(w.SourcesErr.Error(), want) {
		t.Errorf("sources error %v, want one containing %q", w.SourcesErr, want)
	}
	if _, err := w.Analyse(context.Background(), AnalyseOptions{}); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("analysis error %v, want one containing %q", err, want)
	}
}

// TestLoadUntrustedKernelInside: an untrusted module's own kernel tree is
// never run (its Makefile is the module's); the system's is used and the
// user told why.
func TestLoadUntrustedKernelInside(t *testing.T) {
	root := copyHello(t)
	testkernel.Dir(t) // a system tree must exist
	sentinel := filepath.Join(root, "SENTINEL")
	touch(t, filepath.Join(root, "config.mk"), "X := $(shell touch "+sentinel+")\n")
	// The editor's kernelDir setting naming a folder of the module.
	w, err := NewLoader(nil).Load(context.Background(), root, Options{Untrusted: true, Overrides: map[string]string{"KERNEL_BUILD_PATH": root + "/linux"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(sentinel); err == nil {
		t.Fatal("the untrusted module's config.mk was evaluated")
	}
	if len(w.Warnings) == 0 || !strings.Contains(w.Warnings[0], "lies inside the module") {
		t.Errorf("warnings %q, want the one about KERNEL_BUILD_PATH inside the module", w.Warnings)
	}
	if w.Kernel == nil || strings.HasPrefix(w.Kernel.Dir, root) {
		t.Errorf("kernel %+v (error %v), want a system tree", w.Kernel, w.KernelErr)
	}
	bo := w.BindingsOptions()
	if strings.HasPrefix(bo.Out, root) || bo.IndexOut != "" || bo.HelpersOut != "" {
		t.Errorf("untrusted bindings go to %q (index %q, helpers %q), want the cache", bo.Out, bo.IndexOut, bo.HelpersOut)
	}
}

// TestLoadTreeWithoutSymvers: a configured tree without Module.symvers is
// used, and the export checks are off with a warning, for every caller
// alike (check once required the file, the editor did not).
func TestLoadTreeWithoutSymvers(t *testing.T) {
	real := testkernel.Dir(t)
	tree := filepath.Join(t.TempDir(), "tree")
	if err := os.MkdirAll(tree, 0o755); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(real)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if e.Name() != "Module.symvers" {
			if err := os.Symlink(filepath.Join(real, e.Name()), filepath.Join(tree, e.Name())); err != nil {
				t.Fatal(err)
			}
		}
	}
	tr, warnings, err := NewLoader(nil).LoadTree(context.Background(), tree)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Symvers != nil || tr.Flags == nil || len(warnings) != 1 || !strings.Contains(warnings[0], "no Module.symvers") {
		t.Errorf("symvers %v, flags %v, warnings %q", tr.Symvers, tr.Flags, warnings)
	}
}

// inside decides whether an untrusted module's kernel tree or RUST_ROOT is
// the module's own (and so must not be run).
func TestInside(t *testing.T) {
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(dir, "mod")
	outside := filepath.Join(dir, "elsewhere")
	for _, d := range []string{filepath.Join(root, "linux"), outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(outside, filepath.Join(root, "link-out")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(root, "linux"), filepath.Join(dir, "link-in")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		want bool
	}{
		{root, true},
		{filepath.Join(root, "linux"), true},
		{filepath.Join(root, "not-yet", "there"), true},
		{filepath.Join(root, "linux", "..", "..", "elsewhere"), false},
		{dir + "/mod-sibling", false},
		{dir, false},
		{"/usr/src", false},
		{"", false},
		{filepath.Join(root, "link-out"), false}, // leads outside the module
		{filepath.Join(dir, "link-in"), true},    // leads into it
	}
	for _, tc := range tests {
		if got := inside(root, tc.path); got != tc.want {
			t.Errorf("inside(%s, %s) = %v, want %v", root, tc.path, got, tc.want)
		}
	}
}

// TestStamps: a stamp notices content, time, appearance and removal.
func TestStamps(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	absent := []stamp{stampOf(p)}
	touch(t, p, "a")
	if fresh(absent) {
		t.Error("a file that appeared left the stamp fresh")
	}
	st := []stamp{stampOf(p)}
	if !fresh(st) {
		t.Error("an unchanged file is stale")
	}
	touch(t, p, "ab")
	if fresh(st) {
		t.Error("a changed file left the stamp fresh")
	}
	st = []stamp{stampOf(p)}
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	if fresh(st) {
		t.Error("a removed file left the stamp fresh")
	}
}
