package e2e

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rustko/rustko-lsp/internal/testkernel"
)

// runtimeBuild makes a module with `rustko-lsp new NAME` (which gives it
// its copy of the rustko crate), puts crates/rustko/testdata/NAME.rs in as
// its src/lib.rs, and builds it in mode with the toolchain at rustRoot for
// kernel k (inside the trixie root for a 7.x tree).
func runtimeBuild(t *testing.T, bin, name, mode, rustRoot string, k bootKernel) string {
	t.Helper()
	parent := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if _, stderr, err := run(ctx, parent, bin, "new", name); err != nil {
		t.Fatalf("rustko-lsp new %s: %v\n%s", name, err, stderr)
	}
	dir := filepath.Join(parent, name)
	src, err := os.ReadFile(filepath.Join("..", "crates", "rustko", "testdata", name+".rs"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "src", "lib.rs"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd, args := "env", []string{"RUST_ROOT=" + rustRoot, bin, "build", "--mode", mode, "--kdir", k.dir, "."}
	if k.inRoot != "" {
		cmd, args = inTrixie(t, "env", "RUST_ROOT="+rustRoot, bin, "build", "--mode", mode, "--kdir", k.inRoot, ".")
	}
	_, stderr, err := run(ctx, dir, cmd, args...)
	if err != nil {
		t.Fatalf("rustko-lsp build --mode %s of %s: %v\n%s", mode, name, err, stderr)
	}
	return filepath.Join(dir, name+".ko")
}

// panicLine is the line of the panic! in a test module's source.
func panicLine(t *testing.T, name string) int {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "crates", "rustko", "testdata", name+".rs"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		if strings.Contains(sc.Text(), "panic!(") {
			return n
		}
	}
	t.Fatalf("%s.rs has no panic!", name)
	return 0
}

// TestBootRuntime boots the rustko crate's test modules on the pinned
// kernel, built in rust-src mode with Debian's rustc 1.63 and in host mode
// with rustup's current stable: formatted output with a Vec, a String from
// format! and a Box; the allocator's alignment, zeroing, growth and failure
// paths; a line longer than a printk record arriving whole; and a panic
// printing its message and file:line before BUG() stops the task.
func TestBootRuntime(t *testing.T) {
	bin := buildRustko(t)
	kdir := testkernel.Dir(t)
	k := bootKernel{release: release(t, kdir), dir: kdir}
	home, _ := os.UserHomeDir()
	hostRoot := filepath.Join(home, ".cargo")
	if p := os.Getenv("RUSTKO_TEST_HOST_RUSTC"); p != "" {
		hostRoot = filepath.Dir(filepath.Dir(p))
	}
	if _, err := os.Stat(filepath.Join(hostRoot, "bin", "rustc")); err != nil {
		t.Fatalf("rustup's stable rustc not found (%v): install rustup's stable toolchain, or set RUSTKO_TEST_HOST_RUSTC", err)
	}
	line := panicLine(t, "rtpanic")
	for _, tc := range []struct{ mode, root string }{{"rust-src", "/usr"}, {"host", hostRoot}} {
		t.Run("rtdemo/"+tc.mode, func(t *testing.T) {
			t.Parallel()
			bootRtdemo(t, bin, tc.mode, tc.root, k)
		})
		t.Run("rtpanic/"+tc.mode, func(t *testing.T) {
			t.Parallel()
			ko := runtimeBuild(t, bin, "rtpanic", tc.mode, tc.root, k)
			want := fmt.Sprintf("rtpanic: panicked at src/lib.rs:%d: boom 7 of []", line)
			code, log := boot(t, k, ko, "about to panic", want)
			// BUG() is an oops, and the e2e kernel runs with oops=panic:
			// boot.sh must fail for that, and for nothing else.
			if code != 1 {
				t.Fatalf("boot.sh exit %d for a module that BUG()s, want 1:\n%s", code, log)
			}
			if strings.Contains(log, "lacks \"about to panic\"") || strings.Contains(log, "lacks \""+want) {
				t.Errorf("the panic message is not in the log:\n%s", log)
			}
			// boot.sh names each oops/BUG/panic report it found ("the kernel
			// log shows ..."; "the log shows ..." before it used package vm).
			if !strings.Contains(log, "log shows") {
				t.Errorf("the kernel did not stop the panicking task:\n%s", log)
			}
			t.Log(strings.TrimSpace(log))
		})
	}
	// The crate's C half settles what differs between kernels (6.12 links
	// __kmalloc_noprof, 7.x krealloc_node_align_noprof): the demo module on
	// every other test kernel, in its first mode (7.x: trixie's rustc 1.85).
	for _, o := range bootKernels(t) {
		if o.dir == kdir {
			continue
		}
		root := hostRoot
		if o.modes[0] == "rust-src" {
			root = "/usr"
		}
		t.Run("rtdemo/"+o.release+"/"+o.modes[0], func(t *testing.T) { t.Parallel(); bootRtdemo(t, bin, o.modes[0], root, o) })
	}
}

// bootRtdemo builds the demo module in mode for k and boots it.
func bootRtdemo(t *testing.T, bin, mode, rustRoot string, k bootKernel) {
	ko := runtimeBuild(t, bin, "rtdemo", mode, rustRoot, k)
	code, log := boot(t, k, ko,
		"rtdemo: init",
		"x=42 v=[1, 2, 3] s=ab-7",
		"box=42 text=    r|",
		"align4096 alloc=true realloc=true",
		"zeroed=true grown=20000 sum=199990000",
		"try_reserve=Err(ENOMEM) ENOMEM (12)",
		"long=0123456789",
		"789END",
		"println works",
		"print without newline",
		"rtdemo: exit")
	if code != 0 {
		t.Errorf("booting rtdemo built in %s mode on %s failed:\n%s", mode, k.release, log)
	}
	t.Log(strings.TrimSpace(log))
}
