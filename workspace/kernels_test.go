package workspace

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/internal/testkernel"
	"github.com/rustko/rustko-lsp/module"
)

func TestResolveKernelsList(t *testing.T) {
	k61 := testkernel.Dir(t)
	common := strings.TrimSuffix(k61, "-amd64") + "-common"
	link := filepath.Join(t.TempDir(), "build")
	if err := os.Symlink(k61, link); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		spec string
		want []string // dir, then "ok" or a part of the error
	}{
		{k61, []string{k61, "ok"}},
		{" " + k61 + " ,, " + link + "/", []string{k61, "ok"}}, // the same tree twice
		{k61 + ",/nonexistent/kdir", []string{k61, "ok", "/nonexistent/kdir", "no such folder"}},
		{common, []string{common, "has no .config"}},
	}
	for _, tt := range tests {
		ks, err := ResolveKernels(context.Background(), tt.spec)
		if err != nil {
			t.Errorf("%q: %v", tt.spec, err)
			continue
		}
		var got []string
		for _, k := range ks {
			got = append(got, k.Dir)
			switch {
			case k.Err != nil:
				got = append(got, k.Err.Error())
			case k.Kernel == nil || k.Kernel.Release == "":
				got = append(got, "undescribed")
			default:
				got = append(got, "ok")
			}
		}
		if len(got) != len(tt.want) {
			t.Errorf("%q: %q, want %q", tt.spec, got, tt.want)
			continue
		}
		for i := range got {
			if !strings.Contains(got[i], tt.want[i]) {
				t.Errorf("%q: %q, want %q", tt.spec, got, tt.want)
				break
			}
		}
	}
	for _, spec := range []string{"", ",", " , "} {
		if _, err := ResolveKernels(context.Background(), spec); err == nil {
			t.Errorf("%q: no error", spec)
		}
	}
	// all lists at least the pinned tree.
	ks, err := ResolveKernels(context.Background(), "all")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, k := range ks {
		found = found || SameDir(k.Dir, k61)
	}
	if !found {
		t.Errorf("all lacks %s: %+v", k61, ks)
	}
}

// TestForEachKernel: the runs come back in the trees' order, named after
// their kernel; a tree that is not usable is reported without a run, and no
// more than matrixParallel kernels run at once.
func TestForEachKernel(t *testing.T) {
	var trees []KernelTree
	for i := range 5 {
		trees = append(trees, KernelTree{Dir: fmt.Sprint("/k", i), Kernel: &module.Kernel{Dir: fmt.Sprint("/k", i), Release: fmt.Sprint("6.", i)}})
	}
	trees[2] = KernelTree{Dir: "/bad", Err: errors.New("not a tree")}
	// Each run waits for a partner (matrixParallel at once), then lingers
	// so that a third the pool wrongly let in would be counted too: the
	// test fails both when kernels run one at a time and when too many do.
	var running, most atomic.Int32
	runs := ForEachKernel(context.Background(), trees, func(_ context.Context, k *module.Kernel) diagnostics.KernelRun {
		running.Add(1)
		defer running.Add(-1)
		for deadline := time.Now().Add(2 * time.Second); running.Load() < matrixParallel && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(20 * time.Millisecond)
		n := running.Load()
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		if k.Dir == "/bad" {
			t.Error("ran the tree that is not usable")
		}
		return diagnostics.KernelRun{Artifact: k.Dir + "/m.ko"}
	})
	var got []string
	for _, r := range runs {
		got = append(got, r.Release+" "+r.Dir+" "+r.Artifact+" "+r.Err)
	}
	want := []string{"6.0 /k0 /k0/m.ko ", "6.1 /k1 /k1/m.ko ", " /bad  not a tree", "6.3 /k3 /k3/m.ko ", "6.4 /k4 /k4/m.ko "}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("runs\n  %q\nwant\n  %q", got, want)
	}
	if most.Load() != matrixParallel {
		t.Errorf("%d kernels ran at once, want %d", most.Load(), matrixParallel)
	}
}

