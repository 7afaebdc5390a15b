package build

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/rustko/rustko-lsp/build/objcheck"
	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/internal/filecache"
	"github.com/rustko/rustko-lsp/internal/testkernel"
	"github.com/rustko/rustko-lsp/targets"
	"github.com/rustko/rustko-lsp/workspace"
)

// The integration tests build real modules with the real toolchains and
// kbuild against the installed Debian kernel headers. They need:
//   apt-get install rustc rust-src cargo linux-headers-amd64 make gcc binutils kmod
// (the Makefile's `make test` installs them).

// TestMain lets the test binary stand in for rustko-lsp when kbuild's
// generated rule calls back (`rustko-lsp build --relax-got FILE`).
func TestMain(m *testing.M) {
	if len(os.Args) == 4 && os.Args[1] == "build" && os.Args[2] == "--relax-got" {
		if err := objcheck.RelaxGOT(os.Args[3]); err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			os.Exit(1)
		}
		os.Exit(0)
	}
	// A pipeline a test cancelled must not leave its process waiters behind.
	goleak.VerifyTestMain(m)
}

// debianRustRoot is the toolchain with rust-src every test machine has.
const debianRustRoot = "/usr"

func needTools(t testing.TB) {
	t.Helper()
	for _, tool := range []struct{ path, pkg string }{
		{"/usr/bin/rustc", "rustc"},
		{"/usr/bin/cargo", "cargo"},
		{"/usr/lib/rustlib/src/rust/library/core/src/lib.rs", "rust-src"},
		{"make", "make"},
		{"gcc", "gcc"},
		{"strip", "binutils"},
		{"modinfo", "kmod"},
	} {
		if filepath.IsAbs(tool.path) {
			if _, err := os.Stat(tool.path); err != nil {
				t.Fatalf("%s is missing: apt-get install %s", tool.path, tool.pkg)
			}
		} else if _, err := exec.LookPath(tool.path); err != nil {
			if tool.path == "modinfo" {
				if _, err := os.Stat("/sbin/modinfo"); err == nil {
					continue
				}
			}
			t.Fatalf("%s is missing: apt-get install %s", tool.path, tool.pkg)
		}
	}
}

// fixture copies testdata/modules/base, then testdata/modules/<name> over
// it, into a temporary folder and loads it as a module.
func fixture(t *testing.T, name string, overrides map[string]string) *workspace.Module {
	t.Helper()
	dir := t.TempDir()
	for _, layer := range []string{"base", name} {
		if err := copyTree(filepath.Join("testdata", "modules", layer), dir); err != nil {
			t.Fatal(err)
		}
	}
	if overrides == nil {
		overrides = map[string]string{}
	}
	if _, ok := overrides["RUST_ROOT"]; !ok {
		overrides["RUST_ROOT"] = debianRustRoot
	}
	if _, ok := overrides["KERNEL_BUILD_PATH"]; !ok {
		// The pinned tree, whatever else is installed (a newer 6.12 tree
		// would otherwise be found first).
		overrides["KERNEL_BUILD_PATH"] = testkernel.Dir(t)
	}
	return load(t, dir, overrides)
}

// load assembles the module at dir as every caller of Run does.
func load(t *testing.T, dir string, overrides map[string]string) *workspace.Module {
	t.Helper()
	w, err := workspace.NewLoader(nil).Load(context.Background(), dir, workspace.Options{Overrides: overrides})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}

// build runs the pipeline and logs what a person would see.
func build(t *testing.T, m *workspace.Module, opts Options) (*Result, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	res, err := Run(ctx, m, opts)
	if res != nil {
		for _, s := range res.Steps {
			t.Logf("step %s: %s in %s", s.Step, s.Detail, s.Elapsed.Round(time.Millisecond))
		}
		for _, f := range res.Findings {
			t.Logf("finding: %s (%s)", f, f.Source)
		}
	}
	return res, err
}

