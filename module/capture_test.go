package module

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rustko/rustko-lsp/internal/filecache"
	"github.com/rustko/rustko-lsp/internal/testkernel"

	"github.com/rustko/rustko-lsp/internal/testtree"
)

// needTools fails (never skips) when a tool the real-kernel tests drive is
// missing, naming the Debian package that provides it.
func needTools(t testing.TB) {
	t.Helper()
	for tool, pkg := range map[string]string{"make": "make", "gcc": "gcc"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed: apt-get install %s", tool, pkg)
		}
	}
}

// countProbes wraps probe so a test can see whether the cache was used.
func countProbes(t *testing.T) *int {
	n := new(int)
	old := probe
	probe = func(ctx context.Context, k *Kernel) (*Flags, error) {
		*n++
		return old(ctx, k)
	}
	t.Cleanup(func() { probe = old })
	return n
}

func realKernel(t *testing.T) *Kernel {
	t.Helper()
	needTools(t)
	return describeKernel(testkernel.Dir(t), "test")
}

// TestCaptureFlagsReal captures kbuild's flags from each tested kernel tree
// (testkernel.All: 6.1, 6.12 and 6.12-rt here; 7.x inside the trixie root,
// where kbuild runs in the module's folder and names the probe relatively).
// The pinned tree also exercises the cache.
func TestCaptureFlagsReal(t *testing.T) {
	needTools(t)
	for i, kdir := range testkernel.All(t) {
		t.Run(filepath.Base(kdir), func(t *testing.T) {
			k := describeKernel(kdir, "test")
			t.Setenv("RUSTKO_CACHE_DIR", t.TempDir())
			probes := countProbes(t)
			f, err := CaptureFlags(context.Background(), k)
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "probe builds", *probes, 1)
			checkRealFlags(t, k, f)
			t.Log(f.Summary())
			if i > 0 {
				return
			}
			capturedReal = f
			checkFlagsCache(t, k, f, probes)
		})
	}
}

// checkRealFlags checks what every kernel's captured flags must hold.
func checkRealFlags(t *testing.T, k *Kernel, f *Flags) {
	t.Helper()
	if len(f.IncludeDirs) < 4 {
		t.Errorf("IncludeDirs = %q, want kbuild's arch, generated and uapi folders", f.IncludeDirs)
	}
	// Relative paths were resolved against the folder kbuild ran in, so
	// every folder exists from here (the probe's own folder is gone by now
	// and must not be among them).
	for _, d := range f.IncludeDirs {
		if !filepath.IsAbs(d) || !isDir(d) || filepath.Clean(d) != d {
			t.Errorf("include dir %q is not an existing clean absolute folder", d)
		}
	}
	if !slices.Contains(f.IncludeDirs, filepath.Join(k.Dir, "include")) {
		t.Errorf("IncludeDirs %q lack the tree's own %s/include (generated headers)", f.IncludeDirs, k.Dir)
	}
	var forced []string
	for _, inc := range f.ForcedIncludes {
		if !filepath.IsAbs(inc) || !isFile(inc) {
			t.Errorf("forced include %q is not an existing absolute file", inc)
		}
		forced = append(forced, filepath.Base(inc))
	}
	if i, j := slices.Index(forced, "kconfig.h"), slices.Index(forced, "compiler_types.h"); i < 0 || j < i {
		t.Errorf("forced includes %q: want kconfig.h before compiler_types.h", forced)
	}
	defs := map[string]Define{}
	for _, d := range f.Defines {
		defs[d.Name] = d
	}
	for _, n := range []string{"__KERNEL__", "MODULE"} {
		if _, ok := defs[n]; !ok {
			t.Errorf("no -D%s in %v", n, f.Defines)
		}
	}
	// kbuild prints -DKBUILD_MODNAME='"rustko_probe"': the shell quotes go,
	// the C string quotes stay.
	eq(t, "KBUILD_MODNAME", defs["KBUILD_MODNAME"].Value, `"`+probeName+`"`)
	if !strings.HasPrefix(f.Std, "gnu") {
		t.Errorf("Std = %q, want kbuild's gnu dialect", f.Std)
	}
	for _, a := range f.Other {
		if strings.Contains(a, probeName) {
			t.Errorf("per-compilation argument %q kept in Other", a)
		}
	}
	if k.Arch == "x86_64" {
		for _, want := range []string{"-mcmodel=kernel", "-mno-red-zone", "-mno-sse"} {
			if !slices.Contains(f.TargetFlags, want) {
				t.Errorf("TargetFlags lack %s: %q", want, f.TargetFlags)
			}
		}
	}
	// The compiler is the one the tree was configured with (Debian's 6.12+
	// trees name it cross-prefixed: x86_64-linux-gnu-gcc-12, -gcc-14).
	if b, err := os.ReadFile(k.Config); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "CONFIG_CC_VERSION_TEXT="); ok {
				if words := strings.Fields(strings.Trim(v, `"`)); len(words) > 0 {
					eq(t, "Compiler (CONFIG_CC_VERSION_TEXT's first word)", f.Compiler, words[0])
				}
			}
		}
	}
}