// TestSyncStage: the stage mirrors the sources, skips the build folder and
// what rustko generates into the module, keeps the stage's own generated
// files and build folder, and drops files gone from the module.
func TestSyncStage(t *testing.T) {
	root := t.TempDir()
	write := func(p, text string) {
		full := filepath.Join(root, p)
		os.MkdirAll(filepath.Dir(full), 0o755)
		if err := os.WriteFile(full, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for p, text := range map[string]string{
		"Makefile": "all:\n", "Cargo.toml": "[package]\n", "src/lib.rs": "mod bindings;\n", "src/hello.c": "int x;\n",
		"src/bindings.rs": "// 6.1's\n", "src/bindings.index": "x", "src/rustko_helpers.c": "// helpers\n",
		"hello.ko": "ko", "build/kbuild/hello.o": "o", "target/debug/x": "x", ".git/HEAD": "ref",
	} {
		write(p, text)
	}
	m := &module.Module{Root: root, Vars: module.Vars{
		KernelModule: "hello", BuildDirectory: filepath.Join(root, "build"), Bindings: filepath.Join(root, "src", "bindings.rs"),
	}}
	stage := StageFor(m, &module.Kernel{Release: "6.12.1-amd64"})
	if want := filepath.Join(root, "build", "6.12.1-amd64"); stage.Dir != want {
		t.Fatalf("stage %s, want %s", stage.Dir, want)
	}
	// What the stage made on its own: its bindings, build folder, module.
	for p, text := range map[string]string{"src/bindings.rs": "// 6.12's\n", "build/cargo/x": "c", "hello.ko": "ko612", "stale.rs": "old", "olddir/x": "x"} {
		full := filepath.Join(stage.Dir, p)
		os.MkdirAll(filepath.Dir(full), 0o755)
		os.WriteFile(full, []byte(text), 0o644)
	}
	libBefore := filepath.Join(stage.Dir, "src", "lib.rs")
	if err := stage.Sync(); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	filepath.WalkDir(stage.Dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			rel, _ := filepath.Rel(stage.Dir, p)
			got[filepath.ToSlash(rel)] = string(b)
		}
		return nil
	})
	want := map[string]string{
		"Makefile": "all:\n", "Cargo.toml": "[package]\n", "src/lib.rs": "mod bindings;\n", "src/hello.c": "int x;\n",
		"src/bindings.rs": "// 6.12's\n", "build/cargo/x": "c", "hello.ko": "ko612",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("stage holds\n  %v\nwant\n  %v", got, want)
	}
	// An unchanged file is not rewritten (cargo and kbuild go by times).
	st1, _ := os.Stat(libBefore)
	if err := os.Chtimes(libBefore, st1.ModTime().Add(-3600e9), st1.ModTime().Add(-3600e9)); err != nil {
		t.Fatal(err)
	}
	st1, _ = os.Stat(libBefore)
	if err := stage.Sync(); err != nil {
		t.Fatal(err)
	}
	if st2, _ := os.Stat(libBefore); !st2.ModTime().Equal(st1.ModTime()) {
		t.Errorf("unchanged src/lib.rs rewritten")
	}
	write("src/lib.rs", "mod bindings; // changed\n")
	if err := stage.Sync(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(libBefore); string(b) != "mod bindings; // changed\n" {
		t.Errorf("changed src/lib.rs not copied: %q", b)
	}

	m.Vars.BuildDirectory = filepath.Dir(root)
	if err := (Stage{Dir: filepath.Join(m.Vars.BuildDirectory, "x"), m: m}).Sync(); err == nil || !strings.Contains(err.Error(), "BUILD_DIRECTORY") {
		t.Errorf("a build folder holding the module: %v", err)
	}
}

func TestUnstage(t *testing.T) {
	root, stage := "/m", "/m/build/6.1.0-57-amd64"
	m := &module.Module{Root: root, Vars: module.Vars{KernelModule: "hello", BuildDirectory: "/m/build", Bindings: "/m/src/bindings.rs"}}
	s := StageFor(m, &module.Kernel{Release: "6.1.0-57-amd64"})
	in := []diagnostics.Finding{{
		File: stage + "/src/lib.rs", Message: "a",
		Related: []diagnostics.Related{{File: stage + "/src/bindings.rs"}, {File: "/usr/src/linux/slab.h"}},
		Fixes:   []diagnostics.Fix{{Edits: []diagnostics.Edit{{File: stage + "/config.mk"}}}},
	}, {File: stage + "/build/kbuild/hello.mod.c"}, {File: ""}}
	out := s.Unstage(in)
	got := []string{out[0].File, out[0].Related[0].File, out[0].Related[1].File, out[0].Fixes[0].Edits[0].File, out[1].File, out[2].File}
	want := []string{"/m/src/lib.rs", stage + "/src/bindings.rs", "/usr/src/linux/slab.h", "/m/config.mk", stage + "/build/kbuild/hello.mod.c", ""}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if in[0].File != stage+"/src/lib.rs" || in[0].Fixes[0].Edits[0].File != stage+"/config.mk" {
		t.Error("Unstage changed its input")
	}
}

// TestLoadStaged: the module's copy for a kernel is a module of its own in
// the stage, built against that kernel into the stage's build folder, with
// the sources mirrored there and the caller's overrides kept.
func TestLoadStaged(t *testing.T) {
	dir := copyHello(t)
	l := NewLoader(nil)
	ctx := context.Background()
	w, err := l.Load(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	k, err := module.FindKernel(ctx, testkernel.Dir(t))
	if err != nil {
		t.Fatal(err)
	}
	sw, stage, err := l.LoadStaged(ctx, w.Module, k, Options{Overrides: map[string]string{"KERNEL_MODULE": "hello2"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "build", k.Release); stage.Dir != want || sw.Root != want {
		t.Errorf("stage %s, module root %s, want %s", stage.Dir, sw.Root, want)
	}
	if sw.Kernel == nil || !SameDir(sw.Kernel.Dir, k.Dir) || sw.Vars.BuildDirectory != filepath.Join(stage.Dir, "build") || sw.Vars.KernelModule != "hello2" {
		t.Errorf("staged module: kernel %v, BUILD_DIRECTORY %s, KERNEL_MODULE %s", sw.Kernel, sw.Vars.BuildDirectory, sw.Vars.KernelModule)
	}
	if _, err := os.Stat(filepath.Join(stage.Dir, "src", "lib.rs")); err != nil {
		t.Errorf("the sources are not mirrored: %v", err)
	}
	if got := stage.Source(filepath.Join(stage.Dir, "src", "lib.rs")); got != filepath.Join(dir, "src", "lib.rs") {
		t.Errorf("Source = %s", got)
	}
}