// TestBuildFailureMapping pins each failure to the line that caused it.
func TestBuildFailureMapping(t *testing.T) {
	needTools(t)
	tests := []struct {
		fixture string
		mode    Mode
		file    string // relative to the module root
		line    int
		source  string
		code    string
		msg     string
	}{
		{"typeerr", ModeRustSrc, "src/lib.rs", 9, diagnostics.SourceRustc, "E0308", "mismatched types"},
		// kmalloc is static inline in C: the object check predicts
		// modpost's "undefined!" and puts it on the call.
		{"inline", ModeRustSrc, "src/lib.rs", 13, diagnostics.SourceObject, objcheck.CodeUndefined, "kmalloc"},
		{"cshim", ModeRustSrc, "src/fixture.c", 11, diagnostics.SourceGCC, "", "expected ';'"},
		// soft-float turns the multiplication into a call to libgcc's
		// __muldf3, which the kernel does not have.
		{"float", ModeRustSrc, "src/lib.rs", 12, diagnostics.SourceObject, objcheck.CodeUndefined, "__muldf3"},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			m := fixture(t, tt.fixture, nil)
			res, err := build(t, m, Options{Mode: tt.mode})
			if err != nil {
				t.Fatalf("build: %v", err)
			}
			if !res.HasErrors() || res.KO != "" {
				t.Fatalf("build succeeded (ko %q), want an error", res.KO)
			}
			want := filepath.Join(m.Root, tt.file)
			found := false
			for _, f := range res.Findings {
				if f.File == want && f.Range.Start.Line == tt.line && f.Source == tt.source && f.Code == tt.code &&
					f.Severity == diagnostics.Error && strings.Contains(f.Message, tt.msg) {
					found = true
				}
			}
			if !found {
				t.Errorf("no %s error %q [%s] at %s:%d", tt.source, tt.msg, tt.code, tt.file, tt.line)
			}
			if tt.fixture == "inline" {
				checkModpostMapping(t, m, res)
			}
		})
	}
}

// checkModpostMapping runs kbuild itself on the module whose Rust code
// calls a static inline C function, and maps modpost's location-less
// "undefined!" back to the Rust call. (The build reported the object
// check's prediction instead, which makes modpost's own report a duplicate.)
func checkModpostMapping(t *testing.T, m *workspace.Module, res *Result) {
	t.Helper()
	if res.RustObject == "" {
		t.Fatal("the Rust object was not built")
	}
	b, err := newBuilder(m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b.kernel = res.Kernel
	cmd := exec.Command("make", "-C", b.kernel.Dir, "M="+b.kbuildDir, "modules")
	cmd.Env = append(os.Environ(), "LANG=C", "LC_ALL=C")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("kbuild linked a module calling kmalloc:\n%s", out)
	}
	if !strings.Contains(string(out), `"kmalloc"`) {
		t.Fatalf("modpost did not name kmalloc:\n%s", out)
	}
	p := b.outputParser(map[string]string{})
	fs := p.parse(out)
	for i, f := range fs {
		if f.Source == diagnostics.SourceModpost && p.syms[i] == "kmalloc" {
			if f.File != filepath.Join(m.Root, "src", "lib.rs") || f.Range.Start.Line != 13 || f.Range.Start.Column != 17 {
				t.Errorf("kmalloc mapped to %s, want src/lib.rs:13:17", f)
			}
			if !strings.Contains(f.Message, "static inline") || len(f.Related) == 0 || f.Related[0].Range.Start.Line != 6 {
				t.Errorf("want the extern declaration (line 6) related and a static-inline hint: %s %+v", f, f.Related)
			}
			return
		}
	}
	t.Errorf("no modpost finding for kmalloc in %v", fs)
}