// checkFlagsCache: the cache answers the second call; a damaged entry and
// one that reads back incomplete are ignored and rewritten.
func checkFlagsCache(t *testing.T, k *Kernel, f *Flags, probes *int) {
	t.Helper()
	g, err := CaptureFlags(context.Background(), k)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "probe builds after a cached call", *probes, 1)
	eq(t, "cached flags", norm(g), norm(f))

	c, err := filecache.Default()
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := filepath.Glob(filepath.Join(os.Getenv("RUSTKO_CACHE_DIR"), "entries", flagsKind, "*"))
	if len(entries) != 1 {
		t.Fatalf("cache entries = %q, want one", entries)
	}
	key := mustKey(t, k.Dir)
	for i, damage := range []func(){
		func() { os.WriteFile(entries[0], []byte(`{"version": 2, "flags": {`), 0o644) },
		func() { c.Set(flagsKind, key, []byte(`{"Compiler": "gcc"}`)) },
	} {
		damage()
		if _, err := CaptureFlags(context.Background(), k); err != nil {
			t.Fatal(err)
		}
		eq(t, "probe builds after damaging the cache entry", *probes, 2+i)
		if b, err := c.Get(flagsKind, key); err != nil {
			t.Errorf("the damaged cache entry was not rewritten: %v", err)
		} else if _, err := decodeFlags(b); err != nil {
			t.Errorf("the rewritten cache entry: %v", err)
		}
	}
}

// capturedReal is TestCaptureFlagsReal's result for the pinned tree, reused
// so the package's tests build the probe fewer times.
var capturedReal *Flags

func mustKey(t *testing.T, kdir string) filecache.Key {
	key, err := flagsCacheKey(kdir)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// TestCompilerArgsCompile is the gcc oracle for CompilerArgs on each tested
// kernel: kernel code compiles with them from this folder (not the one kbuild
// ran in), and float code is refused the way kbuild refuses it.
func TestCompilerArgsCompile(t *testing.T) {
	needTools(t)
	t.Setenv("RUSTKO_CACHE_DIR", t.TempDir())
	for i, kdir := range testkernel.All(t) {
		t.Run(filepath.Base(kdir), func(t *testing.T) {
			f := capturedReal
			if f == nil || i > 0 {
				var err error
				if f, err = CaptureFlags(context.Background(), describeKernel(kdir, "test")); err != nil {
					t.Fatal(err)
				}
			}
			compileWith(t, f)
		})
	}
}

func compileWith(t *testing.T, f *Flags) {
	tests := []struct {
		name, src string
		ok        bool
		errText   string
	}{
		{"module code", "#include <linux/module.h>\n#include <linux/slab.h>\n#include <linux/fs.h>\n" +
			"static int __init x_init(void) { void *p = kmalloc(16, GFP_KERNEL); kfree(p); return 0; }\nmodule_init(x_init);\n", true, ""},
		{"float is refused", "double twice(double x) { return x * 2; }\n", false, "disabled"},
		{"undeclared function", "#include <linux/kernel.h>\nint f(void) { return not_declared(); }\n", false, "not_declared"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			src := filepath.Join(dir, "x.c")
			if err := os.WriteFile(src, []byte(tt.src), 0o644); err != nil {
				t.Fatal(err)
			}
			args := append(f.CompilerArgs(), "-c", "-o", filepath.Join(dir, "x.o"), src)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			out, err := exec.CommandContext(ctx, f.Compiler, args...).CombinedOutput()
			if tt.ok && err != nil {
				t.Fatalf("%s failed: %v\n%s", f.Compiler, err, out)
			}
			if !tt.ok && (err == nil || !strings.Contains(string(out), tt.errText)) {
				t.Fatalf("%s: err = %v, want a failure mentioning %q:\n%s", f.Compiler, err, tt.errText, out)
			}
		})
	}
}

