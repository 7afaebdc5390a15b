package module

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/rustko/rustko-lsp/internal/testtree"
)

const specJSON = `{"llvm-target": "x86_64-unknown-none-gnu"}` + "\n"

// TestTargetChoice: the spec a module builds with, chosen in rust.ko's order
// (TARGET, LLVM_TARGET_SPEC, <UTS_MACHINE>-unknown-none-gnu.json found as
// kbuild.mk's --target finds it), with where the choice was made.
func TestTargetChoice(t *testing.T) {
	withEnviron(t)
	cargo := "[package]\nname = \"hello\"\n"
	tests := []struct {
		name  string
		files map[string]string
		env   []string
		// want: Vars.Target relative to the root ("" for the embedded
		// default), the variable, whether the file exists, and where the
		// variable was set.
		target, via string
		found       bool
		where       string
	}{
		{"rust.ko layout: no variable, spec at the root",
			map[string]string{"Makefile": "export KERNEL_MODULE := hello\n", "kbuild.mk": "obj-m := ${KERNEL_MODULE}.o\n", "x86_64-unknown-none-gnu.json": specJSON},
			nil, "x86_64-unknown-none-gnu.json", "", true, ""},
		{"no variable, no spec: embedded default",
			map[string]string{"Makefile": "KERNEL_MODULE := hello\n"}, nil, "", "", false, ""},
		{"spec for another arch only: embedded default",
			map[string]string{"Makefile": "KERNEL_MODULE := hello\n", "aarch64-unknown-none-gnu.json": specJSON}, nil, "", "", false, ""},
		{"TARGET a path",
			map[string]string{"Makefile": "TARGET := specs/k.json\n", "specs/k.json": specJSON}, nil, "specs/k.json", "TARGET", true, "Makefile:1"},
		{"TARGET a target name, spec at the root",
			map[string]string{"Makefile": "# rust.ko fork\nTARGET := x86_64-unknown-none-gnu\n", "x86_64-unknown-none-gnu.json": specJSON}, nil, "x86_64-unknown-none-gnu.json", "TARGET", true, "Makefile:2"},
		{"TARGET a target name found through RUST_TARGET_PATH",
			map[string]string{"Makefile": "export RUST_TARGET_PATH := $(CURDIR)/targets\nTARGET := kern\n", "targets/kern.json": specJSON, "kern.json": specJSON}, nil, "targets/kern.json", "TARGET", true, "Makefile:2"},
		{"TARGET a target name without a file: reported at the Makefile's line, not config.mk",
			map[string]string{"Makefile": "TARGET := x86_64-unknown-none-gnu\n-include config.mk\n", "config.mk": "RUST_ROOT := /usr\n"}, nil, "x86_64-unknown-none-gnu.json", "TARGET", false, "Makefile:1"},
		{"TARGET in config.mk over the Makefile",
			map[string]string{"Makefile": "TARGET := a.json\n-include config.mk\n", "config.mk": "TARGET := b.json\n", "a.json": specJSON, "b.json": specJSON}, nil, "b.json", "TARGET", true, "config.mk:1"},
		{"LLVM_TARGET_SPEC when TARGET is unset",
			map[string]string{"Makefile": "LLVM_TARGET_SPEC := spec/x.json\n", "spec/x.json": specJSON, "x86_64-unknown-none-gnu.json": specJSON}, nil, "spec/x.json", "LLVM_TARGET_SPEC", true, "Makefile:1"},
		{"TARGET over LLVM_TARGET_SPEC",
			map[string]string{"Makefile": "LLVM_TARGET_SPEC := x.json\nTARGET := y.json\n", "x.json": specJSON, "y.json": specJSON}, nil, "y.json", "TARGET", true, "Makefile:2"},
		{"TARGET from the environment",
			map[string]string{"Makefile": "TARGET ?= a.json\n", "a.json": specJSON, "b.json": specJSON}, []string{"TARGET=b.json"}, "b.json", "TARGET", true, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			withEnviron(t, tc.env...)
			files := map[string]string{"Cargo.toml": cargo}
			for k, v := range tc.files {
				files[k] = v
			}
			root := testtree.Write(t, files)
			m, err := Load(context.Background(), root, map[string]string{"KERNEL_BUILD_PATH": ""})
			if err != nil {
				t.Fatal(err)
			}
			want := ""
			if tc.target != "" {
				want = filepath.Join(root, tc.target)
			}
			if m.Vars.Target != want || m.Target.Var != tc.via || m.Target.Found != tc.found {
				t.Errorf("Target %q via %q found %v (%+v), want %q via %q found %v", m.Vars.Target, m.Target.Var, m.Target.Found, m.Target, want, tc.via, tc.found)
			}
			if tc.via != "" && m.Where[tc.via] != tc.where {
				t.Errorf("Where[%s] = %q, want %q", tc.via, m.Where[tc.via], tc.where)
			}
			if (tc.via == "" && tc.target != "") != m.Target.Convention() {
				t.Errorf("Convention() = %v", m.Target.Convention())
			}
		})
	}
}