func TestBuildToolchainErrors(t *testing.T) {
	needTools(t)
	// A copy of Debian's rustc binary in a folder of its own is a real
	// toolchain installed without rust-src: rustc takes its sysroot from
	// where its executable is.
	bare := t.TempDir()
	if err := os.MkdirAll(filepath.Join(bare, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tool := range []string{"rustc", "cargo"} {
		data, err := os.ReadFile(filepath.Join("/usr/bin", tool))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(bare, "bin", tool), data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name     string
		rustRoot string
		mode     Mode
		want     []string
	}{
		{"missing RUST_ROOT toolchain", "/nonexistent/rust", ModeAuto, []string{"/nonexistent/rust/bin/rustc", "apt-get install rustc rust-src cargo", "RUST_ROOT := /usr"}},
		{"forced rust-src without rust-src", bare, ModeRustSrc, []string{"rust-src mode needs the core library sources", "apt-get install rustc rust-src cargo", "RUST_ROOT := /usr"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := fixture(t, "typeerr", map[string]string{"RUST_ROOT": tt.rustRoot})
			_, err := build(t, m, Options{Mode: tt.mode})
			if err == nil {
				t.Fatal("build ran, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
	t.Run("auto picks host mode without rust-src", func(t *testing.T) {
		tc, err := targets.Find(context.Background(), bare, "", filecache.Open(t.TempDir()))
		if err != nil {
			t.Fatal(err)
		}
		mode, reason, err := chooseMode(ModeAuto, tc, "x86_64")
		if err != nil || mode != ModeHost || !strings.Contains(reason, "no rust-src") {
			t.Errorf("chooseMode = %s, %q, %v; want host", mode, reason, err)
		}
	})
}

// snapshot records every file's time under dir.
func snapshot(t *testing.T, dirs ...string) map[string]time.Time {
	t.Helper()
	times := map[string]time.Time{}
	for _, dir := range dirs {
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				if st, err := os.Stat(p); err == nil {
					times[p] = st.ModTime()
				}
			}
			return nil
		})
	}
	return times
}

// TestBuildIncremental checks that a rebuild with nothing changed does no
// compile work, that kbuild's `make clean` does not break the next build,
// and that kbuild on its own rebuilds the Rust object through its rule.
func TestBuildIncremental(t *testing.T) {
	needTools(t)
	m := fixture(t, "base", nil)
	res, err := build(t, m, Options{})
	if err != nil || res.KO == "" {
		t.Fatalf("first build: ko %q, %v", res.KO, err)
	}
	before := snapshot(t, m.Root)
	res, err = build(t, m, Options{})
	if err != nil || res.KO == "" {
		t.Fatalf("second build: %v", err)
	}
	after := snapshot(t, m.Root)
	for p, tm := range after {
		if strings.HasSuffix(p, ".rustko-build.lock") {
			continue
		}
		if old, ok := before[p]; !ok {
			t.Errorf("the no-op rebuild created %s", p)
		} else if !old.Equal(tm) {
			t.Errorf("the no-op rebuild rewrote %s", p)
		}
	}
	for _, s := range res.Steps {
		if s.Step == StepRust && !strings.Contains(s.Detail, "up to date") {
			t.Errorf("rust step: %q, want up to date (no rustc run)", s.Detail)
		}
	}

	b, err := newBuilder(m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	kdir := res.Kernel.Dir
	runMake := func(target string) (string, error) {
		cmd := exec.Command("make", "-C", kdir, "M="+b.kbuildDir, target)
		cmd.Env = append(os.Environ(), "LANG=C", "LC_ALL=C")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := runMake("clean"); err != nil {
		t.Fatalf("make clean: %v\n%s", err, out)
	}
	if _, err := os.Stat(b.rustObj); !os.IsNotExist(err) {
		t.Fatalf("kbuild's clean left %s", b.rustObj)
	}
	res, err = build(t, m, Options{})
	if err != nil || res.KO == "" || res.HasErrors() {
		t.Fatalf("build after make clean: ko %q, %v", res.KO, err)
	}

	// kbuild alone, after a clean, rebuilds the Rust object with its rule.
	if out, err := runMake("clean"); err != nil {
		t.Fatalf("make clean: %v\n%s", err, out)
	}
	out, err := runMake("modules")
	if err != nil {
		t.Fatalf("kbuild on its own after make clean: %v\n%s", err, out)
	}
	if !strings.Contains(out, "RUSTC [M] "+b.rustObj) || !isFile(filepath.Join(b.kbuildDir, "fixture.ko")) {
		t.Errorf("kbuild did not rebuild the Rust object through its rule:\n%s", out)
	}
	if !isFile(filepath.Join(b.kbuildDir, ".fixture-rust.o.cmd")) {
		t.Errorf("kbuild's rule wrote no .cmd for the Rust object")
	}

	// A Rust compile error fails kbuild's rule before the linker runs.
	if err := os.WriteFile(filepath.Join(m.Root, "src", "lib.rs"), []byte("#![no_std]\nfn broken( {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = runMake("modules")
	if err == nil {
		t.Fatalf("kbuild succeeded with a Rust syntax error:\n%s", out)
	}
	if strings.Contains(out, "LD [M]") || !strings.Contains(out, "fixture-rust.o] Error") {
		t.Errorf("want the Rust rule to fail before LD:\n%s", out)
	}
}

func TestBuildCancelKillsEverything(t *testing.T) {
	needTools(t)
	m := fixture(t, "base", nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	started := make(chan struct{})
	opts := Options{Progress: func(e Event) {
		if e.Step == StepRust && e.Phase == Begin {
			close(started)
		}
	}}
	done := make(chan error, 1)
	go func() {
		_, err := Run(ctx, m, opts)
		done <- err
	}()
	select {
	case <-started:
	case err := <-done:
		t.Fatalf("build ended before the rust step: %v", err)
	case <-time.After(5 * time.Minute):
		t.Fatal("the rust step never started")
	}
	// Cancel while cargo's child, rustc, compiles the crate: the
	// grandchild is what a kill of cargo alone would leave behind.
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(strings.Join(processesMentioning(m.Root), "\n"), "--crate-name fixture") {
		if time.Now().After(deadline) {
			t.Fatalf("rustc never started compiling the crate; running: %v", processesMentioning(m.Root))
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run after cancel: %v, want context.Canceled", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if left := processesMentioning(m.Root); len(left) > 0 {
		t.Errorf("processes left after cancel: %v", left)
	}
}

// processesMentioning lists live processes whose command line names dir.
func processesMentioning(dir string) []string {
	var found []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		if e.Name()[0] < '0' || e.Name()[0] > '9' {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || len(cmdline) == 0 {
			continue // gone, or a zombie
		}
		if strings.Contains(string(cmdline), dir) {
			found = append(found, e.Name()+": "+strings.ReplaceAll(string(cmdline), "\x00", " "))
		}
	}
	return found
}

// TestBuildLinksHelpers builds a module whose Rust code calls kmalloc, a
// static inline C function, through the helper KERNEL_HELPERS generates:
// the helper's C file joins the kbuild link (even though C_FILES was read
// before it existed), and the object check knows the module defines it.
func TestBuildLinksHelpers(t *testing.T) {
	needTools(t)
	m := fixture(t, "helpers", nil)
	res, err := build(t, m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.KO == "" || res.HasErrors() {
		t.Fatalf("build failed: ko %q", res.KO)
	}
	out, err := exec.Command("nm", filepath.Join(m.Vars.BuildDirectory, "kbuild", "fixture.o")).Output()
	if err != nil {
		t.Fatalf("nm: %v (apt-get install binutils)", err)
	}
	if !strings.Contains(string(out), " T rustko_helper_kmalloc") || !strings.Contains(string(out), " U __kmalloc") {
		t.Errorf("the module does not define the helper around __kmalloc:\n%s", out)
	}
}
