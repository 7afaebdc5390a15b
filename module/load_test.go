package module

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rustko/rustko-lsp/internal/testtree"
)

// rustkoMakefile has the shape of rust.ko's user-facing Makefile: exported
// defaults, `-include ./config.mk`, a RELEASE conditional, and a default goal
// that builds (and must never run while variables are read).
const rustkoMakefile = `# rust.ko-style module
export KERNEL_BUILD_PATH := /lib/modules/$(shell uname -r)/build
export KERNEL_MODULE     := hello
export KERNEL_INCLUDE    := linux/kernel.h linux/module.h
export BUILD_DIRECTORY   := build
export C_FILES           := $(wildcard src/*.c)
export RUST_FILES        := $(wildcard src/*.rs)
export RUST_ROOT         := /usr
export CARGOFLAGS =
export RCFLAGS    =
export RELEASE    =

-include ./config.mk

ifeq (${RELEASE},1)
	CARGOFLAGS += --release
endif

all modules: ${BUILD_DIRECTORY}/Makefile
	touch built-by-all

${BUILD_DIRECTORY}/Makefile:
	mkdir -p ${BUILD_DIRECTORY} && touch $@
`

func withEnviron(t *testing.T, env ...string) {
	t.Helper()
	old := environ
	base := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	environ = func() []string { return append(base, env...) }
	t.Cleanup(func() { environ = old })
}

