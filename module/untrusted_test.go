package module

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/internal/testtree"
)

// sentinelMakefile creates SENTINEL (and config.mk creates SENTINEL2) the
// moment make reads it: the file's existence proves make ran.
const sentinelMakefile = "KERNEL_MODULE := fromMakefile\nX := $(shell touch SENTINEL)\n-include config.mk\nall:\n\ttouch built-by-all\n"

func TestLoadWithoutMake(t *testing.T) {
	sentinel := map[string]string{
		"Makefile":   sentinelMakefile,
		"config.mk":  "KERNEL_INCLUDE := linux/fs.h\nY := $(shell touch SENTINEL2)\n",
		"Cargo.toml": "[package]\nname = \"trusty\"\n",
		"src/a.c":    "", "src/lib.rs": "",
	}
	type check struct{ name, raw, origin string }
	tests := []struct {
		name      string
		files     map[string]string
		env       []string
		overrides map[string]string
		checks    []check
		vars      func(t *testing.T, root string, v Vars)
	}{
		{
			name:  "defaults, and KERNEL_INCLUDE as config.mk writes it: nothing of the makefiles runs",
			files: sentinel,
			checks: []check{
				{"KERNEL_MODULE", "", OriginNotEvaluated},
				{"KERNEL_INCLUDE", "linux/fs.h", "config.mk"},
				{"KERNEL_BUILD_PATH", "", OriginNotEvaluated},
			},
			vars: func(t *testing.T, root string, v Vars) {
				eq(t, "KernelModule", v.KernelModule, "trusty")
				eq(t, "KernelInclude", v.KernelInclude, []string{"linux/fs.h"})
				eq(t, "CFiles", v.CFiles, []string{filepath.Join(root, "src/a.c")})
				eq(t, "RustFiles", v.RustFiles, []string{filepath.Join(root, "src/lib.rs")})
				eq(t, "Bindings", v.Bindings, filepath.Join(root, "src/bindings.rs"))
				eq(t, "RustRoot", v.RustRoot, "/usr")
			},
		},
		{
			name:      "overrides apply",
			files:     sentinel,
			overrides: map[string]string{"KERNEL_BUILD_PATH": "/usr/src/some-tree", "RUST_ROOT": "/opt/rust"},
			checks: []check{
				{"KERNEL_BUILD_PATH", "/usr/src/some-tree", OriginOverride},
				{"RUST_ROOT", "/opt/rust", OriginOverride},
				{"KERNEL_MODULE", "", OriginNotEvaluated},
			},
			vars: func(t *testing.T, root string, v Vars) {
				eq(t, "KernelBuildPath", v.KernelBuildPath, "/usr/src/some-tree")
				eq(t, "RustRoot", v.RustRoot, "/opt/rust")
			},
		},
		{
			name:      "the environment applies below the overrides; KDIR is KERNEL_BUILD_PATH",
			files:     sentinel,
			env:       []string{"KDIR=/from/env", "KERNEL_MODULE=envname", "RUST_ROOT=/env/rust", "V=1"},
			overrides: map[string]string{"RUST_ROOT": "/editor/rust"},
			checks: []check{
				{"KERNEL_BUILD_PATH", "/from/env", OriginEnvironment},
				{"KERNEL_MODULE", "envname", OriginEnvironment},
				{"RUST_ROOT", "/editor/rust", OriginOverride},
			},
			vars: func(t *testing.T, root string, v Vars) {
				eq(t, "KernelBuildPath", v.KernelBuildPath, "/from/env")
				eq(t, "KernelModule", v.KernelModule, "envname")
				eq(t, "Verbose", v.Verbose, true)
			},
		},
		{
			name:      "a relative override resolves against the root, as Load does",
			files:     map[string]string{"Kbuild": "obj-m := x.o\n", "config.mk": "$(shell touch SENTINEL)\n"},
			overrides: map[string]string{"BUILD_DIRECTORY": "out"},
			checks:    []check{{"BUILD_DIRECTORY", "out", OriginOverride}},
			vars: func(t *testing.T, root string, v Vars) {
				eq(t, "BuildDirectory", v.BuildDirectory, filepath.Join(root, "out"))
				eq(t, "KernelModule", v.KernelModule, "x") // kbuild's obj-m, read as plain text
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			withEnviron(t, tt.env...)
			root := testtree.Write(t, tt.files)
			m, err := LoadWithoutMake(root, tt.overrides)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range []string{"SENTINEL", "SENTINEL2", "built-by-all"} {
				if _, err := os.Stat(filepath.Join(root, s)); err == nil {
					t.Errorf("%s exists: LoadWithoutMake ran make on the module", s)
				}
			}
			eq(t, "Untrusted", m.Untrusted, true)
			wantWhere := map[string]string{}
			if strings.Contains(tt.files["config.mk"], "KERNEL_INCLUDE :=") {
				wantWhere["KERNEL_INCLUDE"] = "config.mk:1" // plain text: read without make
			}
			if strings.Contains(tt.files["Kbuild"], "obj-m := ") {
				wantWhere["KERNEL_MODULE"] = "Kbuild:1" // plain text: read without make
			}
			eq(t, "Where", m.Where, wantWhere)
			if _, ok := tt.files["config.mk"]; ok {
				eq(t, "ConfigFile", m.ConfigFile, filepath.Join(root, "config.mk"))
			}
			for _, name := range VarNames {
				switch o := m.Origin[name]; {
				case o == OriginOverride, o == OriginEnvironment, o == OriginNotEvaluated:
				case o == "config.mk" && slices.Contains(literalLists, name):
				case o == "Kbuild" && name == "KERNEL_MODULE":
				default:
					t.Errorf("%s origin = %q, want override, environment or %q", name, o, OriginNotEvaluated)
				}
			}
			for _, c := range tt.checks {
				eq(t, c.name+" raw", m.Raw[c.name], c.raw)
				eq(t, c.name+" origin", m.Origin[c.name], c.origin)
			}
			if tt.vars != nil {
				tt.vars(t, root, m.Vars)
			}
		})
	}
}

