package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rustko/rustko-lsp/build"
	"github.com/rustko/rustko-lsp/internal/testkernel"
)

// The boots run under TCG: KVM hangs on some machines (this one), and a
// test must not depend on it.
const testAccel = "tcg"

// builtModule is a module of testdata built once (on the pinned kernel,
// in its own folder) for the run tests: a build is the slow part.
type builtModule struct {
	once          sync.Once
	dir, ko, fail string
}

var (
	crashBuilt      builtModule
	unknownsymBuilt builtModule
)

// moduleFiles are testdata/<name>'s files with the target spec of
// examples/hello beside them.
func moduleFiles(t *testing.T, name string) map[string]string {
	t.Helper()
	src := treeFiles(t, filepath.Join("testdata", name))
	spec, err := os.ReadFile("../../examples/hello/x86_64-unknown-none-gnu.json")
	if err != nil {
		t.Fatal(err)
	}
	src["x86_64-unknown-none-gnu.json"] = string(spec)
	return src
}

func (b *builtModule) get(t *testing.T, name string) (dir, ko string) {
	t.Helper()
	b.once.Do(func() {
		b.dir = checkModuleDir(t, "run-"+name, moduleFiles(t, name))
		var stdout, stderr bytes.Buffer
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		code, err := runBuild(ctx, b.dir, testkernel.Dir(t), build.ModeAuto, false, &stdout, &stderr)
		if code != exitOK || err != nil {
			b.fail = "build failed: " + stdout.String() + stderr.String()
			if err != nil {
				b.fail += err.Error()
			}
			return
		}
		b.ko = filepath.Join(b.dir, name+".ko")
	})
	if b.fail != "" {
		t.Fatal(b.fail)
	}
	return b.dir, b.ko
}

// crashModule is testdata/crash built; its parameter "how" picks what
// each boot does.
func crashModule(t *testing.T) (dir, ko string) {
	t.Helper()
	return crashBuilt.get(t, "crash")
}

func runFor(t *testing.T, o runOptions) (int, string, string, error) {
	t.Helper()
	if o.accel == "" {
		o.accel = testAccel
	}
	if o.format == "" {
		o.format = "text"
	}
	if o.timeout == 0 {
		o.timeout = 5 * time.Minute
	}
	var stdout, stderr bytes.Buffer
	code, err := runRun(context.Background(), o, &stdout, &stderr)
	return code, stdout.String(), stderr.String(), err
}

// lineOf is the 1-based line of the file that holds marker.
func lineOf(t *testing.T, file, marker string) int {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		if strings.Contains(sc.Text(), marker) {
			return n
		}
	}
	t.Fatalf("%s has no %q", file, marker)
	return 0
}

var textFinding = regexp.MustCompile(`(?m)^(\S+):(\d+):\d+: (error|warning|note): (.*)$`)

// firstError returns the first error of run's text output: file (relative
// to the module), line and message.
func firstError(stdout string) (file string, line int, msg string, ok bool) {
	for _, m := range textFinding.FindAllStringSubmatch(stdout, -1) {
		if m[3] == "error" {
			n, _ := strconv.Atoi(m[2])
			return m[1], n, m[4], true
		}
	}
	return "", 0, "", false
}

// TestRunOops: an oops in the module's Rust code and in its C shim each
// fail the run (exit 1) with the first error at the line that wrote through
// the null pointer, decoded from the backtrace through the module's DWARF.
func TestRunOops(t *testing.T) {
	dir, ko := crashModule(t)
	kdir := testkernel.Dir(t)
	for _, tc := range []struct {
		name, how, file, marker string
	}{
		{"rust", "how=1", "src/lib.rs", "RUST-NULL-WRITE"},
		{"c", "how=2", "src/crash.c", "C-NULL-WRITE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr, err := runFor(t, runOptions{dir: ko, kdir: kdir, params: listFlag{tc.how}})
			if err != nil || code != exitFindings {
				t.Fatalf("run: exit %d (%v), want 1\n%s\n%s", code, err, stdout, stderr)
			}
			file, line, msg, ok := firstError(stdout)
			if !ok {
				t.Fatalf("no error in the findings:\n%s\n%s", stdout, stderr)
			}
			want := lineOf(t, filepath.Join(dir, tc.file), tc.marker)
			if file != tc.file || line != want || !strings.HasSuffix(msg, "[module-oops]") {
				t.Errorf("first error at %s:%d (%s), want %s:%d [module-oops]\n%s", file, line, msg, tc.file, want, stdout)
			}
			if !strings.Contains(msg, "NULL pointer dereference") {
				t.Errorf("the finding's message is not the oops summary: %q", msg)
			}
			if !strings.Contains(stdout, "rustko: decoded: BUG: kernel NULL pointer dereference") {
				t.Errorf("no decoded backtrace:\n%s", stdout)
			}
			if tc.name == "rust" {
				// The write's code is core's, inlined into lib.rs: shown.
				if !strings.Contains(stdout, "inlined into src/lib.rs:") {
					t.Errorf("the decoded backtrace does not show the inlined frame:\n%s", stdout)
				}
				// The caller, the C shim, is related information.
				if !regexp.MustCompile(`(?m)^src/crash\.c:\d+:\d+: note: called from crash_init`).MatchString(stdout) {
					t.Errorf("the C caller is not related information:\n%s", stdout)
				}
			}
		})
	}
}

