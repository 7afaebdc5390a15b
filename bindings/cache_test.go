package bindings

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rustko/rustko-lsp/internal/cputime"
	"github.com/rustko/rustko-lsp/module"
)

// TestCache: the cache answers exactly when nothing the output depends on
// changed: header contents (not mtimes), files appearing earlier in the
// include search, options.
func TestCache(t *testing.T) {
	root := t.TempDir()
	d1, d2 := filepath.Join(root, "first"), filepath.Join(root, "second")
	for _, d := range []string{d1, d2} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(p, s string) {
		t.Helper()
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(d2, "a.h"), "#include <b.h>\nstruct a { struct b b; };\n#define A_SIZE sizeof(struct a)\n")
	write(filepath.Join(d2, "b.h"), "struct b { int x; };\n")
	k := &module.Kernel{Release: "cache", Arch: "x86_64"}
	f := &module.Flags{Compiler: "gcc", IncludeDirs: []string{d1, d2}, Std: "gnu11"}
	out := filepath.Join(root, "mod", "src", "bindings.rs")
	opts := Options{Kernel: k, Flags: f, Headers: []string{"a.h"}, Out: out, CacheDir: filepath.Join(root, "cache"), Version: "t"}
	gen := func(o Options) *Result {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		res, err := Generate(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	read := func() string {
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}

	if res := gen(opts); res.Cached {
		t.Fatal("first run came from the cache")
	}
	first := read()
	if !strings.Contains(first, "pub const A_SIZE: c_ulong = 4;") {
		t.Fatalf("unexpected output:\n%s", first)
	}

	steps := []struct {
		name   string
		change func()
		opts   func(Options) Options
		cached bool
		want   string // in the output afterwards
	}{
		{"unchanged", func() {}, nil, true, "A_SIZE: c_ulong = 4"},
		{"touched, same content", func() {
			now := time.Now().Add(time.Second)
			os.Chtimes(filepath.Join(d2, "b.h"), now, now)
		}, nil, true, "A_SIZE: c_ulong = 4"},
		{"output deleted", func() { os.Remove(out) }, nil, true, "A_SIZE: c_ulong = 4"},
		{"header changed", func() { write(filepath.Join(d2, "b.h"), "struct b { long x; };\n") }, nil, false, "A_SIZE: c_ulong = 8"},
		{"a header appears earlier in the search", func() { write(filepath.Join(d1, "b.h"), "struct b { char x[3]; };\n") }, nil, false, "A_SIZE: c_ulong = 3"},
		{"again unchanged", func() {}, nil, true, "A_SIZE: c_ulong = 3"},
		{"output deleted and evicted", func() {
			os.Remove(out)
			os.RemoveAll(filepath.Join(root, "cache", "entries", outputKind))
		}, nil, false, "A_SIZE: c_ulong = 3"},
		{"manifest damaged", func() {
			ms, _ := filepath.Glob(filepath.Join(root, "cache", "entries", manifestKind, "*"))
			for _, m := range ms {
				write(m, "RKC1 damaged")
			}
		}, nil, false, "A_SIZE: c_ulong = 3"},
		{"unchanged after the repairs", func() { os.Remove(out) }, nil, true, "A_SIZE: c_ulong = 3"},
		{"layout tests on", func() {}, func(o Options) Options { o.LayoutTests = true; return o }, false, "_rk_probe"},
		{"other version", func() {}, func(o Options) Options { o.Version = "u"; return o }, false, "rustko-lsp u"},
		{"no cache", func() {}, func(o Options) Options { o.NoCache = true; return o }, false, "A_SIZE"},
	}
	for _, s := range steps {
		s.change()
		o := opts
		if s.opts != nil {
			o = s.opts(o)
		}
		res := gen(o)
		if res.Cached != s.cached {
			t.Errorf("%s: cached=%v, want %v", s.name, res.Cached, s.cached)
		}
		if got := read(); !strings.Contains(got, s.want) {
			t.Errorf("%s: output lacks %q", s.name, s.want)
		}
		if res.Index == nil || len(res.Index.Items) == 0 {
			t.Errorf("%s: no index", s.name)
		}
	}
}

// TestUnchangedOutputKeepsMtime: regenerating identical bindings must not
// touch the file, or cargo rebuilds the crate for nothing.
func TestUnchangedOutputKeepsMtime(t *testing.T) {
	k, f, _ := goldenSetup(t)
	out := filepath.Join(t.TempDir(), "bindings.rs")
	o := Options{Kernel: k, Flags: f, Headers: []string{"basic.h"}, Out: out, NoCache: true, CacheDir: t.TempDir()}
	if _, err := Generate(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(out, old, old); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(out)
	if _, err := Generate(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(out)
	after, _ := os.ReadFile(out)
	if !st.ModTime().Equal(old) || !bytes.Equal(before, after) {
		t.Errorf("identical output rewritten (mtime %v)", st.ModTime())
	}
}

// TestDeterministic: two cold runs give byte-identical Rust and index.
func TestDeterministic(t *testing.T) {
	k, f := realKernel(t)
	var prev *generation
	for i := 0; i < 2; i++ {
		g, err := run(context.Background(), &Options{Kernel: k, Flags: f, Headers: sixHeaders, Version: "d"}, func(string) {})
		if err != nil {
			t.Fatal(err)
		}
		if prev != nil {
			if !bytes.Equal(prev.rust, g.rust) {
				t.Errorf("Rust differs between runs: %s", firstDiff(string(prev.rust), string(g.rust)))
			}
			if !bytes.Equal(prev.ixBytes, g.ixBytes) {
				t.Errorf("index differs between runs")
			}
		}
		prev = g
	}
}

func reportCPU(b *testing.B, cpu0 time.Duration, n int) {
	b.ReportMetric(float64(cputime.Process()-cpu0)/float64(time.Millisecond)/float64(n), "cpu-ms/op")
}

func BenchmarkGenerateCold(b *testing.B) {
	k, f := realKernel(b)
	dir := b.TempDir()
	cpu0, n := cputime.Process(), 0
	defer func() { reportCPU(b, cpu0, n) }()
	for b.Loop() {
		n++
		if _, err := Generate(b.Context(), Options{Kernel: k, Flags: f, Headers: sixHeaders, Out: filepath.Join(dir, "bindings.rs"), NoCache: true, CacheDir: dir}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGenerateWarm(b *testing.B) {
	k, f := realKernel(b)
	dir := b.TempDir()
	o := Options{Kernel: k, Flags: f, Headers: sixHeaders, Out: filepath.Join(dir, "bindings.rs"), CacheDir: dir}
	if _, err := Generate(b.Context(), o); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	cpu0, n := cputime.Process(), 0
	defer func() { reportCPU(b, cpu0, n) }()
	for b.Loop() {
		n++
		res, err := Generate(b.Context(), o)
		if err != nil {
			b.Fatal(err)
		}
		if !res.Cached {
			b.Fatal("warm run regenerated")
		}
	}
}

// TestCacheHitAtAnotherPath (issue 13): a copy of a module at another path,
// with the same kernel, flags and headers, gets its bindings from the entry
// the first copy stored; each copy's index names its own bindings file, and
// a copy whose bindings path holds a file rustko did not write keeps it
// byte-identical while still hitting the cache.
func TestCacheHitAtAnotherPath(t *testing.T) {
	root := t.TempDir()
	inc := filepath.Join(root, "include")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(inc, 0o755))
	must(os.WriteFile(filepath.Join(inc, "a.h"), []byte("struct a { int x; long y; };\n#define A_SIZE sizeof(struct a)\n"), 0o644))
	k := &module.Kernel{Release: "cache", Arch: "x86_64"}
	f := &module.Flags{Compiler: "gcc", IncludeDirs: []string{inc}, Std: "gnu11"}
	cache := filepath.Join(root, "cache")
	gen := func(mod string) *Result {
		t.Helper()
		must(os.MkdirAll(filepath.Join(mod, "src"), 0o755))
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		res, err := Generate(ctx, Options{Kernel: k, Flags: f, Headers: []string{"a.h"}, Root: mod,
			Out: filepath.Join(mod, "src", "bindings.rs"), CacheDir: cache, Version: "t"})
		must(err)
		return res
	}
	first := filepath.Join(root, "first")
	r1 := gen(first)
	if r1.Cached {
		t.Fatal("first generation came from the cache")
	}
	copyAt := filepath.Join(root, "elsewhere", "copy")
	r2 := gen(copyAt)
	if !r2.Cached {
		t.Fatal("a copy of the module at another path regenerated its bindings")
	}
	for _, r := range []struct {
		res  *Result
		root string
	}{{r1, first}, {r2, copyAt}} {
		want := filepath.Join(r.root, "src", "bindings.rs")
		if r.res.RustFile != want || r.res.Index.BindingsFile != want {
			t.Errorf("%s: RustFile %s, index names %s; want %s for both", r.root, r.res.RustFile, r.res.Index.BindingsFile, want)
		}
	}
	b1, err := os.ReadFile(r1.RustFile)
	must(err)
	b2, err := os.ReadFile(r2.RustFile)
	must(err)
	if !bytes.Equal(b1, b2) || !bytes.Contains(b2, []byte("A_SIZE: c_ulong = 0x10")) {
		t.Errorf("the copy's bindings differ from the first's or lack A_SIZE:\n%s", b2)
	}
	if _, err := os.Stat(r2.IndexFile); err != nil {
		t.Errorf("the copy has no index file: %v", err)
	}

	// The first copy reads its own index from disk again: still its path.
	if r := gen(first); !r.Cached || r.Index.BindingsFile != r1.RustFile {
		t.Errorf("first copy again: cached=%v, index names %s", r.Cached, r.Index.BindingsFile)
	}

	// A third copy commits its own bindings.rs: never written over, the
	// generated file goes to the cache's kept folder, still a hit.
	third := filepath.Join(root, "third")
	must(os.MkdirAll(filepath.Join(third, "src"), 0o755))
	own := []byte("// written by hand\npub struct a { pub x: i32 }\n")
	ownPath := filepath.Join(third, "src", "bindings.rs")
	must(os.WriteFile(ownPath, own, 0o644))
	r3 := gen(third)
	if !r3.Cached {
		t.Error("a copy with its own bindings.rs regenerated")
	}
	if len(r3.Kept) != 1 || r3.Kept[0] != ownPath {
		t.Errorf("kept %v, want [%s]", r3.Kept, ownPath)
	}
	if b, err := os.ReadFile(ownPath); err != nil || !bytes.Equal(b, own) {
		t.Errorf("the module's own bindings.rs changed (err %v):\n%s", err, b)
	}
	if r3.RustFile == ownPath || r3.Index.BindingsFile != r3.RustFile {
		t.Errorf("kept copy: RustFile %s, index names %s", r3.RustFile, r3.Index.BindingsFile)
	}
	if b, err := os.ReadFile(r3.RustFile); err != nil || !bytes.Equal(b, b1) {
		t.Errorf("the kept copy's generated bindings differ from the first's (err %v)", err)
	}
}
