package rustsrc

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rustko/rustko-lsp/bindings"
	"github.com/rustko/rustko-lsp/bindings/headerscan"
	"github.com/rustko/rustko-lsp/bindings/index"
	"github.com/rustko/rustko-lsp/internal/filecache"
	"github.com/rustko/rustko-lsp/internal/testkernel"
	"github.com/rustko/rustko-lsp/module"
)

// What the tests share: the installed Debian kernel headers (found and
// captured once per test binary), the header index, and an index.

var (
	kernelOnce sync.Once
	kernel     *module.Kernel
	kflags     *module.Flags
	symvers    *module.Symvers
	headers    *headerscan.HeaderIndex
	kernelErr  error
)

// realKernel is the pinned test tree (testkernel.Dir: Debian 12's 6.1 unless
// RUSTKO_TEST_KDIR says otherwise), whatever else is installed; it needs gcc
// and make and fails (never skips) without them, naming what to install.
func realKernel(t testing.TB) (*module.Kernel, *module.Flags, *module.Symvers, *headerscan.HeaderIndex) {
	t.Helper()
	kdir := testkernel.Dir(t)
	kernelOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		if kernel, kernelErr = module.FindKernel(ctx, kdir); kernelErr != nil {
			return
		}
		if kflags, kernelErr = module.CaptureFlags(ctx, kernel); kernelErr != nil {
			return
		}
		if symvers, kernelErr = module.ReadSymvers(kernel.Symvers); kernelErr != nil {
			return
		}
		cache, err := filecache.Dir()
		if err != nil {
			kernelErr = err
			return
		}
		headers = headerscan.NewHeaderIndex(kflags.IncludeDirs, cache)
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

var (
	genMu    sync.Mutex
	genDone  = map[string]*index.Index{}
	genFiles = map[string]string{} // headers -> the stored index file
)

// realIndex generates (or takes from the bindings cache) the index of the
// given headers, DefaultHeaders when none, on the installed kernel, the
// way `rustko-lsp check` does.
func realIndex(t testing.TB, headers ...string) *index.Index {
	t.Helper()
	k, fl, sv, _ := realKernel(t)
	key := strings.Join(headers, " ")
	genMu.Lock()
	defer genMu.Unlock()
	if ix := genDone[key]; ix != nil {
		return ix
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	// A stable output path: it is part of the bindings cache key, so the
	// next run of the tests takes the bindings from the cache.
	out := filepath.Join(os.TempDir(), fmt.Sprintf("rustko-rustsrc-test-%d", os.Getuid()), fmt.Sprintf("%x", sha256.Sum256([]byte(key)))[:12], "bindings.rs")
	res, err := bindings.Generate(ctx, bindings.Options{Kernel: k, Flags: fl, Headers: headers, Out: out, Symvers: sv, Version: "test"})
	if err != nil {
		t.Fatalf("generating the index for %v: %v", headers, err)
	}
	genDone[key] = res.Index
	genFiles[key] = res.IndexFile
	return res.Index
}
