package module

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/internal/lines"
	"github.com/rustko/rustko-lsp/internal/testtree"
)

func TestListVarEdit(t *testing.T) {
	const makefile = "KERNEL_HELPERS := base\n-include ./config.mk\nall:\n\ttouch built\n"
	tests := []struct {
		name    string
		config  *string // nil: no config.mk
		want    string  // config.mk after the edit
		helpers []string
	}{
		{"no config.mk", nil, "KERNEL_HELPERS += kmalloc\n", []string{"base", "kmalloc"}},
		{"empty config.mk", ptr(""), "KERNEL_HELPERS += kmalloc\n", []string{"base", "kmalloc"}},
		{"no trailing newline", ptr("RUST_ROOT := /usr"), "RUST_ROOT := /usr\nKERNEL_HELPERS += kmalloc\n", []string{"base", "kmalloc"}},
		{"append to :=", ptr("KERNEL_HELPERS := spin_lock\nV := 1\n"), "KERNEL_HELPERS := spin_lock kmalloc\nV := 1\n", []string{"spin_lock", "kmalloc"}},
		{"before a comment", ptr("KERNEL_HELPERS := a   # helpers\n"), "KERNEL_HELPERS := a kmalloc   # helpers\n", []string{"a", "kmalloc"}},
		{"empty value", ptr("KERNEL_HELPERS :=\n"), "KERNEL_HELPERS := kmalloc\n", []string{"kmalloc"}},
		{"continued lines", ptr("KERNEL_HELPERS := a \\\n\tb\nOTHER := x\n"), "KERNEL_HELPERS := a \\\n\tb kmalloc\nOTHER := x\n", []string{"a", "b", "kmalloc"}},
		{"last assignment wins", ptr("KERNEL_HELPERS := a\nKERNEL_HELPERS += b\r\n"), "KERNEL_HELPERS := a\nKERNEL_HELPERS += b kmalloc\r\n", []string{"a", "b", "kmalloc"}},
		{"export and no blanks", ptr("export KERNEL_HELPERS:=a\n"), "export KERNEL_HELPERS:=a kmalloc\n", []string{"a", "kmalloc"}},
		{"file ends in a continuation", ptr("RUST_ROOT := /usr \\\n"), "RUST_ROOT := /usr \\\n\nKERNEL_HELPERS += kmalloc\n", []string{"base", "kmalloc"}},
		{"?= gets a += line", ptr("KERNEL_HELPERS ?= a\n"), "KERNEL_HELPERS ?= a\nKERNEL_HELPERS += kmalloc\n", []string{"base", "kmalloc"}},
		{"conditional assignment is left alone", ptr("ifeq ($(V),1)\nKERNEL_HELPERS := dbg\nendif\n"), "ifeq ($(V),1)\nKERNEL_HELPERS := dbg\nendif\nKERNEL_HELPERS += kmalloc\n", []string{"base", "kmalloc"}},
		{"similar names and define bodies", ptr("KERNEL_HELPERS_X := y\ndefine T\nKERNEL_HELPERS := z\nendef\n"), "KERNEL_HELPERS_X := y\ndefine T\nKERNEL_HELPERS := z\nendef\nKERNEL_HELPERS += kmalloc\n", []string{"base", "kmalloc"}},
		// make's own reading decides what is listed and where an
		// appended word stays: found by FuzzListVarEditMatchesMake.
		{"replaced by a later line: not listed", ptr("KERNEL_HELPERS := kmalloc\nKERNEL_HELPERS := a\n"), "KERNEL_HELPERS := kmalloc\nKERNEL_HELPERS := a kmalloc\n", []string{"a", "kmalloc"}},
		{"in a conditional make skips: not listed", ptr("ifeq ($(V),1)\nKERNEL_HELPERS += kmalloc\nendif\n"), "ifeq ($(V),1)\nKERNEL_HELPERS += kmalloc\nendif\nKERNEL_HELPERS += kmalloc\n", []string{"base", "kmalloc"}},
		{"a later conditional := would drop the word", ptr("KERNEL_HELPERS := a\nifeq ($(V),)\nKERNEL_HELPERS := b\nendif\n"), "KERNEL_HELPERS := a\nifeq ($(V),)\nKERNEL_HELPERS := b\nendif\nKERNEL_HELPERS += kmalloc\n", []string{"b", "kmalloc"}},
		{"override ignores later plain lines", ptr("override KERNEL_HELPERS := a\nKERNEL_HELPERS += b\n"), "override KERNEL_HELPERS := a\nKERNEL_HELPERS += b\noverride KERNEL_HELPERS += kmalloc\n", []string{"a", "kmalloc"}},
		{"a rule's recipe is not an assignment", ptr("x:\n\tKERNEL_HELPERS := a\n"), "x:\n\tKERNEL_HELPERS := a\nKERNEL_HELPERS += kmalloc\n", []string{"base", "kmalloc"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, m := applyConfigEdit(t, makefile, tt.config, tt.want, func(cfg string) (TextEdit, error) {
				return ListVarEdit(cfg, "KERNEL_HELPERS", "kmalloc")
			})
			eq(t, "KERNEL_HELPERS as make sees it", m.Vars.KernelHelpers, tt.helpers)
			if _, err := ListVarEdit(cfg, "KERNEL_HELPERS", "kmalloc"); !errors.Is(err, ErrAlreadyListed) {
				t.Errorf("second edit: err = %v, want ErrAlreadyListed", err)
			}
		})
	}
}