// TestLoadWithoutMakeSentinelWorks is the control for the test above: the
// same tree loaded with make does create the sentinels, so their absence
// there means something.
func TestLoadWithoutMakeSentinelWorks(t *testing.T) {
	withEnviron(t)
	root := testtree.Write(t, map[string]string{"Makefile": sentinelMakefile, "config.mk": "Y := $(shell touch SENTINEL2)\n"})
	m, err := Load(context.Background(), root, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"SENTINEL", "SENTINEL2"} {
		if _, err := os.Stat(filepath.Join(root, s)); err != nil {
			t.Errorf("Load did not run the makefile's $(shell touch %s): %v", s, err)
		}
	}
	eq(t, "KERNEL_MODULE", m.Vars.KernelModule, "fromMakefile")
	eq(t, "Untrusted", m.Untrusted, false)
}

// TestLoadWithoutMakeMatchesLoad: for a Makefile that sets nothing, both
// loads give the same values; only the origins say which one read it.
func TestLoadWithoutMakeMatchesLoad(t *testing.T) {
	trees := []struct {
		name  string
		files map[string]string
	}{
		{"Cargo package name", map[string]string{"Makefile": "all:\n\ttouch built-by-all\n", "Cargo.toml": "[package]\nname = 'widget'\n", "src/a.c": "", "src/b.c": "", "src/x.rs": ""}},
		{"folder name, config.mk, no sources", map[string]string{"Makefile": "", "config.mk": ""}},
		{"Kbuild only", map[string]string{"Kbuild": "obj-m := k.o\n", "Cargo.toml": "", "src/k.rs": ""}},
	}
	for _, tt := range trees {
		t.Run(tt.name, func(t *testing.T) {
			withEnviron(t)
			root := testtree.Write(t, tt.files)
			withMake, err := Load(context.Background(), root, map[string]string{"RUST_ROOT": "/r"})
			if err != nil {
				t.Fatal(err)
			}
			without, err := LoadWithoutMake(root, map[string]string{"RUST_ROOT": "/r"})
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "Vars", without.Vars, withMake.Vars)
			eq(t, "ConfigFile", without.ConfigFile, withMake.ConfigFile)
			for _, name := range VarNames {
				want := withMake.Origin[name]
				if want == OriginDefault {
					want = OriginNotEvaluated
				}
				eq(t, name+" origin", without.Origin[name], want)
			}
		})
	}
}

func TestLoadWithoutMakeNeedsNoMake(t *testing.T) {
	withEnviron(t)
	t.Setenv("PATH", t.TempDir()) // no make, no shell, nothing to run
	root := testtree.Write(t, map[string]string{"Makefile": sentinelMakefile})
	if _, err := LoadWithoutMake(root, nil); err != nil {
		t.Fatalf("LoadWithoutMake without make on PATH: %v", err)
	}
	if _, err := Load(context.Background(), root, nil); err == nil || !strings.Contains(err.Error(), "apt-get install make") {
		t.Errorf("Load without make on PATH: err = %v, want the missing make named", err)
	}
}

func TestLoadWithoutMakeBadInput(t *testing.T) {
	withEnviron(t)
	root := testtree.Write(t, map[string]string{"Makefile": ""})
	tests := []struct {
		name, root string
		overrides  map[string]string
		want       string
	}{
		{"bad override name", root, map[string]string{"NOT A NAME": "x"}, "not a make variable name"},
		{"missing root", filepath.Join(root, "missing"), nil, "not a folder"},
		{"root is a file", filepath.Join(root, "Makefile"), nil, "not a folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := LoadWithoutMake(tt.root, tt.overrides); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one saying %q", err, tt.want)
			}
		})
	}
}
