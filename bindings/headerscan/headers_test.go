package headerscan

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rustko/rustko-lsp/internal/filecache"
	"github.com/rustko/rustko-lsp/internal/testkernel"
	"github.com/rustko/rustko-lsp/module"
)

func TestScanDecls(t *testing.T) {
	src := `#ifndef _X_H
#define _X_H
#define FOO(x) ((x) + 1)
# define  BAR 2
#define LONG_ONE \
	{ 1, 2 }
struct dev { int a; struct inner { int b; } in; };
struct fwd;
union u { int a; };
enum state { ST_A, ST_B = 3, ST_C = (1 << 2), };
enum { ANON_A };
typedef unsigned int gfp_x;
typedef struct { int x; } anon_t __attribute__((aligned(8)));
typedef int (*handler_t)(int, void *);
typedef u64 __attribute__((aligned(8))) aligned_x;
extern int x_count;
extern unsigned long volatile __cacheline_aligned_in_smp __jiffy_arch_data jiff;
extern void (*power_off)(void);
extern struct dev devs[4];
extern const char *names[] = { "a" };
void *__alloc(size_t size, gfp_x flags) __alloc_size(1);
asmlinkage __printf(1, 2) __cold int _printk_x(const char *fmt, ...);
static inline int helper(struct dev *d) { if (d) { return d->a; } return 0; }
DECLARE_PER_CPU(int, percpu_x);
EXPORT_SYMBOL(helper);
static __always_inline struct dev *get_dev(void) { return 0; }
#endif
`
	type decl struct {
		line int
		kind string
	}
	got := map[string]decl{}
	scanDecls(src, func(name string, line, col int, kind uint8) {
		if _, dup := got[name]; !dup {
			got[name] = decl{line, declKinds[kind]}
		}
	})
	want := map[string]decl{
		"_X_H": {2, "macro"}, "FOO": {3, "macro"}, "BAR": {4, "macro"}, "LONG_ONE": {5, "macro"},
		"dev": {7, "struct"}, "u": {9, "struct"}, "state": {10, "struct"},
		"ST_A": {10, "enum-constant"}, "ST_B": {10, "enum-constant"}, "ST_C": {10, "enum-constant"}, "ANON_A": {11, "enum-constant"},
		"gfp_x": {12, "typedef"}, "anon_t": {13, "typedef"}, "handler_t": {14, "typedef"}, "aligned_x": {15, "typedef"},
		"x_count": {16, "variable"}, "jiff": {17, "variable"}, "power_off": {18, "variable"}, "devs": {19, "variable"}, "names": {20, "variable"},
		"__alloc": {21, "function"}, "_printk_x": {22, "function"}, "helper": {23, "function"}, "get_dev": {26, "function"},
	}
	for name, w := range want {
		if g, ok := got[name]; !ok || g != w {
			t.Errorf("%s: got %+v (found %v), want %+v", name, g, ok, w)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("unexpected declaration %q %+v", name, got[name])
		}
	}
}

var (
	kernelOnce  sync.Once
	kernelFlags *module.Flags
	kernelErr   error
)

// realIncludeDirs returns the -I directories kbuild uses for a module on the
// pinned test tree (testkernel.Dir), captured from kbuild and cached on disk.
func realIncludeDirs(t testing.TB) []string {
	t.Helper()
	kdir := testkernel.Dir(t)
	kernelOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		k, err := module.FindKernel(ctx, kdir)
		if err != nil {
			kernelErr = err
			return
		}
		kernelFlags, kernelErr = module.CaptureFlags(ctx, k)
	})
	if kernelErr != nil {
		t.Fatalf("this test needs the Debian kernel headers, gcc and make (apt-get install linux-headers-amd64 gcc make): %v", kernelErr)
	}
	return kernelFlags.IncludeDirs
}

func TestHeaderIndexRealHeaders(t *testing.T) {
	dirs := realIncludeDirs(t)
	// The user's cache, as rustko uses it: only the first run on a machine
	// pays for the scan. TestHeaderIndexErrors covers writing the cache.
	cache, err := filecache.Dir()
	if err != nil {
		t.Fatal(err)
	}
	h := NewHeaderIndex(dirs, cache)
	if _, ok := h.Lookup("register_netdev"); ok || h.Loaded() {
		t.Fatal("Lookup answered before Load")
	}
	start := time.Now()
	if err := h.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	cold := time.Since(start)
	for _, tc := range []struct{ name, header, kind string }{
		{"register_netdev", "linux/netdevice.h", "function"},
		{"alloc_netdev_mqs", "linux/netdevice.h", "function"},
		{"NETDEV_TX_OK", "linux/netdevice.h", "enum-constant"},
		{"pci_register_driver", "linux/pci.h", "macro"},
		{"file_operations", "linux/fs.h", "struct"},
		{"GFP_KERNEL", "linux/gfp_types.h", "macro"},
		{"_printk", "linux/printk.h", "function"},
		{"jiffies", "linux/jiffies.h", "variable"},
		{"pm_power_off", "linux/pm.h", "variable"},
		// A static inline up to 6.9, only a macro (alloc_hooks) from 6.10,
		// declared as a function beside the macro again by 7.3.
		{"kmalloc", "linux/slab.h", kmallocKind(t, dirs)},
		{"gfp_t", "linux/gfp_types.h", "typedef"},
	} {
		d, ok := h.Lookup(tc.name)
		if !ok || d.Header != tc.header || d.Kind != tc.kind {
			t.Errorf("%s: got %+v (found %v), want %s in %s", tc.name, d, ok, tc.kind, tc.header)
			continue
		}
		if !filepath.IsAbs(d.Pos.File) || d.Pos.Line < 1 {
			t.Errorf("%s: position %+v", tc.name, d.Pos)
			continue
		}
		src, err := os.ReadFile(d.Pos.File)
		if err != nil {
			t.Fatal(err)
		}
		line := strings.Split(string(src), "\n")[d.Pos.Line-1]
		if !strings.HasPrefix(line[d.Pos.Column-1:], tc.name) {
			t.Errorf("%s: %s:%d:%d does not point at the name: %q", tc.name, d.Pos.File, d.Pos.Line, d.Pos.Column, line)
		}
	}
	if d, ok := h.Lookup("no_such_kernel_function_xyz"); ok {
		t.Errorf("found a name no header declares: %+v", d)
	}

	// A second index over the same trees loads the cache.
	h2 := NewHeaderIndex(dirs, cache)
	start = time.Now()
	if err := h2.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	warm := time.Since(start)
	if d, ok := h2.Lookup("register_netdev"); !ok || d.Header != "linux/netdevice.h" {
		t.Errorf("from cache: %+v %v", d, ok)
	}
	t.Logf("header index: first load %v, second %v, %d names", cold, warm, h.data.count())
}

