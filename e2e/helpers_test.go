package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBootHelpers builds testdata/helpers, whose Rust code calls static
// inline kernel functions (kmalloc, kfree, spin_lock, get_current,
// copy_to_user) through the C helpers rustko generates from KERNEL_HELPERS,
// with rustko-lsp build on each kernel, and boots it: the shim prints what
// the helpers returned.
func TestBootHelpers(t *testing.T) {
	kernels := bootKernels(t)
	bin := buildRustko(t)
	src, err := filepath.Abs("testdata/helpers")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range kernels {
		// One mode per kernel: the helpers are C, the Rust side only calls
		// them, and both modes are proved by TestBootHello.
		mode := k.modes[0]
		t.Run(k.release+"/"+mode, func(t *testing.T) {
			t.Parallel()
			dir := copyModule(t, src)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			name, args := bin, []string{"build", "--mode", mode, "--kdir", k.dir, "."}
			if k.inRoot != "" {
				name, args = inTrixie(t, bin, "build", "--mode", mode, "--kdir", k.inRoot, ".")
			}
			stdout, stderr, err := run(ctx, dir, name, args...)
			if err != nil {
				t.Fatalf("rustko-lsp build failed: %v\n%s\n%s", err, stdout, stderr)
			}
			code, log := boot(t, k, filepath.Join(dir, "rkhelpers.ko"),
				"rkhelpers: selftest 42, copy_to_user left 1", "rkhelpers: exit")
			if code != 0 {
				t.Errorf("booting the helpers module failed:\n%s", log)
			}
			t.Log(strings.TrimSpace(log))
		})
	}
}
