package headerscan

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/rustko/rustko-lsp/internal/filecache"
	"github.com/rustko/rustko-lsp/module"
)

// ElsewhereFor over this machine's trees: from Debian 12's 6.1, the 6.12
// tree that make test installs beside it declares kmalloc_noprof (memory
// allocation profiling, 6.10) and is newer.
func TestElsewhereForInstalledTrees(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	const current, other = "/usr/src/linux-headers-6.1.0-57-amd64", "6.12.118+deb12-amd64"
	if kdir := os.Getenv("RUSTKO_TEST_KDIR"); kdir != "" && kdir != current {
		// make unit-trixie runs this package inside the Debian 13 root,
		// which holds only the 7.x tree: the comparison of two Debian 12
		// trees is make unit's, on the host.
		t.Skipf("compares the host's Debian 12 trees (6.1 with 6.12 beside it); RUSTKO_TEST_KDIR is %s", kdir)
	}
	k, err := module.FindKernel(ctx, current)
	if err != nil || k.Dir != current {
		t.Fatalf("this test needs %s (scripts/kernels.sh 6.1 6.12): %v", current, err)
	}
	cache, err := filecache.Dir()
	if err != nil {
		t.Fatal(err)
	}
	e := ElsewhereFor(ctx, k, cache)
	var found *Sighting
	for _, s := range e.Declaring("kmalloc_noprof") {
		if s.Release == k.Release {
			t.Errorf("the module's own kernel is listed as another: %+v", s)
		}
		if s.Release == other {
			found = &s
		}
	}
	if found == nil {
		t.Fatalf("no sighting of kmalloc_noprof in %s (is it installed? scripts/kernels.sh 6.12)", other)
	}
	if found.Older || found.Header != "linux/slab.h" {
		t.Errorf("sighting %+v, want a newer kernel's linux/slab.h", *found)
	}
	if got := e.Declaring("no_kernel_declares_this_name"); len(got) != 0 {
		t.Errorf("an unknown name was found elsewhere: %+v", got)
	}
}