// kmallocKind says what the kernel's linux/slab.h makes kmalloc, read from
// its text: a function where one is declared or defined, else a macro.
func kmallocKind(t *testing.T, dirs []string) string {
	t.Helper()
	for _, d := range dirs {
		src, err := os.ReadFile(filepath.Join(d, "linux/slab.h"))
		if err != nil {
			continue
		}
		if regexp.MustCompile(`(?m)^[^#].*\bkmalloc\(size_t`).Match(src) {
			return "function"
		}
		return "macro"
	}
	t.Fatalf("no linux/slab.h in %v", dirs)
	return ""
}

func TestHeaderIndexErrors(t *testing.T) {
	h := NewHeaderIndex([]string{"/nonexistent/include"}, "")
	err := h.Load(context.Background())
	if err == nil || !strings.Contains(err.Error(), "linux-headers") {
		t.Fatalf("want an error naming the package to install, got %v", err)
	}
	empty := t.TempDir()
	err = NewHeaderIndex([]string{empty}, "").Load(context.Background())
	if err == nil || !strings.Contains(err.Error(), "no headers") {
		t.Fatalf("got %v", err)
	}
	// A damaged cache entry, and a whole one that is not an index, are
	// ignored and rewritten.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.h"), []byte("int foo(void);\n"), 0o644)
	cacheDir := t.TempDir()
	cache := filecache.Open(cacheDir)
	key, _ := NewHeaderIndex([]string{dir}, cacheDir).key()
	for _, damage := range []func(){
		func() {
			p := filepath.Join(cacheDir, "entries", headerIndexKind, filecache.KeyOf(key).String())
			os.MkdirAll(filepath.Dir(p), 0o755)
			os.WriteFile(p, []byte("garbage"), 0o644)
		},
		func() { cache.Set(headerIndexKind, filecache.KeyOf(key), []byte("RKHI garbage")) },
	} {
		damage()
		h = NewHeaderIndex([]string{dir}, cacheDir)
		if err := h.Load(context.Background()); err != nil {
			t.Fatal(err)
		}
		if d, ok := h.Lookup("foo"); !ok || d.Header != "a.h" {
			t.Fatalf("got %+v %v", d, ok)
		}
		b, err := cache.Get(headerIndexKind, filecache.KeyOf(key))
		if err == nil {
			_, err = decodeHeaderData(b)
		}
		if err != nil {
			t.Errorf("the damaged entry was not rewritten: %v", err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	retried := NewHeaderIndex([]string{dir}, "")
	if err := retried.Load(ctx); err == nil {
		t.Fatal("cancelled scan succeeded")
	}
	// A cancelled load is not the index's fault: the next one scans.
	if err := retried.Load(context.Background()); err != nil || !retried.Loaded() {
		t.Errorf("load after a cancelled one: %v, loaded %v", err, retried.Loaded())
	}
	// A failed one is kept: the workspace loads the index on every Env, and
	// a tree without headers would be scanned again each time.
	gone := filepath.Join(t.TempDir(), "gone")
	os.Mkdir(gone, 0o755)
	broken := NewHeaderIndex([]string{gone}, "")
	os.Remove(gone)
	first := broken.Load(context.Background())
	os.Mkdir(gone, 0o755)
	if first == nil || broken.Load(context.Background()) != first {
		t.Errorf("failed load %v was not kept", first)
	}
}

func FuzzScanDecls(f *testing.F) {
	f.Add("typedef int (*f)(int);\nstruct a { enum { X } y; };\n#define Z(a) a\n")
	f.Add("extern int x[;\n}}}{{(((\n#")
	f.Fuzz(func(t *testing.T, src string) {
		scanDecls(src, func(name string, line, col int, kind uint8) {
			if name == "" || line < 1 || col < 1 || int(kind) >= len(declKinds) {
				t.Fatalf("bad declaration %q %d:%d kind %d", name, line, col, kind)
			}
		})
	})
}

// FuzzHeaderCache: a damaged cache file is refused or, if it decodes, never
// makes a lookup panic.
func FuzzHeaderCache(f *testing.F) {
	good := encodeHeaderData("k", []string{"/i/linux/a.h"}, []string{"linux/a.h"}, []string{"alpha", "beta"},
		[]hdecl{{File: 0, Line: 1, Col: 1, Kind: kFunction}, {File: 0, Line: 2, Col: 5, Kind: kMacro}})
	f.Add(good)
	f.Add(good[:len(good)-3])
	f.Add([]byte("RKHI"))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := decodeHeaderData(b)
		if err != nil {
			return
		}
		h := &HeaderIndex{loaded: true, data: d}
		for _, n := range []string{"alpha", "beta", "", "zzz"} {
			h.Lookup(n)
		}
	})
}
