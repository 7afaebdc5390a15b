package module

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/internal/testtree"
)

// TestLiteralAssignmentAgreesWithMake: whenever the literal reader claims a
// value, GNU make reading the same files gives the same one; where it cannot
// be sure it says so rather than guess.
func TestLiteralAssignmentAgreesWithMake(t *testing.T) {
	tests := []struct {
		name   string
		files  map[string]string
		want   string // "" with ok false: unknown
		where  string
		wantOK bool
	}{
		{"Makefile default, config.mk overrides",
			map[string]string{"Makefile": "KERNEL_INCLUDE ?= linux/panic.h\n-include config.mk\n", "config.mk": "KERNEL_INCLUDE = linux/fs.h linux/cdev.h\n"},
			"linux/fs.h linux/cdev.h", "config.mk:1", true},
		{"config.mk ?= does not override",
			map[string]string{"Makefile": "KERNEL_INCLUDE ?= linux/panic.h\n-include config.mk\n", "config.mk": "# headers\nKERNEL_INCLUDE ?= linux/fs.h\n"},
			"linux/panic.h", "Makefile:1", true},
		{"+= appends, continuation lines join",
			map[string]string{"Makefile": "KERNEL_HELPERS := kmalloc \\\n\tkfree\n-include config.mk\n", "config.mk": "KERNEL_HELPERS += copy_to_user # why\n"},
			"kmalloc kfree copy_to_user", "config.mk:1", true},
		{"no config.mk", map[string]string{"Makefile": "X = 1\nKERNEL_HELPERS ::= kmalloc\n-include config.mk\nall:\n\tKERNEL_HELPERS=nope\n"},
			"kmalloc", "Makefile:2", true},
		{"a reference makes it unknown",
			map[string]string{"Makefile": "H = linux/fs.h\nKERNEL_INCLUDE = $(H)\n"}, "", "", false},
		{"a shell call makes it unknown",
			map[string]string{"Makefile": "-include config.mk\n", "config.mk": "KERNEL_HELPERS != echo kmalloc\n"}, "", "", false},
		{"an assignment in a conditional makes it unknown",
			map[string]string{"Makefile": "KERNEL_INCLUDE = linux/fs.h\nifeq ($(V),1)\nKERNEL_INCLUDE += linux/cdev.h\nendif\n"}, "", "", false},
		{"an include by a computed name is not followed",
			map[string]string{"Makefile": "KERNEL_INCLUDE = linux/fs.h\n-include $(CFG)\n", "other.mk": "KERNEL_INCLUDE = linux/cdev.h\n"},
			"linux/fs.h", "Makefile:1", true},
		{"never assigned", map[string]string{"Makefile": "all:\n\ttrue\n"}, "", "", false},
		// Found by FuzzLiteralAssignmentMatchesMake.
		{"override wins over later lines",
			map[string]string{"Makefile": "override KERNEL_INCLUDE := linux/fs.h\n-include config.mk\n", "config.mk": "KERNEL_INCLUDE := linux/cdev.h\n"},
			"linux/fs.h", "Makefile:1", true},
		{"escaped #", map[string]string{"Makefile": "KERNEL_INCLUDE := linux/a\\#b.h linux/c\\\\#.h\n"}, "linux/a#b.h linux/c\\", "Makefile:1", true},
		{"a define makes it unknown",
			map[string]string{"Makefile": "KERNEL_INCLUDE := linux/fs.h\ndefine KERNEL_INCLUDE\nlinux/cdev.h\nendef\n"}, "", "", false},
		{"a tab-led assignment after the rule's recipe ended",
			map[string]string{"Makefile": "all:\n\ttrue\nX := 1\n\tKERNEL_INCLUDE := linux/fs.h\n"}, "linux/fs.h", "Makefile:4", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := testtree.Write(t, tc.files)
			name := "KERNEL_INCLUDE"
			for _, c := range tc.files {
				if strings.Contains(c, "KERNEL_HELPERS") {
					name = "KERNEL_HELPERS"
				}
			}
			got, where, ok := literalAssignment(root, "Makefile", name)
			if ok != tc.wantOK || got != tc.want || where != tc.where {
				t.Fatalf("literalAssignment(%s) = %q, %q, %v; want %q, %q, %v", name, got, where, ok, tc.want, tc.where, tc.wantOK)
			}
			if !ok {
				return
			}
			m, err := Load(context.Background(), root, nil)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(strings.Fields(m.Raw[name]), " ") != got {
				t.Errorf("make says %s = %q, the literal reader %q", name, m.Raw[name], got)
			}
		})
	}
}