func TestListVarEditBadInput(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "config.mk")
	for _, tt := range []struct{ name, word, want string }{
		{"KERNEL HELPERS", "x", "not a make variable name"},
		{"KERNEL_HELPERS", "", "no blanks"},
		{"KERNEL_HELPERS", "a b", "no blanks"},
		{"KERNEL_HELPERS", "$(x)", "no blanks"},
		{"KERNEL_HELPERS", "a#b", "no blanks"},
	} {
		if _, err := ListVarEdit(cfg, tt.name, tt.word); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ListVarEdit(%q, %q): err = %v, want %q", tt.name, tt.word, err, tt.want)
		}
	}
}

// FuzzListVarEdit: on any config.mk text, an edit applies cleanly and the
// word is then seen as listed.
func FuzzListVarEdit(f *testing.F) {
	f.Add("KERNEL_HELPERS := a \\\n\tb # c\n", "kmalloc")
	f.Add("ifeq (a,b)\nKERNEL_HELPERS ?= x\nelse\ndefine KERNEL_HELPERS\nendef\nendif", "spin_lock")
	f.Add("\\\n\\\\\nKERNEL_HELPERS=\\#", "x")
	f.Fuzz(func(t *testing.T, src, word string) {
		e, err := listVarEdit("config.mk", src, true, "KERNEL_HELPERS", word)
		if err != nil {
			return
		}
		out, err := e.Apply([]byte(src))
		if err != nil {
			t.Fatalf("edit %+v does not apply to %q: %v", e, src, err)
		}
		if !strings.Contains(string(out), word) || !slices.Contains([]int{e.Offset}, e.End) {
			t.Fatalf("edit %+v of %q gave %q", e, src, out)
		}
		if _, err := listVarEdit("config.mk", string(out), true, "KERNEL_HELPERS", word); !errors.Is(err, ErrAlreadyListed) {
			t.Fatalf("after %q -> %q the word is not listed (err %v)", src, out, err)
		}
	})
}

func ptr(s string) *string { return &s }

// Apply makes the edit as an editor applying the fix would; an edit that
// does not fit src is the edit's fault.
func (e TextEdit) Apply(src []byte) ([]byte, error) {
	if e.Offset < 0 || e.End < e.Offset || e.End > len(src) {
		return nil, fmt.Errorf("edit of %s at bytes %d-%d does not fit the file's %d bytes (it changed since the edit was made)", e.File, e.Offset, e.End, len(src))
	}
	out := make([]byte, 0, len(src)-(e.End-e.Offset)+len(e.NewText))
	out = append(out, src[:e.Offset]...)
	out = append(out, e.NewText...)
	return append(out, src[e.End:]...), nil
}

// ApplyFile makes the edit on disk, creating the file when Create is set,
// as a workspace edit with a CreateFile would.
func (e TextEdit) ApplyFile() error {
	src, err := os.ReadFile(e.File)
	if err != nil && !(e.Create && errors.Is(err, os.ErrNotExist)) {
		return fmt.Errorf("editing %s: %w", e.File, err)
	}
	out, err := e.Apply(src)
	if err != nil {
		return err
	}
	if err := os.WriteFile(e.File, out, 0o644); err != nil {
		return fmt.Errorf("editing %s: %w", e.File, err)
	}
	return nil
}

