package bindings

import (
	"bytes"
	"context"
	"fmt"
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

// TestCachePrune: the cache keeps the most recently used entries only.
func TestCachePrune(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i < cacheEntries+5; i++ {
		e := filepath.Join(dir, fmt.Sprintf("entry%02d", i))
		if err := os.MkdirAll(e, 0o755); err != nil {
			t.Fatal(err)
		}
		m := filepath.Join(e, "manifest.json")
		if err := os.WriteFile(m, []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
		at := time.Now().Add(time.Duration(i) * time.Minute)
		os.Chtimes(m, at, at)
	}
	pruneCache(dir)
	ents, _ := os.ReadDir(dir)
	if len(ents) != cacheEntries {
		t.Fatalf("%d entries left, want %d", len(ents), cacheEntries)
	}
	if _, err := os.Stat(filepath.Join(dir, "entry00")); err == nil {
		t.Errorf("the oldest entry survived")
	}
	if _, err := os.Stat(filepath.Join(dir, fmt.Sprintf("entry%02d", cacheEntries+4))); err != nil {
		t.Errorf("the newest entry was removed")
	}
}