// TestTargetForArch: the convention follows the kernel actually built for;
// a spec a variable names does not.
func TestTargetForArch(t *testing.T) {
	withEnviron(t)
	root := testtree.Write(t, map[string]string{"Makefile": "KERNEL_MODULE := hello\n",
		"x86_64-unknown-none-gnu.json": specJSON, "aarch64-unknown-none-gnu.json": specJSON})
	m, err := Load(context.Background(), root, nil)
	if err != nil {
		t.Fatal(err)
	}
	for arch, want := range map[string]string{
		"aarch64": filepath.Join(root, "aarch64-unknown-none-gnu.json"),
		"riscv64": "",
		"":        m.Vars.Target,
	} {
		if got := m.TargetFor(arch); got != want {
			t.Errorf("TargetFor(%q) = %q, want %q", arch, got, want)
		}
	}
	m2, err := Load(context.Background(), root, map[string]string{"TARGET": "x86_64-unknown-none-gnu.json"})
	if err != nil {
		t.Fatal(err)
	}
	if got := m2.TargetFor("aarch64"); got != filepath.Join(root, "x86_64-unknown-none-gnu.json") {
		t.Errorf("TARGET set: TargetFor(aarch64) = %q", got)
	}
}

func TestTargetSearchPath(t *testing.T) {
	root := "/m"
	for _, tc := range []struct {
		rtp  string
		want []string
	}{
		{"", []string{"/m"}},
		{"/m", []string{"/m"}},
		{"/opt/t:specs", []string{"/opt/t", "/m/specs", "/m"}},
		{":/opt/t", []string{"/m", "/opt/t"}},
	} {
		if got := targetSearchPath(root, tc.rtp); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("targetSearchPath(%q) = %q, want %q", tc.rtp, got, tc.want)
		}
	}
}

// TestModuleNameFromObjM: kbuild names the .ko after obj-m, so that name
// wins over the Cargo package's unless KERNEL_MODULE says otherwise.
func TestModuleNameFromObjM(t *testing.T) {
	withEnviron(t)
	cargo := "[package]\nname = \"rust-hello\"\n"
	tests := []struct {
		name         string
		files        map[string]string
		want, origin string
		where        string
	}{
		{"Kbuild obj-m", map[string]string{"Kbuild": "obj-m := foo.o\nfoo-objs := src/module.o libfoo.a\n", "Makefile": "all:\n\t$(MAKE) -C $(KDIR) M=$(CURDIR)\n"}, "foo", "Kbuild", "Kbuild:1"},
		{"Makefile obj-m", map[string]string{"Makefile": "obj-m += bar.o\n"}, "bar", "Makefile", "Makefile:1"},
		{"Makefile obj-m through a variable", map[string]string{"Makefile": "OBJ = baz\nobj-m = ${OBJ}.o\n"}, "baz", "Makefile", "Makefile:2"},
		{"Kbuild over the Makefile", map[string]string{"Kbuild": "obj-m := foo.o\n", "Makefile": "obj-m := bar.o\n"}, "foo", "Kbuild", "Kbuild:1"},
		{"KERNEL_MODULE over obj-m", map[string]string{"Kbuild": "obj-m := foo.o\n", "Makefile": "KERNEL_MODULE := hello\n"}, "hello", "Makefile", "Makefile:1"},
		{"rust.ko: obj-m only in kbuild.mk, from KERNEL_MODULE", map[string]string{"Makefile": "export KERNEL_MODULE := hello\n", "kbuild.mk": "obj-m := ${KERNEL_MODULE}.o\n"}, "hello", "Makefile", "Makefile:1"},
		{"no obj-m: the Cargo package", map[string]string{"Makefile": "RUST_ROOT := /usr\n"}, "rust-hello", OriginDefault, ""},
		{"obj-m made of an unset variable: the Cargo package", map[string]string{"Makefile": "obj-m := $(NAME).o\n"}, "rust-hello", OriginDefault, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{"Cargo.toml": cargo}
			for k, v := range tc.files {
				files[k] = v
			}
			root := testtree.Write(t, files)
			m, err := Load(context.Background(), root, nil)
			if err != nil {
				t.Fatal(err)
			}
			if m.Vars.KernelModule != tc.want || m.Origin["KERNEL_MODULE"] != tc.origin || m.Where["KERNEL_MODULE"] != tc.where {
				t.Errorf("KERNEL_MODULE %q origin %q where %q, want %q %q %q", m.Vars.KernelModule, m.Origin["KERNEL_MODULE"], m.Where["KERNEL_MODULE"], tc.want, tc.origin, tc.where)
			}
			u, err := LoadWithoutMake(root, nil)
			if err != nil {
				t.Fatal(err)
			}
			// Without make, obj-m is read when it is literal text.
			if lit := tc.name != "Makefile obj-m through a variable" && tc.name != "KERNEL_MODULE over obj-m" && tc.name != "rust.ko: obj-m only in kbuild.mk, from KERNEL_MODULE"; lit && u.Vars.KernelModule != tc.want {
				t.Errorf("LoadWithoutMake: KERNEL_MODULE %q, want %q", u.Vars.KernelModule, tc.want)
			}
		})
	}
}