// TestSetVarEdit: after the edit, make itself reads the new value, whatever
// config.mk held (the Makefile's ?= default comes first, as in rust.ko's).
func TestSetVarEdit(t *testing.T) {
	const makefile = "RUST_ROOT ?= /usr\n-include config.mk\nall:\n\ttouch built\n"
	const to = "/opt/rust-1.95"
	tests := []struct {
		name   string
		config *string // nil: no config.mk
		want   string  // config.mk after the edit
	}{
		{"no config.mk", nil, "RUST_ROOT := /opt/rust-1.95\n"},
		{"other variables", ptr("V := 1"), "V := 1\nRUST_ROOT := /opt/rust-1.95\n"},
		{"replace the value", ptr("RUST_ROOT := /usr\nV := 1\n"), "RUST_ROOT := /opt/rust-1.95\nV := 1\n"},
		{"before a comment", ptr("RUST_ROOT = $(HOME)/.cargo   # rustup\r\n"), "RUST_ROOT = /opt/rust-1.95   # rustup\r\n"},
		{"empty value", ptr("export RUST_ROOT:=\n"), "export RUST_ROOT:= /opt/rust-1.95\n"},
		{"the last one", ptr("RUST_ROOT := /a\nRUST_ROOT := /b\n"), "RUST_ROOT := /a\nRUST_ROOT := /opt/rust-1.95\n"},
		{"?= gets a := line", ptr("RUST_ROOT ?= /usr\n"), "RUST_ROOT ?= /usr\nRUST_ROOT := /opt/rust-1.95\n"},
		{"a later += wins over a replacement", ptr("RUST_ROOT := /a\nRUST_ROOT += /b\n"), "RUST_ROOT := /a\nRUST_ROOT += /b\nRUST_ROOT := /opt/rust-1.95\n"},
		{"continued line", ptr("RUST_ROOT := \\\n  /usr\n"), "RUST_ROOT := \\\n  /usr\nRUST_ROOT := /opt/rust-1.95\n"},
		{"conditional", ptr("ifeq ($(V),1)\nRUST_ROOT := /dbg\nendif\n"), "ifeq ($(V),1)\nRUST_ROOT := /dbg\nendif\nRUST_ROOT := /opt/rust-1.95\n"},
		{"commented out", ptr("#RUST_ROOT := /usr\n"), "#RUST_ROOT := /usr\nRUST_ROOT := /opt/rust-1.95\n"},
		// Found by FuzzSetVarEditMatchesMake: a replaced value that make
		// then replaces or ignores.
		{"a later conditional line", ptr("RUST_ROOT := /a\nifeq ($(V),)\nRUST_ROOT := /dbg\nendif\n"), "RUST_ROOT := /a\nifeq ($(V),)\nRUST_ROOT := /dbg\nendif\nRUST_ROOT := /opt/rust-1.95\n"},
		{"after an override line", ptr("override RUST_ROOT := /a\nRUST_ROOT := /b\n"), "override RUST_ROOT := /a\nRUST_ROOT := /b\noverride RUST_ROOT := /opt/rust-1.95\n"},
		{"the override line itself", ptr("override RUST_ROOT := /a # x\n"), "override RUST_ROOT := /opt/rust-1.95 # x\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, m := applyConfigEdit(t, makefile, tt.config, tt.want, func(cfg string) (TextEdit, error) {
				return SetVarEdit(cfg, "RUST_ROOT", to)
			})
			eq(t, "RUST_ROOT as make sees it", m.Vars.RustRoot, to)
		})
	}
	if _, err := SetVarEdit(filepath.Join(t.TempDir(), "config.mk"), "RUST_ROOT", "/a b"); err == nil || !strings.Contains(err.Error(), "blanks") {
		t.Errorf("a value with a blank: err = %v", err)
	}
}

// FuzzSetVarEdit: on any config.mk text, the edit applies cleanly, and a
// second one to the same value changes nothing (it finds the line the first
// wrote or changed).
func FuzzSetVarEdit(f *testing.F) {
	f.Add("RUST_ROOT := /usr # Debian\r\n", "/opt/rust")
	f.Add("ifeq (a,b)\nRUST_ROOT ?= x\nelse\ndefine RUST_ROOT\nendef\nendif", "/r")
	f.Add("RUST_ROOT := \\\n/usr\nRUST_ROOT += x\\", "/r")
	f.Fuzz(func(t *testing.T, src, value string) {
		e, err := setVarEdit("config.mk", src, true, "RUST_ROOT", value)
		if err != nil {
			return
		}
		out, err := e.Apply([]byte(src))
		if err != nil {
			t.Fatalf("edit %+v does not apply to %q: %v", e, src, err)
		}
		e2, err := setVarEdit("config.mk", string(out), true, "RUST_ROOT", value)
		if err != nil {
			t.Fatalf("after %q -> %q: %v", src, out, err)
		}
		again, err := e2.Apply(out)
		if err != nil || string(again) != string(out) {
			t.Fatalf("a second edit changed %q -> %q -> %q (err %v)", src, out, again, err)
		}
	})
}

// applyConfigEdit writes a module with makefile and config (nil: no
// config.mk), makes the edit, checks its positions against its offsets,
// applies it, checks config.mk is want and returns the module as make then
// reads it.
func applyConfigEdit(t *testing.T, makefile string, config *string, want string, edit func(cfg string) (TextEdit, error)) (string, *Module) {
	t.Helper()
	withEnviron(t)
	files := map[string]string{"Makefile": makefile, "Cargo.toml": ""}
	before := ""
	if config != nil {
		files["config.mk"], before = *config, *config
	}
	root := testtree.Write(t, files)
	cfg := filepath.Join(root, "config.mk")
	e, err := edit(cfg)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "Create", e.Create, config == nil)
	line, col := lines.New(before).Position(e.Offset)
	eline, ecol := lines.New(before).Position(e.End)
	eq(t, "positions agree with offsets", [4]int{e.Line, e.Column, e.EndLine, e.EndColumn}, [4]int{line, col, eline, ecol})
	if err := e.ApplyFile(); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(cfg)
	eq(t, "config.mk", string(got), want)
	m, err := Load(context.Background(), root, nil)
	if err != nil {
		t.Fatal(err)
	}
	return cfg, m
}
