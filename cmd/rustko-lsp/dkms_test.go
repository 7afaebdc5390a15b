package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rustko/rustko-lsp/internal/testkernel"
)

// dkmsModule writes testdata/crash (a self-contained module) into a fresh
// folder.
func dkmsModule(t *testing.T) string {
	t.Helper()
	src := treeFiles(t, "testdata/crash")
	spec, err := os.ReadFile("../../examples/hello/x86_64-unknown-none-gnu.json")
	if err != nil {
		t.Fatal(err)
	}
	src["x86_64-unknown-none-gnu.json"] = string(spec)
	dir := filepath.Join(t.TempDir(), "crash")
	for p, text := range src {
		writeFile(t, filepath.Join(dir, p), text)
	}
	return dir
}

func TestDKMSConf(t *testing.T) {
	dir := dkmsModule(t)
	var out, errb bytes.Buffer
	if code, err := runDKMS(context.Background(), dir, &out, &errb); code != exitOK || err != nil {
		t.Fatalf("dkms: exit %d (%v)\n%s", code, err, errb.String())
	}
	conf := string(mustRead(t, filepath.Join(dir, "dkms.conf")))
	for _, want := range []string{
		`PACKAGE_NAME="crash"`, `PACKAGE_VERSION="0.1.0"`, `BUILT_MODULE_NAME[0]="crash"`,
		`MAKE[0]="rustko-lsp build --kdir ${kernel_source_dir} ."`, `DEST_MODULE_LOCATION[0]="/updates/dkms"`,
		`AUTOINSTALL="yes"`, `PRE_BUILD="dkms-pre-build.sh"`, `CLEAN="rm -rf build crash.ko"`,
	} {
		if !strings.Contains(conf, want+"\n") {
			t.Errorf("dkms.conf lacks %s:\n%s", want, conf)
		}
	}
	if !strings.Contains(out.String(), "dkms add "+dir) {
		t.Errorf("dkms does not say what to run next:\n%s", out.String())
	}
	// Rerunning replaces rustko's own files.
	if code, err := runDKMS(context.Background(), dir, &out, &errb); code != exitOK || err != nil {
		t.Errorf("second dkms: exit %d (%v)", code, err)
	}
	// The PRE_BUILD script stops a build on a machine without rustko-lsp,
	// with the install command.
	pre := exec.Command(filepath.Join(dir, "dkms-pre-build.sh"))
	pre.Env = []string{"PATH=" + t.TempDir()}
	msg, err := pre.CombinedOutput()
	if err == nil || !strings.Contains(string(msg), "rustko-lsp is not on root's PATH") || !strings.Contains(string(msg), "install -m 755") {
		t.Errorf("pre-build without rustko-lsp: %v\n%s", err, msg)
	}
	// A dkms.conf the user wrote is never replaced.
	mine := "PACKAGE_NAME=mine\n"
	writeFile(t, filepath.Join(dir, "dkms.conf"), mine)
	if code, err := runDKMS(context.Background(), dir, &out, &errb); code != exitTool || err == nil {
		t.Errorf("dkms over a hand-written dkms.conf: exit %d (%v), want 2", code, err)
	}
	if got := string(mustRead(t, filepath.Join(dir, "dkms.conf"))); got != mine {
		t.Errorf("the hand-written dkms.conf was changed to:\n%s", got)
	}
}

// TestDKMSBuild: with Debian's dkms, `rustko-lsp dkms` + `dkms add` +
// `dkms build -k <release>` builds the module for the pinned kernel.
func TestDKMSBuild(t *testing.T) {
	if _, err := exec.LookPath("dkms"); err != nil {
		t.Fatal("dkms not found: apt-get install -y dkms (scripts/deps.sh installs it)")
	}
	if os.Getuid() != 0 {
		t.Fatal("dkms add and build write /usr/src and /var/lib/dkms: run as root")
	}
	rel := releaseOf(t, testkernel.Dir(t))
	if _, err := os.Stat(filepath.Join("/lib/modules", rel, "build")); err != nil {
		t.Fatalf("dkms builds against /lib/modules/%s/build: %v", rel, err)
	}
	// DKMS runs rustko-lsp from PATH: the one under test.
	bin := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatal("no go command to build rustko-lsp with")
	}
	if out, err := exec.CommandContext(ctx, goTool, "build", "-o", filepath.Join(bin, "rustko-lsp"), ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))

	dir := dkmsModule(t)
	var out, errb bytes.Buffer
	if code, err := runDKMS(ctx, dir, &out, &errb); code != exitOK || err != nil {
		t.Fatalf("rustko-lsp dkms: exit %d (%v)\n%s", code, err, errb.String())
	}
	dkms := func(args ...string) (string, error) {
		b, err := exec.CommandContext(ctx, "dkms", args...).CombinedOutput()
		return string(b), err
	}
	// Not under ctx: t.Cleanup runs after the deferred cancel.
	cleanup := func() {
		exec.Command("dkms", "remove", "crash/0.1.0", "--all").Run()
		os.RemoveAll("/usr/src/crash-0.1.0")
		os.RemoveAll("/var/lib/dkms/crash")
	}
	cleanup() // a run killed before its cleanup
	t.Cleanup(cleanup)
	if msg, err := dkms("add", dir); err != nil {
		t.Fatalf("dkms add: %v\n%s", err, msg)
	}
	msg, err := dkms("build", "crash/0.1.0", "-k", rel)
	if err != nil {
		log, _ := os.ReadFile("/var/lib/dkms/crash/0.1.0/build/make.log")
		t.Fatalf("dkms build: %v\n%s\nmake.log:\n%s", err, msg, log)
	}
	if !strings.Contains(msg, "Running the pre_build script") {
		t.Errorf("dkms did not run the pre-build check:\n%s", msg)
	}
	ko := filepath.Join("/var/lib/dkms/crash/0.1.0", rel, "x86_64/module/crash.ko")
	if got := vermagic(t, ko); !strings.HasPrefix(got, rel+" ") {
		t.Errorf("dkms built %s with vermagic %q, want release %s", ko, got, rel)
	}
	if st, _ := dkms("status", "crash/0.1.0"); !strings.Contains(st, rel) || !strings.Contains(st, "built") {
		t.Errorf("dkms status: %s", st)
	}
}
