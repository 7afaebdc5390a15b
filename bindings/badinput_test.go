package bindings

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rustko/rustko-lsp/module"
)

// TestBadInput: headers that cannot work produce errors a person can act
// on (which header, where, what was searched), never a panic.
func TestBadInput(t *testing.T) {
	dir, err := filepath.Abs("testdata/bad")
	if err != nil {
		t.Fatal(err)
	}
	k := &module.Kernel{Release: "bad", Arch: "x86_64"}
	f := &module.Flags{Compiler: "gcc", IncludeDirs: []string{dir, "/nonexistent/include"}, Std: "gnu11"}
	tests := []struct {
		name    string
		headers []string
		want    []string // substrings of the error
	}{
		{"missing header", []string{"linux/not_a_header.h"},
			[]string{"linux/not_a_header.h not found", dir, "/nonexistent/include", "KERNEL_INCLUDE"}},
		{"missing absolute header", []string{"/nonexistent/x.h"}, []string{"/nonexistent/x.h does not exist"}},
		{"syntax error", []string{"syntax.h"}, []string{filepath.Join(dir, "syntax.h") + ":3:"}},
		{"missing nested include", []string{"includes_missing.h"}, []string{"includes_missing.h:1:", "nested_missing.h"}},
		{"redefined struct", []string{"redefined.h"}, []string{"redefined.h:2:"}},
		{"no headers at all", []string{" "}, []string{"no headers"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			_, err := Generate(ctx, Options{Kernel: k, Flags: f, Headers: tc.headers, Out: filepath.Join(t.TempDir(), "b.rs"), CacheDir: t.TempDir()})
			if err == nil {
				t.Fatalf("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not mention %q:\n%v", w, err)
				}
			}
			if strings.Contains(err.Error(), "goroutine") || strings.Contains(err.Error(), ".go:") {
				t.Errorf("error carries Go internals:\n%v", err)
			}
		})
	}
}

// TestMissingOptions: a caller that forgot the kernel or the flags is told
// which call provides them.
func TestMissingOptions(t *testing.T) {
	_, err := Generate(context.Background(), Options{Flags: &module.Flags{}})
	if err == nil || !strings.Contains(err.Error(), "FindKernel") {
		t.Errorf("no kernel: %v", err)
	}
	_, err = Generate(context.Background(), Options{Kernel: &module.Kernel{}})
	if err == nil || !strings.Contains(err.Error(), "CaptureFlags") {
		t.Errorf("no flags: %v", err)
	}
	_, err = Generate(context.Background(), Options{Kernel: &module.Kernel{Arch: "s390"}, Flags: &module.Flags{}, Headers: []string{"x.h"}})
	if err == nil {
		t.Errorf("unsupported architecture accepted")
	}
}

// TestCancel: a cancelled context stops the front end (through the file
// system it reads headers with) and the error says so.
func TestCancel(t *testing.T) {
	k, f := realKernel(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := Generate(ctx, Options{Kernel: k, Flags: f, Headers: sixHeaders, NoCache: true, CacheDir: t.TempDir()})
		done <- err
	}()
	time.Sleep(200 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("want context.Canceled, got %v", err)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("Generate did not return after cancel")
	}
}
