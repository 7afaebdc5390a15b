package rustsrc

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/rustko/rustko-lsp/bindings/index"
	"github.com/rustko/rustko-lsp/diagnostics/bridge"
	"github.com/rustko/rustko-lsp/module"
)

// What the tests share: the installed Debian kernel headers (found and
// captured once per test binary), the header index, and an index.

var (
	kernelOnce sync.Once
	kernel     *module.Kernel
	kflags     *module.Flags
	symvers    *module.Symvers
	headers    *bridge.HeaderIndex
	kernelErr  error
)

// realKernel needs linux-headers-amd64, gcc and make; it fails (never
// skips) without them, naming what to install.
func realKernel(t testing.TB) (*module.Kernel, *module.Flags, *module.Symvers, *bridge.HeaderIndex) {
	t.Helper()
	kernelOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		if kernel, kernelErr = module.FindKernel(ctx, ""); kernelErr != nil {
			return
		}
		if kflags, kernelErr = module.CaptureFlags(ctx, kernel); kernelErr != nil {
			return
		}
		if symvers, kernelErr = module.ReadSymvers(kernel.Symvers); kernelErr != nil {
			return
		}
		cache, err := module.CacheDir()
		if err != nil {
			kernelErr = err
			return
		}
		headers = bridge.NewHeaderIndex(kflags.IncludeDirs, cache)
		kernelErr = headers.Load(ctx)
	})
	if kernelErr != nil {
		t.Fatalf("these tests need the Debian kernel headers with gcc and make (apt-get install linux-headers-amd64 gcc make): %v", kernelErr)
	}
	return kernel, kflags, symvers, headers
}

// fixtureIndex is a small index in the shape bindings writes, with values
// copied from the 6.1 headers; unit tests use it so they pin the analysis
// without the C front end. The corpus runs on the generated index.
func fixtureIndex(t testing.TB) *index.Index {
	t.Helper()
	ix := loadJSONIndex(t, filepath.Join("testdata", "fixture-index.json"))
	abs, err := filepath.Abs(filepath.Join("testdata", "fixture-bindings.rs"))
	if err != nil {
		t.Fatal(err)
	}
	ix.BindingsFile = abs
	return ix
}

func loadJSONIndex(t testing.TB, path string) *index.Index {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ix index.Index
	if err := json.Unmarshal(b, &ix); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return &ix
}
