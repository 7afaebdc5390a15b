package vm

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestAutoFallsBackToTCG: with accel auto, a QEMU that cannot run the guest
// under KVM (this machine's kvm_buf_set_msrs assertion) is run again under
// TCG and the boot succeeds; with kvm asked for explicitly, the failure is
// the answer. The fake QEMU fails for -accel kvm and prints a real 6.1
// serial log otherwise.
func TestAutoFallsBackToTCG(t *testing.T) {
	if _, err := staticBusybox(); err != nil {
		t.Fatalf("%v (apt-get install -y busybox-static)", err)
	}
	dir := t.TempDir()
	logPath, err := filepath.Abs("testdata/hello-6.1.log")
	if err != nil {
		t.Fatal(err)
	}
	script := "#!/bin/sh\nfor a; do if [ \"$a\" = kvm ]; then echo \"qemu-system-x86_64: kvm.c:3183: kvm_buf_set_msrs: Assertion failed.\"; exit 134; fi; done\ncat '" + logPath + "'\n"
	bin := filepath.Join(dir, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bin, "qemu-system-x86_64"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	// A device auto can open, standing in for /dev/kvm.
	kvm := filepath.Join(dir, "kvm")
	if err := os.WriteFile(kvm, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	old := kvmDevice
	kvmDevice = kvm
	t.Cleanup(func() { kvmDevice = old })
	ko := fakeModule(t, dir, "hello", "6.1.0-57-amd64 SMP preempt mod_unload modversions ")
	image := filepath.Join(dir, "vmlinuz")
	if err := os.WriteFile(image, []byte("not booted: the fake QEMU prints a log"), 0o644); err != nil {
		t.Fatal(err)
	}

	var progress bytes.Buffer
	res, err := Boot(context.Background(), Config{KO: ko, Image: image, Accel: "auto", Progress: &progress})
	if err != nil {
		t.Fatalf("auto: %v\n%s", err, progress.String())
	}
	if res.Accel != "tcg" || !strings.Contains(progress.String(), "KVM failed") || !strings.Contains(progress.String(), "booting again under emulation") {
		t.Errorf("auto: accel %s, progress:\n%s", res.Accel, progress.String())
	}
	if !res.Log.Started {
		t.Errorf("the TCG boot's log was not read: %+v", res.Log)
	}

	_, err = Boot(context.Background(), Config{KO: ko, Image: image, Accel: "kvm"})
	if se, ok := err.(*SetupError); !ok || !strings.Contains(se.Msg, "kvm_buf_set_msrs") {
		t.Errorf("explicit kvm: %v, want the QEMU failure as a setup error", err)
	}
}

// fakeModule compiles an object with a .modinfo section, which is all Boot
// reads of a module before QEMU runs.
func fakeModule(t *testing.T, dir, name, vermagic string) string {
	t.Helper()
	src := filepath.Join(dir, name+".c")
	c := "const char modinfo[] __attribute__((section(\".modinfo\"), used)) = \"name=" + name + "\\0vermagic=" + vermagic + "\";\n"
	if err := os.WriteFile(src, []byte(c), 0o644); err != nil {
		t.Fatal(err)
	}
	ko := filepath.Join(dir, name+".ko")
	if out, err := exec.Command("gcc", "-c", "-o", ko, src).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	return ko
}
