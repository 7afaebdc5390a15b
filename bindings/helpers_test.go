package bindings

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rustko/rustko-lsp/bindings/cwrap"
	"github.com/rustko/rustko-lsp/bindings/index"
	"github.com/rustko/rustko-lsp/module"
)

// The done-when set of issue 4: a module listing these builds and Rust
// calls them by their C names.
var doneWhenHelpers = []string{"kmalloc", "copy_to_user", "get_current", "spin_lock"}

var (
	helperOnce sync.Once
	helperEnv  struct {
		symvers *module.Symvers
		err     error
	}
)

// helperKernel is the pinned tree, its flags and its Module.symvers.
func helperKernel(t *testing.T) (*module.Kernel, *module.Flags, *module.Symvers) {
	t.Helper()
	k, f := realKernel(t)
	helperOnce.Do(func() {
		e := &helperEnv
		if k.Symvers == "" {
			e.err = errEnv("the kernel tree " + k.Dir + " has no Module.symvers")
			return
		}
		e.symvers, e.err = module.ReadSymvers(k.Symvers)
	})
	if helperEnv.err != nil {
		t.Fatalf("kernel tree %s: %v", k.Dir, helperEnv.err)
	}
	return k, f, helperEnv.symvers
}

type errEnv string

func (e errEnv) Error() string { return string(e) }

