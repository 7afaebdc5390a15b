package verdict_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rustko/rustko-lsp/bindings"
	"github.com/rustko/rustko-lsp/bindings/index"
	"github.com/rustko/rustko-lsp/bindings/verdict"
	"github.com/rustko/rustko-lsp/internal/testkernel"
	"github.com/rustko/rustko-lsp/module"
)

// This test lives outside package verdict: bindings imports verdict to fill
// Item.Verdict, and an in-package test importing bindings would then cycle.

// TestVerdictsRealHeaders pins the verdicts on the index generated from the
// pinned test tree (testkernel.Dir: Debian 12's 6.1, the default header set),
// so a change in the classification or in what bindings records shows up here, and an
// rt or newer tree installed beside it changes nothing.
func TestVerdictsRealHeaders(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	const need = "this test needs the Debian kernel headers with gcc and make (apt-get install linux-headers-amd64 gcc make)"
	k, err := module.FindKernel(ctx, testkernel.Dir(t))
	if err != nil {
		t.Fatalf("%s: %v", need, err)
	}
	flags, err := module.CaptureFlags(ctx, k)
	if err != nil {
		t.Fatalf("%s: %v", need, err)
	}
	sv, err := module.ReadSymvers(k.Symvers)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(os.TempDir(), fmt.Sprintf("rustko-bridge-test-%d", os.Getuid()), "bindings.rs")
	res, err := bindings.Generate(ctx, bindings.Options{Kernel: k, Flags: flags, Out: out, Symvers: sv, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	ix := res.Index
	for _, tc := range []struct {
		name, class, target, advice string
	}{
		{"printk", verdict.ClassExportedCall, "_printk", "same arguments"},
		{"pr_info", verdict.ClassIdiom, "_printk", "KERN_INFO"},
		{"pr_err", verdict.ClassIdiom, "_printk", "KERN_ERR"},
		{"container_of", verdict.ClassIdiom, "", "offset"},
		{"spin_lock_init", verdict.ClassHiddenState, "", "C shim"},
		{"mutex_init", verdict.ClassHiddenState, "__mutex_init", "lock_class_key"},
		{"module_init", verdict.ClassDeclares, "", "C shim"},
		{"current", verdict.ClassInline, "get_current", "KERNEL_HELPERS"},
		{"THIS_MODULE", verdict.ClassIdiom, "", "__this_module"},
		{"ARRAY_SIZE", verdict.ClassIdiom, "", ".len()"},
		{"BIT", verdict.ClassIdiom, "", "<<"},
		{"min", verdict.ClassIdiom, "", "min"},
		{"WARN_ON", verdict.ClassIdiom, "", "asm"},
		{"BUG_ON", verdict.ClassIdiom, "", "panic!"},
		{"DEFINE_MUTEX", verdict.ClassDeclares, "__mutex_init", "static mut"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			it := firstMacro(ix, tc.name)
			if it == nil {
				t.Fatalf("the index of %v has no macro %s", ix.Headers, tc.name)
			}
			v := verdict.Classify(ix, it)
			if v == nil || v.Class != tc.class || v.Target != tc.target || !strings.Contains(v.Advice, tc.advice) {
				t.Errorf("%s (%s): got %+v, want class %s target %q advice containing %q", tc.name, it.Decl, v, tc.class, tc.target, tc.advice)
			}
		})
	}
	// GFP_KERNEL has a value: no verdict needed, and the value is the 6.1 one.
	gfp := firstMacro(ix, "GFP_KERNEL")
	if gfp == nil || verdict.Classify(ix, gfp) != nil || gfp.ValueType != "gfp_t" {
		t.Errorf("GFP_KERNEL: %+v", gfp)
	}
}

func firstMacro(ix *index.Index, name string) *index.Item {
	for _, it := range ix.Lookup(name) {
		if it.Kind == index.Macro || it.Kind == index.FunctionMacro {
			return it
		}
	}
	return nil
}