func TestShellWords(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
		ok   bool
	}{
		{`linux/fs.h linux/slab.h`, []string{"linux/fs.h", "linux/slab.h"}, true},
		{`"linux/delay.h"`, []string{"linux/delay.h"}, true},
		{`"linux/delay.h" 'linux/fs.h'   linux/slab.h`, []string{"linux/delay.h", "linux/fs.h", "linux/slab.h"}, true},
		{`"a b.h" c\ d.h`, []string{"a b.h", "c d.h"}, true},
		{`"x\"y" 'x\y'`, []string{`x"y`, `x\y`}, true},
		{`""`, []string{""}, true},
		{"", nil, true},
		{"  \t ", nil, true},
		{`"linux/delay.h`, []string{"linux/delay.h"}, false},
		// The rest of the value after an unterminated quote is one word.
		{`a.h "b c.h`, []string{"a.h", "b c.h"}, false},
		{`a.h 'b\ c`, []string{"a.h", `b\ c`}, false},
		{`a.h "b\`, []string{"a.h", `b\`}, false},
		// shlex expands nothing, and neither does the parser here.
		{`$HOME/x.h ${Y}.h "$(z)" '$w' \$v`, []string{"$HOME/x.h", "${Y}.h", "$(z)", "$w", "$v"}, true},
		{`~/x.h *.h`, []string{"~/x.h", "*.h"}, true},
		{"a.h # b.h\nc.h", []string{"a.h", "c.h"}, true},
		{"a.h \\\n\tb.h\r\n", []string{"a.h", "b.h"}, true},
		// A shell operator or an unclosed expansion: the rest is one word, as written.
		{`a.h;b.h c.h`, []string{"a.h", ";b.h c.h"}, false},
		{`a.h $(b c.h`, []string{"a.h", "$(b c.h"}, false},
		{"a.h `b", []string{"a.h", "`b"}, false},
	} {
		got, ok := ShellWords(tc.in)
		if !reflect.DeepEqual(got, tc.want) || ok != tc.ok {
			t.Errorf("ShellWords(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// TestQuotedKernelInclude: rust.ko documents KERNEL_INCLUDE with quotes
// ("linux/delay.h"); both loads read the header names without them.
func TestQuotedKernelInclude(t *testing.T) {
	withEnviron(t)
	root := testtree.Write(t, map[string]string{
		"Makefile":   "export KERNEL_INCLUDE := \"linux/delay.h\" 'linux/fs.h'\nexport KERNEL_HELPERS := \"spin_lock\"\n",
		"Cargo.toml": "[package]\nname = \"hello\"\n",
	})
	m, err := Load(context.Background(), root, nil)
	if err != nil {
		t.Fatal(err)
	}
	u, err := LoadWithoutMake(root, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []Vars{m.Vars, u.Vars} {
		if !reflect.DeepEqual(v.KernelInclude, []string{"linux/delay.h", "linux/fs.h"}) || !reflect.DeepEqual(v.KernelHelpers, []string{"spin_lock"}) {
			t.Errorf("KERNEL_INCLUDE %q KERNEL_HELPERS %q", v.KernelInclude, v.KernelHelpers)
		}
	}
}

// TestRustkoLayoutFixture: the hand-made module in rust.ko's layout
// (testdata/rustko) loads with its spec found by the convention, its
// quoted header unquoted and the KERNEL_MODULE name.
func TestRustkoLayoutFixture(t *testing.T) {
	withEnviron(t)
	root, err := filepath.Abs(filepath.Join("testdata", "rustko"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "config.mk")); err == nil {
		t.Fatal("testdata/rustko must have no config.mk, like rust.ko")
	}
	m, err := Load(context.Background(), root, map[string]string{"KERNEL_BUILD_PATH": ""})
	if err != nil {
		t.Fatal(err)
	}
	if !m.Target.Convention() || m.Vars.Target != filepath.Join(root, "x86_64-unknown-none-gnu.json") {
		t.Errorf("target %+v", m.Target)
	}
	if !reflect.DeepEqual(m.Vars.KernelInclude, []string{"linux/delay.h"}) || m.Vars.KernelModule != "hello" {
		t.Errorf("KERNEL_INCLUDE %q, KERNEL_MODULE %q", m.Vars.KernelInclude, m.Vars.KernelModule)
	}
}