// TestRunBadInput: what the module does wrong is exit 1 with the kernel's
// own words; what stops the VM from running is exit 2 with what to do.
func TestRunBadInput(t *testing.T) {
	dir, ko := crashModule(t)
	kdir := testkernel.Dir(t)
	t.Run("passes", func(t *testing.T) {
		code, stdout, stderr, err := runFor(t, runOptions{dir: ko, kdir: kdir, params: listFlag{"how=0"}, expect: listFlag{"crash: exit"}})
		if err != nil || code != exitOK {
			t.Fatalf("run: exit %d (%v), want 0\n%s\n%s", code, err, stdout, stderr)
		}
		for _, want := range []string{"crash: init how=0", "crash from rust", "crash: exit"} {
			if !strings.Contains(stdout, want+"\n") {
				t.Errorf("the module's log lacks %q:\n%s", want, stdout)
			}
		}
		if strings.Contains(stdout, "taints kernel") {
			t.Errorf("the taint notices every out-of-tree module gets are printed:\n%s", stdout)
		}
	})
	t.Run("hang", func(t *testing.T) {
		code, stdout, stderr, err := runFor(t, runOptions{dir: ko, kdir: kdir, params: listFlag{"how=3"}, timeout: 90 * time.Second})
		if err != nil || code != exitFindings {
			t.Fatalf("run: exit %d (%v), want 1\n%s\n%s", code, err, stdout, stderr)
		}
		if !strings.Contains(stderr, "did not power off in time") || !strings.Contains(stdout, "crash: init how=3") {
			t.Errorf("a hang is not reported with the last log lines:\n%s\n%s", stdout, stderr)
		}
	})
	t.Run("invalid-parameter", func(t *testing.T) {
		code, stdout, stderr, err := runFor(t, runOptions{dir: ko, kdir: kdir, params: listFlag{"how=many"}})
		if err != nil || code != exitFindings {
			t.Fatalf("run: exit %d (%v), want 1\n%s\n%s", code, err, stdout, stderr)
		}
		// The kernel's reason, not only insmod's.
		if !strings.Contains(stderr, "insmod failed: `many' invalid for parameter `how'\n") {
			t.Errorf("the kernel's reason is not shown:\n%s\n%s", stdout, stderr)
		}
		if !strings.Contains(stdout, filepath.Join("src", "lib.rs")+":1:1: error:") {
			t.Errorf("no error finding for the failed load:\n%s", stdout)
		}
	})
	t.Run("unknown-symbol", func(t *testing.T) {
		// crc32c is in the tree's Module.symvers, so the build accepts
		// it, but it is libcrc32c.ko's and the VM loads no other module.
		_, uko := unknownsymBuilt.get(t, "unknownsym")
		code, stdout, stderr, err := runFor(t, runOptions{dir: uko, kdir: kdir})
		if err != nil || code != exitFindings {
			t.Fatalf("run: exit %d (%v), want 1\n%s\n%s", code, err, stdout, stderr)
		}
		// The kernel's reason, not insmod's "No such file or directory".
		if !strings.Contains(stderr, "rustko: FAIL: insmod failed: Unknown symbol crc32c (err -2)\n") {
			t.Errorf("the kernel's reason is not shown:\n%s\n%s", stdout, stderr)
		}
		// At the shim's call, saying who exports it (Module.symvers).
		shim := filepath.Join("testdata", "unknownsym", "src", "unknownsym.c")
		file, line, msg, ok := firstError(stdout)
		if !ok || file != filepath.Join("src", "unknownsym.c") || line != lineOf(t, shim, "UNKNOWN-SYMBOL") ||
			!strings.HasPrefix(msg, "insmod failed: Unknown symbol crc32c (err -2): `crc32c` is exported by the module lib/libcrc32c, which was not loaded") {
			t.Errorf("first error %s:%d %q, want the kernel's reason at the call in %s:\n%s", file, line, msg, shim, stdout)
		}
		if strings.Contains(stdout, "unknownsym from rust") {
			t.Errorf("the module's init ran although insmod failed:\n%s", stdout)
		}
	})
	t.Run("unknown-parameter", func(t *testing.T) {
		code, stdout, stderr, err := runFor(t, runOptions{dir: ko, kdir: kdir, params: listFlag{"nosuch=1"}})
		if err != nil || code != exitFindings {
			t.Fatalf("run: exit %d (%v), want 1\n%s\n%s", code, err, stdout, stderr)
		}
		if !strings.Contains(stderr, "nosuch") {
			t.Errorf("the kernel's reason is not shown:\n%s\n%s", stdout, stderr)
		}
	})
	t.Run("missing-image", func(t *testing.T) {
		code, _, _, err := runFor(t, runOptions{dir: ko, kdir: kdir, image: filepath.Join(dir, "no-such-vmlinuz")})
		if code != exitTool || err == nil || !strings.Contains(err.Error(), "no-such-vmlinuz") {
			t.Errorf("missing image: exit %d, error %v; want 2 naming the file", code, err)
		}
	})
	t.Run("no-qemu", func(t *testing.T) {
		t.Setenv("PATH", t.TempDir())
		code, _, _, err := runFor(t, runOptions{dir: ko, kdir: kdir})
		if code != exitTool || err == nil || !strings.Contains(err.Error(), "apt-get install -y qemu-system-x86") {
			t.Errorf("without QEMU: exit %d, error %v; want 2 with the install command", code, err)
		}
	})
}