func TestLoad(t *testing.T) {
	shaped := map[string]string{"Makefile": rustkoMakefile, "Cargo.toml": "[package]\nname = \"hello\"\n", "src/module.c": "", "src/lib.rs": ""}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range shaped {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	type check struct {
		name, value, origin, where string
	}
	tests := []struct {
		name      string
		files     map[string]string
		env       []string
		overrides map[string]string
		checks    []check
		vars      func(t *testing.T, root string, v Vars)
	}{
		{
			name:  "rust.ko Makefile defaults",
			files: shaped,
			checks: []check{
				{"KERNEL_MODULE", "hello", "Makefile", "Makefile:3"},
				{"KERNEL_INCLUDE", "linux/kernel.h linux/module.h", "Makefile", "Makefile:4"},
				{"RUST_ROOT", "/usr", "Makefile", "Makefile:8"},
				{"BINDINGS", "", "default", ""},
			},
			vars: func(t *testing.T, root string, v Vars) {
				eq(t, "CFiles", v.CFiles, []string{filepath.Join(root, "src/module.c")})
				eq(t, "RustFiles", v.RustFiles, []string{filepath.Join(root, "src/lib.rs")})
				eq(t, "BuildDirectory", v.BuildDirectory, filepath.Join(root, "build"))
				eq(t, "Bindings", v.Bindings, filepath.Join(root, "src/bindings.rs"))
				eq(t, "KernelInclude", v.KernelInclude, []string{"linux/kernel.h", "linux/module.h"})
				if !strings.HasPrefix(v.KernelBuildPath, "/lib/modules/") || !strings.HasSuffix(v.KernelBuildPath, "/build") {
					t.Errorf("KernelBuildPath = %q, want make's $(shell uname -r) expansion", v.KernelBuildPath)
				}
				eq(t, "Release", v.Release, false)
			},
		},
		{
			name:  "rustko defaults when nothing is set",
			files: map[string]string{"Makefile": "all:\n\ttouch built-by-all\n", "Cargo.toml": "[dependencies]\nname = \"no\"\n[package]\nversion = \"1\"\nname = 'widget'\n", "src/a.c": "", "src/b.c": "", "src/x.rs": ""},
			checks: []check{
				{"KERNEL_MODULE", "", "default", ""},
				{"RUST_ROOT", "", "default", ""},
				{"C_FILES", "", "default", ""},
			},
			vars: func(t *testing.T, root string, v Vars) {
				eq(t, "KernelModule", v.KernelModule, "widget")
				eq(t, "RustRoot", v.RustRoot, "/usr")
				eq(t, "CFiles", v.CFiles, []string{filepath.Join(root, "src/a.c"), filepath.Join(root, "src/b.c")})
				eq(t, "RustFiles", v.RustFiles, []string{filepath.Join(root, "src/x.rs")})
				eq(t, "BuildDirectory", v.BuildDirectory, filepath.Join(root, "build"))
				eq(t, "KernelBuildPath", v.KernelBuildPath, "")
				eq(t, "Target", v.Target, "")
			},
		},
		{
			name:  "module name from the folder without Cargo.toml",
			files: map[string]string{"Makefile": "", "config.mk": ""},
			vars: func(t *testing.T, root string, v Vars) {
				eq(t, "KernelModule", v.KernelModule, filepath.Base(root))
			},
		},
		{
			name: "config.mk overrides the Makefile",
			files: with(map[string]string{"config.mk": "KERNEL_MODULE := other\nKERNEL_INCLUDE += linux/fs.h\n" +
				"RELEASE := 1\nKERNEL_HELPERS = kmalloc \\\n  spin_lock\nTARGET := targets/x86_64.json\n"}),
			checks: []check{
				{"KERNEL_MODULE", "other", "config.mk", "config.mk:1"},
				{"KERNEL_INCLUDE", "linux/kernel.h linux/module.h linux/fs.h", "config.mk", "config.mk:2"},
				{"KERNEL_HELPERS", "kmalloc spin_lock", "config.mk", "config.mk:4"},
				// make semantics: the Makefile's ifeq sees config.mk's RELEASE.
				{"CARGOFLAGS", "--release", "Makefile", "Makefile:16"},
			},
			vars: func(t *testing.T, root string, v Vars) {
				eq(t, "Release", v.Release, true)
				eq(t, "KernelHelpers", v.KernelHelpers, []string{"kmalloc", "spin_lock"})
				eq(t, "Target", v.Target, filepath.Join(root, "targets/x86_64.json"))
			},
		},
		{
			name:  "KDIR in config.mk beats the Makefile's KERNEL_BUILD_PATH",
			files: with(map[string]string{"config.mk": "KDIR := /opt/linux\n"}),
			checks: []check{
				{"KERNEL_BUILD_PATH", "/opt/linux", "config.mk", "config.mk:1"},
			},
		},
		{
			name:   "environment beats config.mk",
			files:  with(map[string]string{"config.mk": "KERNEL_MODULE := other\n"}),
			env:    []string{"KERNEL_MODULE=fromenv", "V=1", "MAKEFLAGS=-- KERNEL_INCLUDE=leaked"},
			checks: []check{{"KERNEL_MODULE", "fromenv", "environment", ""}, {"V", "1", "environment", ""}, {"KERNEL_INCLUDE", "linux/kernel.h linux/module.h", "Makefile", "Makefile:4"}},
			vars:   func(t *testing.T, root string, v Vars) { eq(t, "Verbose", v.Verbose, true) },
		},
		{
			name:      "overrides beat the environment",
			files:     with(map[string]string{"config.mk": "KERNEL_MODULE := other\n"}),
			env:       []string{"KERNEL_MODULE=fromenv"},
			overrides: map[string]string{"KERNEL_MODULE": "fromeditor", "KERNEL_BUILD_PATH": "/k/$dollar"},
			checks:    []check{{"KERNEL_MODULE", "fromeditor", "override", ""}, {"KERNEL_BUILD_PATH", "/k/$dollar", "override", ""}},
		},
		{
			name:   "config.mk applies even when the Makefile does not include it",
			files:  map[string]string{"Makefile": "KERNEL_MODULE := a\nall:\n\ttouch built-by-all\n", "config.mk": "KERNEL_MODULE := b\n"},
			checks: []check{{"KERNEL_MODULE", "b", "config.mk", "config.mk:1"}},
		},
		{
			name:   "Kbuild and config.mk without a Makefile",
			files:  map[string]string{"Kbuild": "obj-m := x.o\n", "config.mk": "KERNEL_MODULE ?= x\nC_FILES := $(wildcard src/*.c) extra.c\n", "src/x.c": ""},
			checks: []check{{"KERNEL_MODULE", "x", "config.mk", "config.mk:1"}},
			vars: func(t *testing.T, root string, v Vars) {
				eq(t, "CFiles", v.CFiles, []string{filepath.Join(root, "src/x.c"), filepath.Join(root, "extra.c")})
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			withEnviron(t, tt.env...)
			root := testtree.Write(t, tt.files)
			m, err := Load(context.Background(), root, tt.overrides)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range tt.checks {
				if c.value != "" {
					eq(t, c.name+" value", m.Raw[c.name], c.value)
				}
				eq(t, c.name+" origin", m.Origin[c.name], c.origin)
				eq(t, c.name+" where", m.Where[c.name], c.where)
			}
			if tt.vars != nil {
				tt.vars(t, root, m.Vars)
			}
			if _, err := os.Stat(filepath.Join(root, "built-by-all")); err == nil {
				t.Error("reading the variables ran the Makefile's default goal")
			}
			if _, err := os.Stat(filepath.Join(root, "build")); err == nil {
				t.Error("reading the variables created the build folder")
			}
		})
	}
}

func TestLoadBrokenConfig(t *testing.T) {
	withEnviron(t)
	tests := []struct {
		name, config string
		line         int
		msg          string
	}{
		{"missing separator", "KERNEL_MODULE := a\n\nthis is not make\n", 3, "missing separator"},
		{"explicit error", "KERNEL_MODULE := a\n$(error KERNEL_MODULE needs a value)\n", 2, "KERNEL_MODULE needs a value"},
		// make blames the end of the file; the finding goes on the block
		// left open (the inner one of two).
		{"unterminated conditional", "ifeq ($(V),1)\nRELEASE := 1\n", 1, "the conditional opened at line 1 is never closed"},
		{"one of two closed", "ifdef A\nifeq ($(V),1)\nRELEASE := 1\nendif\n# ifeq in a comment\ndefine X\nifeq\nendef\nifneq ($(V),)\nV := 1\n", 9,
			"the conditional opened at line 9 is never closed"},
		// The body of a define, with or without a directive before it, is
		// text: its endif closes nothing (make: "config.mk:6: missing 'endif'").
		{"endif in a define body", "ifdef A\noverride define X\nendif\nendef\nV := 1\n", 1,
			"the conditional opened at line 1 is never closed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := testtree.Write(t, map[string]string{"Makefile": rustkoMakefile, "Cargo.toml": "", "config.mk": tt.config})
			_, err := Load(context.Background(), root, nil)
			var me *MakeError
			if !errors.As(err, &me) {
				t.Fatalf("err = %v, want a *MakeError", err)
			}
			eq(t, "File", me.File, filepath.Join(root, "config.mk"))
			eq(t, "Line", me.Line, tt.line)
			for _, w := range []string{filepath.Join(root, "config.mk") + ":", tt.msg, "fix line"} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestLoadTimeout(t *testing.T) {
	withEnviron(t)
	old := loadTimeout
	loadTimeout = 500 * time.Millisecond
	t.Cleanup(func() { loadTimeout = old })
	root := testtree.Write(t, map[string]string{"Makefile": "X := $(shell sleep 20)\n", "config.mk": ""})
	start := time.Now()
	_, err := Load(context.Background(), root, nil)
	if err == nil || !strings.Contains(err.Error(), "did not finish") {
		t.Fatalf("err = %v, want a timeout naming the hang", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Load returned after %s: the make process group was not killed", d)
	}
}

func TestLoadBadInput(t *testing.T) {
	withEnviron(t)
	root := testtree.Write(t, map[string]string{"Makefile": "", "config.mk": ""})
	if _, err := Load(context.Background(), root, map[string]string{"NOT A NAME": "x"}); err == nil || !strings.Contains(err.Error(), "not a make variable name") {
		t.Errorf("bad override name: err = %v", err)
	}
	if _, err := Load(context.Background(), filepath.Join(root, "missing"), nil); err == nil || !strings.Contains(err.Error(), "not a folder") {
		t.Errorf("missing root: err = %v", err)
	}
}

func eq[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}
