package module

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/internal/testkernel"

	"github.com/rustko/rustko-lsp/internal/testtree"
)

func TestModuleSummary(t *testing.T) {
	withEnviron(t, "RELEASE=1")
	root := testtree.Write(t, map[string]string{
		"Makefile":     rustkoMakefile,
		"Cargo.toml":   "[package]\nname = \"hello\"\n",
		"config.mk":    "KERNEL_HELPERS := kmalloc spin_lock\n",
		"src/module.c": "", "src/lib.rs": "",
	})
	m, err := Load(context.Background(), root, map[string]string{"KERNEL_BUILD_PATH": "/opt/kdir"})
	if err != nil {
		t.Fatal(err)
	}
	s := m.Summary()
	t.Log("\n" + s)
	wantLines := [][]string{
		{"module hello at " + root, "(config config.mk)"},
		{"KERNEL_MODULE", "hello", "Makefile:3"},
		{"KERNEL_BUILD_PATH", "/opt/kdir", "override"},
		{"KERNEL_HELPERS", "kmalloc spin_lock", "config.mk:1"},
		{"C_FILES", "src/module.c", "Makefile:6"},
		{"BINDINGS", "src/bindings.rs", "default"},
		{"TARGET", "(embedded default", "default"},
		{"RELEASE", "true", "environment"},
		{"CARGOFLAGS", "--release", "Makefile:16"},
	}
	lines := strings.Split(s, "\n")
	for _, want := range wantLines {
		found := false
		for _, l := range lines {
			if strings.HasPrefix(strings.TrimSpace(l), want[0]) && containsInOrder(l, want) {
				found = true
			}
		}
		if !found {
			t.Errorf("no summary line with %q", want)
		}
	}
}

func TestKernelSummary(t *testing.T) {
	k := &Kernel{
		Dir: "/usr/src/linux-headers-6.1.0-9-amd64", Release: "6.1.0-9-amd64", Arch: "x86_64", SrcArch: "x86",
		FoundBy: "/usr/src scan", ReleaseFrom: "include/generated/utsrelease.h", ArchFrom: ".config (CONFIG_X86_64=y)",
		Skipped: []string{"/lib/modules/6.5.0/build (running kernel): does not exist"},
	}
	s := k.Summary()
	for _, w := range []string{
		"kernel 6.1.0-9-amd64 (x86_64, SRCARCH x86) at /usr/src/linux-headers-6.1.0-9-amd64",
		"found by: /usr/src scan; release from include/generated/utsrelease.h; arch from .config (CONFIG_X86_64=y)",
		"no Module.symvers",
		"skipped /lib/modules/6.5.0/build (running kernel): does not exist",
	} {
		if !strings.Contains(s, w) {
			t.Errorf("summary lacks %q:\n%s", w, s)
		}
	}
	real, err := FindKernel(context.Background(), testkernel.Dir(t))
	if err != nil {
		t.Fatal(err)
	}
	if s := real.Summary(); !strings.Contains(s, "found by: configured") || !strings.Contains(s, filepath.Base(real.Dir)) || strings.Contains(s, "no Module.symvers") {
		t.Errorf("real summary:\n%s", s)
	}
}

func containsInOrder(s string, parts []string) bool {
	for _, p := range parts {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return true
}
