package bindings

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/rustko/rustko-lsp/internal/testkernel"
	"github.com/rustko/rustko-lsp/module"
)

// kernelEnv is one kernel tree and kbuild's flags for it, captured once per
// test binary: a capture runs kbuild and costs seconds.
type kernelEnv struct {
	once sync.Once
	k    *module.Kernel
	f    *module.Flags
	err  error
}

var (
	kernelEnvsMu sync.Mutex
	kernelEnvs   = map[string]*kernelEnv{}
)

// realKernel is the pinned tree (testkernel.Dir) and its flags. Tests that
// need it fail, not skip, when the headers are missing.
func realKernel(t testing.TB) (*module.Kernel, *module.Flags) {
	t.Helper()
	return kernelAt(t, testkernel.Dir(t))
}

// kernelAt describes the tree dir and captures kbuild's flags for it. The
// tree is named explicitly so no other installed tree can stand in for it.
func kernelAt(t testing.TB, dir string) (*module.Kernel, *module.Flags) {
	t.Helper()
	kernelEnvsMu.Lock()
	e := kernelEnvs[dir]
	if e == nil {
		e = &kernelEnv{}
		kernelEnvs[dir] = e
	}
	kernelEnvsMu.Unlock()
	e.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		e.k, e.f, e.err = captureKernel(ctx, dir)
	})
	if e.err != nil {
		t.Fatalf("kernel tree %s: %v\ninstall the headers: apt-get install -y linux-headers-amd64 gcc make (or scripts/kernels.sh)", dir, e.err)
	}
	return e.k, e.f
}

func captureKernel(ctx context.Context, dir string) (*module.Kernel, *module.Flags, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, nil, err
	}
	k, err := module.FindKernel(ctx, abs)
	if err != nil {
		return nil, nil, err
	}
	if k.Dir != abs {
		return nil, nil, fmt.Errorf("FindKernel chose %s instead of the pinned tree", k.Dir)
	}
	f, err := module.CaptureFlags(ctx, k)
	if err != nil {
		return nil, nil, fmt.Errorf("capturing kbuild's flags: %w", err)
	}
	return k, f, nil
}
