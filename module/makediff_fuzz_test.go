package module

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The fuzz targets here hold rustko's own readings and edits of makefiles
// against GNU make itself: what literalAssignment reads without make, and
// what ListVarEdit and SetVarEdit leave in config.mk, must be what make
// then makes of the file.

// makeSafe says whether make may read text in a fuzz run without running
// anything: no expansion ($), no shell assignment (!=), no load directive
// and nothing that could change SHELL, which the command line sets to
// /bin/false so that any recipe a rule for remaking a makefile has fails
// instead of running.
func makeSafe(text string) bool {
	for _, s := range []string{"$", "!=", "load", "SHELL", "MAKE", "MFLAGS", "guile"} {
		if strings.Contains(text, s) {
			return false
		}
	}
	return true
}

// makeValue writes files into a fresh folder, runs make on its Makefile
// and returns the words of $(name), or ok false when make refuses the files.
func makeValue(t *testing.T, files map[string]string, name string) (words []string, ok bool) {
	t.Helper()
	root := t.TempDir()
	for rel, text := range files {
		if err := os.WriteFile(filepath.Join(root, rel), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	printMk := filepath.Join(t.TempDir(), "print.mk")
	if err := os.WriteFile(printMk, []byte("rustko-print: ;$(info @@=$("+name+"))\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "make", "-r", "-R", "-s", "--no-print-directory", "-f", "Makefile", "-f", printMk, "rustko-print", "SHELL=/bin/false")
	cmd.Dir = root
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + root}
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if ctx.Err() != nil || !errors.As(err, &exit) {
			t.Fatalf("make: %v", err)
		}
		return nil, false
	}
	for _, l := range strings.Split(out.String(), "\n") {
		if v, found := strings.CutPrefix(l, "@@="); found {
			return strings.Fields(v), true
		}
	}
	t.Fatalf("make printed no value:\n%s", out.String())
	return nil, false
}

// FuzzLiteralAssignmentMatchesMake: a value literalAssignment claims to know
// is the one make gives.
func FuzzLiteralAssignmentMatchesMake(f *testing.F) {
	if _, err := exec.LookPath("make"); err != nil {
		f.Skip("no make")
	}
	f.Add("KERNEL_INCLUDE ?= linux/panic.h\n-include config.mk\n", "KERNEL_INCLUDE += linux/fs.h \\\n linux/cdev.h # c\n")
	f.Add("override KERNEL_INCLUDE := a\nKERNEL_INCLUDE := b\n", "")
	f.Add("all:\n\techo\nKERNEL_INCLUDE = a\\#b\n", "KERNEL_INCLUDE ::= c")
	f.Add("include config.mk\nKERNEL_INCLUDE += x\n", "export KERNEL_INCLUDE = \\\n y\\\\\n")
	f.Fuzz(func(t *testing.T, makefile, config string) {
		if !makeSafe(makefile) || !makeSafe(config) {
			return
		}
		root := t.TempDir()
		files := map[string]string{"Makefile": makefile, "config.mk": config}
		for name, c := range files {
			if err := os.WriteFile(filepath.Join(root, name), []byte(c), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		v, _, ok := literalAssignment(root, "Makefile", "KERNEL_INCLUDE")
		if !ok {
			return
		}
		got, ok := makeValue(t, files, "KERNEL_INCLUDE")
		if !ok {
			return
		}
		if want := strings.Fields(v); !slices.Equal(got, want) {
			t.Fatalf("literalAssignment read %q, make reads %q", want, got)
		}
	})
}

// FuzzListVarEditMatchesMake: after the edit make lists the word, with
// every word it listed before; a word said to be listed already is one make
// lists.
func FuzzListVarEditMatchesMake(f *testing.F) {
	if _, err := exec.LookPath("make"); err != nil {
		f.Skip("no make")
	}
	f.Add("KERNEL_HELPERS := a \\\n\tb # c\n", "kmalloc")
	f.Add("ifeq (a,b)\nKERNEL_HELPERS := x\nelse\ndefine KERNEL_HELPERS\nendef\nendif", "x")
	f.Add("KERNEL_HELPERS := a\nifeq (a,a)\nKERNEL_HELPERS := b\nendif\n", "c")
	f.Add("KERNEL_HELPERS := a\nKERNEL_HELPERS := b\n", "a")
	f.Add("override KERNEL_HELPERS := a\nKERNEL_HELPERS += b\n", "c")
	f.Fuzz(func(t *testing.T, src, word string) {
		if !makeSafe(src) || !makeSafe(word) {
			return
		}
		before, ok := makeValue(t, map[string]string{"Makefile": src}, "KERNEL_HELPERS")
		if !ok {
			return
		}
		e, err := listVarEdit("Makefile", src, true, "KERNEL_HELPERS", word)
		if errors.Is(err, ErrAlreadyListed) {
			if !slices.Contains(before, word) {
				t.Fatalf("%q said to be listed in %q, make lists %q", word, src, before)
			}
			return
		}
		if err != nil {
			return
		}
		out, err := e.Apply([]byte(src))
		if err != nil {
			t.Fatal(err)
		}
		after, ok := makeValue(t, map[string]string{"Makefile": string(out)}, "KERNEL_HELPERS")
		if !ok {
			t.Fatalf("make refuses %q after the edit of %q", out, src)
		}
		if i := slices.Index(after, word); i < 0 || !slices.Equal(slices.Delete(slices.Clone(after), i, i+1), before) {
			t.Fatalf("adding %q to %q gave %q: make lists %q, before %q", word, src, out, after, before)
		}
	})
}

// FuzzSetVarEditMatchesMake: after the edit make's value is the one set.
func FuzzSetVarEditMatchesMake(f *testing.F) {
	if _, err := exec.LookPath("make"); err != nil {
		f.Skip("no make")
	}
	f.Add("RUST_ROOT := /usr # Debian\r\n", "/opt/rust")
	f.Add("ifeq (a,a)\nRUST_ROOT ?= x\nelse\ndefine RUST_ROOT\nendef\nendif", "/r")
	f.Add("RUST_ROOT := \\\n/usr\nRUST_ROOT += x\\", "/r")
	f.Add("override RUST_ROOT := /usr\n", "/r")
	f.Fuzz(func(t *testing.T, src, value string) {
		if !makeSafe(src) || !makeSafe(value) {
			return
		}
		if _, ok := makeValue(t, map[string]string{"Makefile": src}, "RUST_ROOT"); !ok {
			return
		}
		e, err := setVarEdit("Makefile", src, true, "RUST_ROOT", value)
		if err != nil {
			return
		}
		out, err := e.Apply([]byte(src))
		if err != nil {
			t.Fatal(err)
		}
		after, ok := makeValue(t, map[string]string{"Makefile": string(out)}, "RUST_ROOT")
		if !ok {
			t.Fatalf("make refuses %q after the edit of %q", out, src)
		}
		if !slices.Equal(after, []string{value}) {
			t.Fatalf("setting %q in %q gave %q: make reads %q", value, src, out, after)
		}
	})
}
