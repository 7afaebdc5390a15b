package bindings

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/rustko/rustko-lsp/module"
)

var (
	kernelOnce  sync.Once
	kernelTree  *module.Kernel
	kernelFlags *module.Flags
	kernelErr   error
)

// realKernel finds the installed Debian kernel headers and kbuild's flags
// for them (captured once, then cached by module.CaptureFlags). Tests that
// need it fail, not skip, when the headers are missing.
func realKernel(t testing.TB) (*module.Kernel, *module.Flags) {
	t.Helper()
	kernelOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		kernelTree, kernelErr = module.FindKernel(ctx, "")
		if kernelErr == nil {
			kernelFlags, kernelErr = module.CaptureFlags(ctx, kernelTree)
		}
	})
	if kernelErr != nil {
		t.Fatalf("no kernel headers to test against: %v\ninstall them: apt-get install -y linux-headers-amd64 gcc make", kernelErr)
	}
	return kernelTree, kernelFlags
}
