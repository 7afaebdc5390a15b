package cwrap_test

import (
	"context"
	"fmt"
	"os/exec"
	"sync"
	"testing"
	"time"

	"modernc.org/cc/v4"

	"github.com/rustko/rustko-lsp/bindings"
	"github.com/rustko/rustko-lsp/internal/testkernel"
	"github.com/rustko/rustko-lsp/module"
)

// The real-header tests share one kernel tree, one flag capture and one
// parse of the 6-header set: each costs seconds.
var (
	realOnce sync.Once
	real     struct {
		k       *module.Kernel
		f       *module.Flags
		symvers *module.Symvers
		ast     *cc.AST
		headers []string
		err     error
	}
)

// realHeaders parses bindings.DefaultHeaders() of the pinned kernel tree
// (testkernel.Dir) with kbuild's flags. It fails (never skips) when the
// headers or the compiler are missing.
func realHeaders(t testing.TB) (*module.Kernel, *module.Flags, *module.Symvers, *cc.AST) {
	t.Helper()
	dir := testkernel.Dir(t)
	realOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		r := &real
		if r.k, r.err = module.FindKernel(ctx, dir); r.err != nil {
			return
		}
		if r.k.Dir != dir {
			r.err = fmt.Errorf("FindKernel chose %s instead of the pinned tree %s", r.k.Dir, dir)
			return
		}
		if r.f, r.err = module.CaptureFlags(ctx, r.k); r.err != nil {
			return
		}
		if r.k.Symvers != "" {
			if r.symvers, r.err = module.ReadSymvers(r.k.Symvers); r.err != nil {
				return
			}
		}
		r.ast, r.headers, r.err = bindings.ParseHeaders(ctx, r.k, r.f, bindings.DefaultHeaders())
	})
	if real.err != nil {
		t.Fatalf("no kernel headers to test against: %v\ninstall them: apt-get install -y linux-headers-amd64 gcc make", real.err)
	}
	if _, err := exec.LookPath(compiler(real.f)); err != nil {
		t.Fatalf("the kernel's C compiler %s is missing: apt-get install -y gcc", compiler(real.f))
	}
	return real.k, real.f, real.symvers, real.ast
}

func compiler(f *module.Flags) string {
	if f.Compiler == "" {
		return "gcc"
	}
	return f.Compiler
}

// exported answers cwrap's link question from Module.symvers.
func exported(s *module.Symvers) func(string) (bool, bool) {
	if s == nil {
		return nil
	}
	return func(name string) (bool, bool) {
		_, ok := s.Lookup(name)
		return ok, true
	}
}
