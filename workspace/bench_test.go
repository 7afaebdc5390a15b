package workspace

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rustko/rustko-lsp/internal/testkernel"
)

// BenchmarkLoadAfterSourceSave is what the editor's reload costs after a
// save of one of the module's sources (the licence is read from them): the
// whole module read again (make, the crate walk, the licence, the findings)
// with the kernel tree, its flags and the toolchain from their caches.
func BenchmarkLoadAfterSourceSave(b *testing.B) {
	root := copyHello(b)
	o := Options{Overrides: map[string]string{"KERNEL_BUILD_PATH": testkernel.Dir(b)}, Version: "bench"}
	l := NewLoader(nil)
	ctx := context.Background()
	first, err := l.Load(ctx, root, o)
	if err != nil {
		b.Fatal(err)
	}
	lib := filepath.Join(root, "src", "lib.rs")
	mtime := time.Now()
	b.ResetTimer()
	for range b.N {
		mtime = mtime.Add(time.Second)
		if err := os.Chtimes(lib, mtime, mtime); err != nil {
			b.Fatal(err)
		}
		w, err := l.Load(ctx, root, o)
		if err != nil {
			b.Fatal(err)
		}
		if w == first {
			b.Fatal("the module came from memory after its lib.rs changed")
		}
	}
}
