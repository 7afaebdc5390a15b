package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/internal/testkernel"
	"github.com/rustko/rustko-lsp/module"
	"github.com/rustko/rustko-lsp/vm"
)

// The kernel names no line for an unknown symbol: the finding moves to the
// module's use of it and says who exports it, read from the tree's
// Module.symvers (crc32c is libcrc32c's on Debian's 6.1).
func TestPlaceUnknownSymbols(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("testdata", "unknownsym"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := module.Load(context.Background(), root, nil)
	if err != nil {
		t.Fatal(err)
	}
	symvers, err := module.ReadSymvers(filepath.Join(testkernel.Dir(t), "Module.symvers"))
	if err != nil {
		t.Fatal(err)
	}
	crate := filepath.Join(root, "src", "lib.rs")
	in := []diagnostics.Finding{
		{File: crate, Range: diagnostics.Point(1, 1), Severity: diagnostics.Error, Code: vm.CodeRunFailed, Source: vm.SourceKernel,
			Message: "insmod failed: Unknown symbol crc32c (err -2); Unknown symbol no_such_export (err -2)"},
		{File: crate, Range: diagnostics.Point(1, 1), Severity: diagnostics.Error, Code: vm.CodeRunFailed, Source: vm.SourceKernel,
			Message: "the module did not unload"},
	}
	out := placeUnknownSymbols(in, m, symvers)
	if len(out) != 3 {
		t.Fatalf("got %d findings, want 3: %+v", len(out), out)
	}
	shim := filepath.Join(root, "src", "unknownsym.c")
	if f := out[0]; f.File != shim || f.Range.Start.Line != lineOf(t, shim, "UNKNOWN-SYMBOL") ||
		!strings.Contains(f.Message, "Unknown symbol crc32c (err -2): `crc32c` is exported by the module lib/libcrc32c, which was not loaded") {
		t.Errorf("crc32c: %s:%d %q", f.File, f.Range.Start.Line, f.Message)
	}
	if f := out[1]; f.File != crate || !strings.Contains(f.Message, "this kernel does not export `no_such_export`") {
		t.Errorf("an unexported name nobody uses stays at the crate root with the reason: %s %q", f.File, f.Message)
	}
	if out[2].Message != "the module did not unload" {
		t.Errorf("other failures are left alone: %q", out[2].Message)
	}
}