// TestHelpersEndToEnd generates bindings with KERNEL_HELPERS holding the
// done-when functions, names that must be refused, and every static
// inline function the six configured headers declare themselves; then
// checks the result, the index, the cache, and that the Rust compiles
// with both supported rustc versions and calls the helpers by C name.
func TestHelpersEndToEnd(t *testing.T) {
	k, f, symvers := helperKernel(t)
	ctx := context.Background()
	dir := t.TempDir()
	cache := t.TempDir()

	// The configured headers' own inline functions, from a plain run.
	plain, err := Generate(ctx, Options{Kernel: k, Flags: f, Symvers: symvers, CacheDir: cache, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	configured := map[string]bool{}
	for _, h := range DefaultHeaders() {
		configured[filepath.Base(filepath.Dir(h))+"/"+filepath.Base(h)] = true
	}
	var sample []string
	for _, it := range plain.Index.Items {
		if it.Kind == index.InlineFunction && configured[filepath.Base(filepath.Dir(it.Pos.File))+"/"+filepath.Base(it.Pos.File)] {
			sample = append(sample, it.Name)
		}
	}
	if len(sample) < 100 {
		t.Fatalf("only %d inline functions in the configured headers; expected hundreds", len(sample))
	}

	bad := map[string]cwrap.Kind{
		"no_such_kernel_function": cwrap.Unknown,
		"netif_rx":                cwrap.Unknown, // linux/netdevice.h, not configured
		"printk":                  cwrap.Macro,
		"kfree":                   cwrap.Exported,
		"jiffies":                 cwrap.NotFunction,
		"static_key_false":        cwrap.ConstArg,
	}
	names := append([]string(nil), doneWhenHelpers...)
	for n := range bad {
		names = append(names, n)
	}
	names = append(names, sample...)
	o := Options{Kernel: k, Flags: f, Symvers: symvers, CacheDir: cache, Version: "test",
		Out: filepath.Join(dir, "bindings.rs"), Helpers: names, HelpersOut: filepath.Join(dir, "rustko_helpers.c")}
	res, err := Generate(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	h := res.Helpers
	if h == nil || h.File != o.HelpersOut {
		t.Fatalf("Result.Helpers = %+v, want the helper file %s", h, o.HelpersOut)
	}
	wrapped := map[string]bool{}
	for _, w := range h.Wrapped {
		wrapped[w.Name] = true
	}
	for _, n := range doneWhenHelpers {
		if !wrapped[n] {
			t.Errorf("%s was not wrapped: %v", n, h.Refused)
		}
	}
	refused := map[string]cwrap.Refusal{}
	for _, r := range h.Refused {
		refused[r.Name] = r
	}
	for n, kind := range bad {
		r, ok := refused[n]
		switch {
		case !ok:
			t.Errorf("%s was not refused", n)
		case r.Kind != kind:
			t.Errorf("%s refused as %s (%s), want %s", n, r.Kind, r.Reason, kind)
		}
	}
	if r := refused["netif_rx"]; !strings.Contains(r.Reason, "linux/netdevice.h") {
		t.Errorf("netif_rx: the reason should name linux/netdevice.h: %s", r.Reason)
	}
	if r := refused["printk"]; !strings.Contains(r.Reason, "_printk") {
		t.Errorf("printk: the reason should carry the bridge's advice (_printk): %s", r.Reason)
	}
	t.Logf("%d names: %d wrapped, %d refused", len(names), len(h.Wrapped), len(h.Refused))
	for _, r := range h.Refused {
		t.Logf("refused %s: %s", r.Kind, r.Reason)
	}

	// The index knows.
	km := kmallocItem(res.Index)
	if km == nil || km.Rust != "kmalloc" || km.Verdict == nil || km.Verdict.Class != index.VerdictHelper ||
		!strings.Contains(km.RustDecl, `#[link_name = "rustko_helper_kmalloc"]`) {
		t.Errorf("index item kmalloc = %+v", km)
	}
	if sk := lookupKind(res.Index, "static_key_false", index.InlineFunction); sk == nil || sk.Verdict == nil ||
		sk.Verdict.Class != index.VerdictNoHelper || !strings.Contains(sk.Verdict.Advice, "compile-time constant") {
		t.Errorf("index item static_key_false = %+v", sk)
	}

	// The C file is on disk and is what Result says.
	c, err := os.ReadFile(o.HelpersOut)
	if err != nil || !bytes.Equal(c, h.C) || !bytes.Contains(c, []byte("rustko_helper_copy_to_user(")) {
		t.Fatalf("helper file: %v\n%s", err, clipText(string(c), 2000))
	}

	// Rust calls them by their C names, with either compiler.
	user := `
mod bindings;
pub unsafe fn use_helpers(lock: *mut bindings::spinlock_t, to: *mut bindings::c_void, from: *const bindings::c_void) -> u64 {
    let p = bindings::kmalloc(64, bindings::GFP_KERNEL);
    bindings::spin_lock(lock);
    let task = bindings::get_current();
    let left = bindings::copy_to_user(to, from, 8);
    p as u64 + task as u64 + left as u64
}
`
	compileHelperRust(t, dir, user)

	// A second run comes from the cache, helpers included, and rewrites
	// a deleted helper file.
	if err := os.Remove(o.HelpersOut); err != nil {
		t.Fatal(err)
	}
	again, err := Generate(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Cached || again.Helpers == nil || len(again.Helpers.Wrapped) != len(h.Wrapped) || len(again.Helpers.Refused) != len(h.Refused) {
		t.Errorf("cached run: cached=%v helpers=%v", again.Cached, again.Helpers != nil)
	}
	if c2, err := os.ReadFile(o.HelpersOut); err != nil || !bytes.Equal(c2, c) {
		t.Errorf("the cached run did not rewrite the helper file: %v", err)
	}
	if km := kmallocItem(again.Index); km == nil || km.Verdict == nil || km.Verdict.Class != index.VerdictHelper {
		t.Errorf("the cached index lost the helper verdict of kmalloc: %+v", km)
	}
}

// kmallocItem is kmalloc's index item: an inline function up to 6.9, a
// macro over kmalloc_noprof since (wrapped as the macro).
func kmallocItem(ix *index.Index) *index.Item {
	if it := lookupKind(ix, "kmalloc", index.InlineFunction); it != nil {
		return it
	}
	return lookupKind(ix, "kmalloc", index.FunctionMacro)
}

func lookupKind(ix *index.Index, name string, k index.Kind) *index.Item {
	for _, it := range ix.Lookup(name) {
		if it.Kind == k {
			return it
		}
	}
	return nil
}

// compileHelperRust builds lib.rs (which declares mod bindings) with the
// rustcs the bindings promise (rustcs()), metadata only.
func compileHelperRust(t *testing.T, dir, lib string) {
	t.Helper()
	root := filepath.Join(dir, "lib.rs")
	if err := os.WriteFile(root, []byte("#![no_std]\n"+lib), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, rc := range rustcs() {
		if _, err := os.Stat(rc.path); err != nil {
			t.Fatalf("%s is missing: %s", rc.path, rc.pkg)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		cmd := exec.CommandContext(ctx, rc.path, "--edition", "2021", "--crate-type", "lib", "--crate-name", "rk",
			"--emit", "metadata", "-o", filepath.Join(dir, "out.rmeta"), root)
		out, err := cmd.CombinedOutput()
		cancel()
		if err != nil {
			t.Fatalf("%s rejects the bindings with helpers: %v\n%s", rc.path, err, clipText(string(out), 6000))
		}
	}
}

func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "\n..."
}

// TestHelpersLinkWithKbuild builds a real module whose C part is the
// helper file for the done-when functions and every function the six
// configured headers let us wrap, plus a caller that takes each helper's
// address: kbuild compiles it and modpost must find nothing undefined.
func TestHelpersLinkWithKbuild(t *testing.T) {
	k, f, symvers := helperKernel(t)
	if _, err := exec.LookPath("make"); err != nil {
		t.Fatal("make is missing: apt-get install -y make")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	dir := t.TempDir()
	plain, err := Generate(ctx, Options{Kernel: k, Flags: f, Symvers: symvers, CacheDir: t.TempDir(), Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	names := append([]string(nil), doneWhenHelpers...)
	names = append(names, "spin_unlock", "kzalloc", "copy_from_user", "kmalloc_array", "kcalloc")
	for _, it := range plain.Index.Items {
		if it.Kind == index.InlineFunction && strings.HasSuffix(filepath.Dir(it.Pos.File), "/include/linux") {
			for _, h := range DefaultHeaders() {
				if strings.HasSuffix(it.Pos.File, "/"+h) {
					names = append(names, it.Name)
				}
			}
		}
	}
	res, err := Generate(ctx, Options{Kernel: k, Flags: f, Symvers: symvers, CacheDir: t.TempDir(), Version: "test",
		Helpers: names, HelpersOut: filepath.Join(dir, "rustko_helpers.c")})
	if err != nil {
		t.Fatal(err)
	}
	var decls, refs strings.Builder
	for _, h := range res.Helpers.Wrapped {
		decls.WriteString("extern void " + h.Symbol + "(void);\n")
		refs.WriteString("\t" + h.Symbol + ",\n")
	}
	main := "#include <linux/module.h>\n" + decls.String() +
		"void (*const rk_helpers[])(void) __used = {\n" + refs.String() + "};\n" +
		"static int __init rk_init(void) { return 0; }\nstatic void __exit rk_exit(void) { }\n" +
		"module_init(rk_init);\nmodule_exit(rk_exit);\nMODULE_LICENSE(\"GPL\");\n" +
		// modpost warns without it since 6.11.
		"MODULE_DESCRIPTION(\"rustko helper link test\");\n"
	files := map[string]string{
		"Kbuild": "obj-m := rkhelp.o\nrkhelp-objs := main.o rustko_helpers.o\n",
		"main.c": main,
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.CommandContext(ctx, "make", "-C", k.Dir, "M="+dir, "modules")
	out, err := cmd.CombinedOutput()
	if err != nil || bytes.Contains(out, []byte("undefined!")) {
		t.Fatalf("kbuild did not link the helpers: %v\n%s", err, clipText(string(out), 8000))
	}
	if _, err := os.Stat(filepath.Join(dir, "rkhelp.ko")); err != nil {
		t.Fatalf("no module: %v\n%s", err, out)
	}
	for _, l := range strings.Split(string(out), "\n") {
		if strings.Contains(l, "warning") || strings.Contains(l, "WARNING") {
			t.Errorf("kbuild warns: %s", l)
		}
	}
	t.Logf("rkhelp.ko links %d helpers (%d names refused)", len(res.Helpers.Wrapped), len(res.Helpers.Refused))
}

// TestUnbindable pins which helper prototypes the bindings refuse: what
// Rust would pass differently from C by value, and any type whose layout
// the front end could not compute (the bindings never emit those).
func TestUnbindable(t *testing.T) {
	cint := &Type{Kind: TPrim, Prim: "c_int", Signed: true, Size: 4, Align: 4}
	i128 := &Type{Kind: TOpaque, Prim: "__int128", Size: 16, Align: 16}
	ld8 := &Type{Kind: TOpaque, Prim: "weird8", Size: 16, Align: 8}
	ptr := func(e *Type) *Type { return &Type{Kind: TPointer, Elem: e, Size: 8, Align: 8} }
	named := func(r Named) *Type { return &Type{Kind: TNamed, Ref: r} }
	plain := &Record{Tag: "plain", Name: "plain", Complete: true, Size: 4, Align: 4,
		Members: []Member{{Kind: MField, Name: "x", Type: cint}}}
	opaque := &Record{Tag: "xregs_state", Name: "xregs_state", Complete: true, Size: 64, Align: 64, Opaque: "packed and aligned"}
	incomplete := &Record{Tag: "fwd", Name: "fwd"}
	bad := &Record{Tag: "broken", Name: "broken", Complete: true, Size: -1, bad: "size -1"}
	holder := &Record{Tag: "holder", Name: "holder", Complete: true, Size: 8, Align: 8,
		Members: []Member{{Kind: MField, Name: "b", Type: ptr(named(bad))}}}
	td := &Typedef{CName: "xs_t", Name: "xs_t", Type: named(opaque)}
	fnWith := func(p *Type) *Type {
		return ptr(&Type{Kind: TFunc, Fn: &FuncSig{Params: []Param{{Name: "a", Type: p}}}})
	}
	tests := []struct {
		name string
		t    *Type
		want string // "" bindable, else part of the reason
	}{
		{"int", cint, ""},
		{"__int128 by value", i128, "__int128 has no Rust equivalent"},
		{"pointer to __int128", ptr(i128), "__int128 has no Rust equivalent"},
		{"pointer to 8-aligned opaque", ptr(ld8), ""},
		{"record by value", named(plain), ""},
		{"opaque record by value", named(opaque), "which the bindings make opaque"},
		{"pointer to opaque record", ptr(named(opaque)), ""},
		{"incomplete record by value", named(incomplete), "never define"},
		{"pointer to incomplete record", ptr(named(incomplete)), ""},
		{"pointer to a mis-laid record", ptr(named(bad)), "cannot compute reliably"},
		{"record reaching a mis-laid record", ptr(named(holder)), "cannot compute reliably"},
		{"typedef of opaque by value", named(td), "which the bindings make opaque"},
		{"callback taking opaque by value", fnWith(named(opaque)), "which the bindings make opaque"},
		{"callback taking a pointer", fnWith(ptr(named(opaque))), ""},
	}
	for _, tc := range tests {
		got := unbindable(tc.t, true, map[*Record]bool{}, 0)
		switch {
		case tc.want == "" && got != "":
			t.Errorf("%s: refused (%s)", tc.name, got)
		case tc.want != "" && !strings.Contains(got, tc.want):
			t.Errorf("%s: %q, want a reason with %q", tc.name, got, tc.want)
		}
	}
}

// TestHelpersRustModule is issue 4's done-when at the bindings level: a
// module listing kmalloc, copy_to_user, get_current and spin_lock (and
// spin_unlock) gets bindings and a helper file; Rust code calling
// bindings::kmalloc(...) by the C names compiles to an object (rustc 1.95,
// host target with the kernel's code model and no SSE, as rustko's host
// mode builds it) whose helper calls kbuild links with the C shim and the
// helper file into a .ko with nothing undefined; then the module runs
// under QEMU on the matching Debian kernel (e2e/boot.sh) and the Rust code
// reports what the helpers returned.
func TestHelpersRustModule(t *testing.T) {
	k, f, symvers := helperKernel(t)
	rustc := rustcs()[0].path // a current rustc: rustup's, or the first of $RUSTKO_TEST_RUSTC
	if _, err := os.Stat(rustc); err != nil {
		t.Fatalf("%s is missing: install rustup's stable toolchain (or name a current rustc in RUSTKO_TEST_RUSTC)", rustc)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	dir := t.TempDir()
	helpers := append(append([]string(nil), doneWhenHelpers...), "spin_unlock")
	res, err := Generate(ctx, Options{Kernel: k, Flags: f, Symvers: symvers, CacheDir: t.TempDir(), Version: "test",
		Out: filepath.Join(dir, "bindings.rs"), Helpers: helpers, HelpersOut: filepath.Join(dir, "rustko_helpers.c")})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Helpers.Wrapped) != len(helpers) {
		t.Fatalf("wrapped %v, refused %v", res.Helpers.Wrapped, res.Helpers.Refused)
	}
	lib := `#![no_std]
mod bindings;

// Allocates, writes and frees; takes and releases the caller's lock; asks
// for the current task; copies to a kernel address, which copy_to_user
// refuses (it returns the bytes left, 1).
#[no_mangle]
pub extern "C" fn rust_helpers_selftest(lock: *mut bindings::spinlock_t, left: *mut i64) -> i32 {
    unsafe {
        let p = bindings::kmalloc(64, bindings::GFP_KERNEL) as *mut u8;
        if p.is_null() {
            return -12;
        }
        core::ptr::write_volatile(p, 42);
        let v = core::ptr::read_volatile(p);
        bindings::kfree(p as *const bindings::c_void);
        bindings::spin_lock(lock);
        bindings::spin_unlock(lock);
        let task = bindings::get_current();
        let mut buf = [0u8; 8];
        *left = bindings::copy_to_user(buf.as_mut_ptr() as *mut bindings::c_void, &v as *const u8 as *const bindings::c_void, 1) as i64;
        if task.is_null() {
            return -1;
        }
        v as i32
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}
`
	if err := os.WriteFile(filepath.Join(dir, "lib.rs"), []byte(lib), 0o644); err != nil {
		t.Fatal(err)
	}
	rustObj := filepath.Join(dir, "rust.o")
	out, err := exec.CommandContext(ctx, rustc, "--edition", "2021", "--crate-type", "lib", "--crate-name", "rkhelpers",
		"--target", "x86_64-unknown-linux-gnu", "-O", "-C", "panic=abort", "-C", "code-model=kernel",
		"-C", "relocation-model=static", "-C", "no-redzone=yes", "-C", "target-feature=-sse,-sse2,-mmx,+soft-float",
		"--emit", "obj="+rustObj, filepath.Join(dir, "lib.rs")).CombinedOutput()
	if err != nil {
		t.Fatalf("rustc: %v\n%s", err, clipText(string(out), 6000))
	}
	nm, err := exec.Command("nm", "-u", rustObj).Output()
	if err != nil {
		t.Fatalf("nm: %v (apt-get install -y binutils)", err)
	}
	for _, n := range helpers {
		if !strings.Contains(string(nm), "rustko_helper_"+n) {
			t.Errorf("the Rust object does not call rustko_helper_%s:\n%s", n, nm)
		}
	}
	files := map[string]string{
		"Kbuild": "obj-m := rkdone.o\nrkdone-objs := shim.o rustko_helpers.o rust.o\n",
		"shim.c": `#include <linux/module.h>
#include <linux/spinlock.h>
static DEFINE_SPINLOCK(rk_lock);
int rust_helpers_selftest(spinlock_t *lock, long long *left);
static int __init rk_init(void)
{
	long long left = -1;
	int r = rust_helpers_selftest(&rk_lock, &left);
	pr_info("rkdone: selftest %d, copy_to_user left %lld\n", r, left);
	return 0;
}
static void __exit rk_exit(void) { pr_info("rkdone: exit\n"); }
module_init(rk_init);
module_exit(rk_exit);
MODULE_LICENSE("GPL");
`,
		// modpost reads the .cmd file of every object; the Rust one has
		// no kbuild rule, so it gets an empty one.
		".rust.o.cmd": "",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, err = exec.CommandContext(ctx, "make", "-C", k.Dir, "M="+dir, "modules").CombinedOutput()
	if err != nil || bytes.Contains(out, []byte("undefined!")) {
		t.Fatalf("kbuild: %v\n%s", err, clipText(string(out), 8000))
	}
	ko := filepath.Join(dir, "rkdone.ko")
	if _, err := os.Stat(ko); err != nil {
		t.Fatalf("no module: %v\n%s", err, out)
	}
	boot, err := filepath.Abs(filepath.Join("..", "e2e", "boot.sh"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, boot, "-k", k.Dir, "-e", "rkdone: selftest 42, copy_to_user left 1", "-e", "rkdone: exit", ko)
	cmd.Dir = filepath.Dir(boot)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the module did not run as expected under QEMU (e2e/boot.sh needs qemu-system-x86 busybox-static cpio kmod): %v\n%s", err, clipText(string(out), 6000))
	}
}
