package headerscan

import (
	"context"
	"testing"

	"github.com/rustko/rustko-lsp/internal/filecache"
)

// BenchmarkHeaderIndexLoad: a process's first "which header declares X"
// once the scan is cached (every run after the first on a machine).
func BenchmarkHeaderIndexLoad(b *testing.B) {
	dirs := realIncludeDirs(b)
	cache, err := filecache.Dir()
	if err != nil {
		b.Fatal(err)
	}
	if err := NewHeaderIndex(dirs, cache).Load(context.Background()); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		h := NewHeaderIndex(dirs, cache)
		if err := h.Load(context.Background()); err != nil {
			b.Fatal(err)
		}
		if _, ok := h.Lookup("register_netdev"); !ok {
			b.Fatal("register_netdev not found")
		}
	}
}

// BenchmarkHeaderScan: the first run on a machine, scanning every header.
func BenchmarkHeaderScan(b *testing.B) {
	dirs := realIncludeDirs(b)
	for b.Loop() {
		if _, _, err := scanHeaders(context.Background(), dirs, "bench"); err != nil {
			b.Fatal(err)
		}
	}
}