func TestCaptureFlagsCancel(t *testing.T) {
	k := realKernel(t)
	t.Setenv("RUSTKO_CACHE_DIR", t.TempDir())
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := CaptureFlags(ctx, k)
	if err == nil || !strings.Contains(err.Error(), "stopped") {
		t.Fatalf("err = %v, want the probe build stopped", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("cancelled capture returned after %s: make's process group was not killed", d)
	}
}

func TestCaptureFlagsBrokenTree(t *testing.T) {
	needTools(t)
	t.Setenv("RUSTKO_CACHE_DIR", t.TempDir())
	dir := testtree.Write(t, map[string]string{
		"Makefile": probeName + ".o:\n\t@echo 'gcc-404: No such file or directory' >&2; exit 2\n",
		".config":  "CONFIG_CC_VERSION_TEXT=\"gcc-404 (Debian) 404\"\nCONFIG_X86_64=y\n",
	})
	_, err := CaptureFlags(context.Background(), describeKernel(dir, "test"))
	if err == nil {
		t.Fatal("capture against a broken tree succeeded")
	}
	for _, w := range []string{"building a probe module against " + dir + " failed", "gcc-404: No such file", "apt-get install gcc-404"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q:\n%s", w, err)
		}
	}
	if _, err := CaptureFlags(context.Background(), nil); err == nil || !strings.Contains(err.Error(), "FindKernel") {
		t.Errorf("nil kernel: err = %v", err)
	}
}

// TestCompilerHint: a probe that failed for want of a compiler names the one
// .config says the kernel was built with, or gcc when it says none.
func TestCompilerHint(t *testing.T) {
	const notFound = "/bin/sh: 1: x86_64-linux-gnu-gcc-12: not found\n"
	tests := []struct {
		name, config, out, want string
	}{
		{"compiler named", "CONFIG_CC_VERSION_TEXT=\"x86_64-linux-gnu-gcc-12 (Debian 12.2.0-14) 12.2.0\"\n", notFound,
			"\nThis kernel was built with x86_64-linux-gnu-gcc-12 (Debian 12.2.0-14) 12.2.0; install that compiler (on Debian: apt-get install x86_64-linux-gnu-gcc-12 make)"},
		{"no compiler in .config", "CONFIG_CC_VERSION_TEXT=\"\"\nCONFIG_X86_64=y\n", notFound, "\nInstall gcc and make (apt-get install gcc make)"},
		{"another failure", "CONFIG_CC_VERSION_TEXT=\"gcc-12\"\n", "error: implicit declaration\n", ""},
		{"no .config", "", notFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{"Makefile": ""}
			if tt.config != "" {
				files[".config"] = tt.config
			}
			dir := testtree.Write(t, files)
			k := &Kernel{Dir: dir, Config: filepath.Join(dir, ".config")}
			if got := compilerHint(k, []byte(tt.out)); got != tt.want {
				t.Errorf("compilerHint = %q, want %q", got, tt.want)
			}
		})
	}
}