// An untrusted load of a rust.ko module takes its KERNEL_INCLUDE from the
// Makefile as written, and still runs nothing.
func TestLoadWithoutMakeReadsLiteralLists(t *testing.T) {
	root := testtree.Write(t, map[string]string{
		"Makefile":   "KERNEL_INCLUDE ?= linux/panic.h\nX := $(shell touch SENTINEL)\n-include config.mk\n",
		"config.mk":  "KERNEL_HELPERS = kmalloc kfree\n",
		"Cargo.toml": "[package]\nname = \"m\"\n",
	})
	m, err := LoadWithoutMake(root, map[string]string{"KERNEL_HELPERS": "msleep"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "SENTINEL")); err == nil {
		t.Fatal("make ran")
	}
	eq(t, "KernelInclude", m.Vars.KernelInclude, []string{"linux/panic.h"})
	eq(t, "origin", m.Origin["KERNEL_INCLUDE"], "Makefile")
	eq(t, "where", m.Where["KERNEL_INCLUDE"], "Makefile:1")
	// The editor's setting still wins over the file.
	eq(t, "KernelHelpers", m.Vars.KernelHelpers, []string{"msleep"})
	eq(t, "helpers origin", m.Origin["KERNEL_HELPERS"], OriginOverride)
}

// A comma, a $ or a # in the module's path must not change what make reads:
// a comma once split $(filter)'s arguments, so config.mk was read twice and
// its += applied twice (found by the test above, whose temp folder is named
// after a subtest with a comma in it).
func TestLoadRootWithMakeSpecialCharacters(t *testing.T) {
	for _, dir := range []string{"a,b", "cost$x", "no#comment"} {
		t.Run(dir, func(t *testing.T) {
			root := filepath.Join(t.TempDir(), dir)
			if err := os.MkdirAll(root, 0o755); err != nil {
				t.Fatal(err)
			}
			files := map[string]string{"Makefile": "KERNEL_HELPERS := kmalloc\n-include config.mk\n", "config.mk": "KERNEL_HELPERS += kfree\n"}
			for name, c := range files {
				if err := os.WriteFile(filepath.Join(root, name), []byte(c), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			m, err := Load(context.Background(), root, nil)
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "KernelHelpers", m.Vars.KernelHelpers, []string{"kmalloc", "kfree"})
		})
	}
}

// FuzzLiteralAssignment: any makefile text gives a value or "unknown",
// never a panic, and a value never holds something only make could expand.
func FuzzLiteralAssignment(f *testing.F) {
	f.Add("KERNEL_INCLUDE ?= linux/panic.h\n-include config.mk\n", "KERNEL_INCLUDE += linux/fs.h \\\n linux/cdev.h # c\n")
	f.Add("ifeq ($(V),1)\nKERNEL_INCLUDE = x\nendif\n", "define X\nKERNEL_INCLUDE = y\nendef\n")
	f.Add("include config.mk ../x.mk /etc/passwd\n", "KERNEL_INCLUDE != true\n")
	f.Fuzz(func(t *testing.T, makefile, config string) {
		root := t.TempDir()
		for name, c := range map[string]string{"Makefile": makefile, "config.mk": config} {
			if err := os.WriteFile(filepath.Join(root, name), []byte(c), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		v, where, ok := literalAssignment(root, "Makefile", "KERNEL_INCLUDE")
		if ok && (strings.Contains(v, "$") || where == "") {
			t.Fatalf("value %q at %q", v, where)
		}
	})
}
