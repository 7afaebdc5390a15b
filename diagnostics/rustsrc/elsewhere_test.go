package rustsrc

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rustko/rustko-lsp/bindings/headerscan"
	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/internal/filecache"
	"github.com/rustko/rustko-lsp/module"
)

// The two Debian trees these tests compare: strlcpy left the kernel in 6.8,
// kmalloc_noprof came with allocation profiling in 6.10. make test installs
// both (scripts/kernels.sh).
const (
	tree61  = "/usr/src/linux-headers-6.1.0-57-amd64"
	tree612 = "/usr/src/linux-headers-6.12.118+deb12-amd64"
)

var (
	treeMu   sync.Mutex
	treeDirs = map[string]*module.Flags{}
)

// treeFlags captures (once per test binary) a pinned tree's flags; a tree
// that is missing fails the test with the command that installs it.
func treeFlags(t *testing.T, dir string) (*module.Kernel, *module.Flags) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	k, err := module.FindKernel(ctx, dir)
	if err != nil || k.Dir != dir {
		t.Fatalf("this test needs the kernel tree %s (scripts/kernels.sh 6.1 6.12 installs it): %v", dir, err)
	}
	treeMu.Lock()
	defer treeMu.Unlock()
	if f := treeDirs[dir]; f != nil {
		return k, f
	}
	f, err := module.CaptureFlags(ctx, k)
	if err != nil {
		t.Fatal(err)
	}
	treeDirs[dir] = f
	return k, f
}

// A name no header of this kernel declares is a typo unless another
// installed kernel declares it: then the finding says removed or added.
func TestNotInThisKernel(t *testing.T) {
	cache, err := filecache.Dir()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, current, other string
		older                bool
		call                 string
		want                 []string
	}{
		{"removed", tree612, tree61, true, "bindings::strlcpy(d, s, 8)",
			[]string{"`strlcpy` is not in this kernel (6.12.118+deb12-amd64)", "removed after 6.1.0-57-amd64, whose linux/"}},
		{"added", tree61, tree612, false, "bindings::kmalloc_noprof(8, 0)",
			[]string{"`kmalloc_noprof` is not in this kernel", "it was added later; 6.12.118+deb12-amd64 declares it in linux/slab.h"}},
		{"typo", tree61, tree612, false, "bindings::kmallloc(8, 0)",
			[]string{"no kernel header declares `kmallloc`", "check the spelling"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			ck, cur := treeFlags(t, tc.current)
			ok, of := treeFlags(t, tc.other)
			headers := headerscan.NewHeaderIndex(cur.IncludeDirs, cache)
			if err := headers.Load(ctx); err != nil {
				t.Fatal(err)
			}
			asked := 0
			elsewhere := headerscan.NewElsewhere(ctx, func(context.Context) ([]headerscan.OtherTree, error) {
				asked++
				return []headerscan.OtherTree{{Release: ok.Release, Older: tc.older,
					IncludeDirs: func(context.Context) ([]string, error) { return of.IncludeDirs, nil }}}, nil
			}, cache)
			ix := *fixtureIndex(t)
			ix.Kernel = ck.Release
			env := &Env{Index: &ix, Headers: headers, Elsewhere: elsewhere}
			src := "mod bindings;\nfn f(d: *mut u8, s: *const u8) { unsafe { " + tc.call + "; } }\n"
			f, err := ParseWith("lib.rs", []byte(src), env)
			if err != nil {
				t.Fatal(err)
			}
			var msgs []string
			for _, d := range Analyze(f, env) {
				if d.Code == diagnostics.CodeNotDeclared {
					msgs = append(msgs, d.Message)
					if tc.name != "typo" && (len(d.Related) == 0 || !strings.HasPrefix(d.Related[len(d.Related)-1].File, "/usr/src/")) {
						t.Errorf("related information should point into the other tree's header: %+v", d.Related)
					}
				}
			}
			if len(msgs) != 1 {
				t.Fatalf("not-declared findings %q, want one", msgs)
			}
			for _, w := range tc.want {
				if !strings.Contains(msgs[0], w) {
					t.Errorf("finding %q lacks %q", msgs[0], w)
				}
			}
			if asked != 1 {
				t.Errorf("the other trees were listed %d times, want once", asked)
			}
		})
	}
}
