package targets

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestParseVersion(t *testing.T) {
	tests := []struct {
		in      string
		want    Version
		wantErr bool
	}{
		{"1.63.0", Version{1, 63, 0, ""}, false},
		{"rustc 1.95.0 (59807616e 2026-04-14)", Version{1, 95, 0, ""}, false},
		{"rustc 1.96.0 (ac68faa20 2026-05-25) (built from a source tarball)", Version{1, 96, 0, ""}, false},
		{"1.97.0-nightly", Version{1, 97, 0, "nightly"}, false},
		{"1.91.0-beta.3", Version{1, 91, 0, "beta.3"}, false},
		{"", Version{}, true},
		{"rustc", Version{}, true},
		{"1.63", Version{}, true},
		{"1.x.0", Version{}, true},
		{"cargo 1.65.0", Version{}, true},
	}
	for _, tt := range tests {
		got, err := ParseVersion(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseVersion(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
	if !(Version{1, 97, 0, "nightly"}).AtLeast(1, 97) || (Version{1, 90, 9, ""}).AtLeast(1, 91) || !(Version{2, 0, 0, ""}).AtLeast(1, 99) {
		t.Error("AtLeast compares major.minor")
	}
}

func TestVersionCompare(t *testing.T) {
	v := func(s string) Version {
		x, err := ParseVersion(s)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"1.63.0", "1.95.0", -1},
		{"1.95.1", "1.95.0", 1},
		{"2.0.0", "1.99.9", 1},
		{"1.97.0-nightly", "1.97.0", -1},
		{"1.97.0-beta.2", "1.97.0-nightly", -1},
		{"1.97.0-nightly", "1.96.0", 1},
		{"1.85.0", "1.85.0", 0},
	} {
		if got, back := v(tc.a).Compare(v(tc.b)), v(tc.b).Compare(v(tc.a)); got != tc.want || back != -tc.want {
			t.Errorf("%s.Compare(%s) = %d and back %d, want %d", tc.a, tc.b, got, back, tc.want)
		}
	}
}

func TestParseVerbose(t *testing.T) {
	var tc Toolchain
	err := tc.parseVerbose("rustc 1.63.0\nbinary: rustc\ncommit-hash: unknown\nhost: x86_64-unknown-linux-gnu\nrelease: 1.63.0\nLLVM version: 14.0.6\n")
	if err != nil || tc.Release != (Version{1, 63, 0, ""}) || tc.LLVMMajor != 14 || tc.Host != "x86_64-unknown-linux-gnu" || !strings.HasPrefix(tc.VersionInfo, "rustc 1.63.0\n") {
		t.Errorf("got %+v, %v", tc, err)
	}
	if err := (&Toolchain{}).parseVerbose("cargo 1.65.0\n"); err == nil {
		t.Error("output without release: accepted")
	}
	if err := (&Toolchain{}).parseVerbose("release: 1.63.0\nLLVM version: x\n"); err == nil {
		t.Error("bad LLVM version accepted")
	}
}

func TestDataLayoutFallback(t *testing.T) {
	tests := []struct {
		arch string
		llvm int
		want string
	}{
		{"x86_64", 14, "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"},
		{"x86_64", 18, "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"},
		{"riscv64", 19, "e-m:e-p:64:64-i64:64-i128:128-n64-S128"},
		{"riscv64", 22, "e-m:e-p:64:64-i64:64-i128:128-n32:64-S128"},
	}
	for _, tt := range tests {
		got, ok := Toolchain{LLVMMajor: tt.llvm}.DataLayout(tt.arch)
		if !ok || got != tt.want {
			t.Errorf("DataLayout(%s, LLVM %d) = %q, %v", tt.arch, tt.llvm, got, ok)
		}
	}
	if _, ok := (Toolchain{}).DataLayout("x86_64"); ok {
		t.Error("an unknown LLVM must not guess a layout")
	}
	if _, ok := (Toolchain{LLVMMajor: 9}).DataLayout("x86_64"); ok {
		t.Error("LLVM 9 predates the table")
	}
}

// Probe against Debian's rustc; compile_test.go probes the others.
func TestProbeDebianRustc(t *testing.T) {
	tcs := testToolchains(t)
	var deb *Toolchain
	for i := range tcs {
		if tcs[i].Path == debianRustc {
			deb = &tcs[i]
		}
	}
	if deb == nil {
		t.Fatalf("%s was not probed", debianRustc)
	}
	if deb.LLVMMajor == 0 || !deb.Release.Known() {
		t.Errorf("probe: %+v", deb)
	}
	for arch, layout := range deb.DataLayouts {
		if table, ok := (Toolchain{LLVMMajor: deb.LLVMMajor}).DataLayout(arch); !ok || table != layout {
			t.Errorf("%s: rustc %s (LLVM %d) reports data-layout %q, the table says %q", arch, deb.Release, deb.LLVMMajor, layout, table)
		}
	}
}

// probe describes the rustc at path as Find does (without the cache) and
// measures its data-layouts: the test rustcs do not all sit under a
// RUST_ROOT's bin/.
func probe(ctx context.Context, rustc string) (Toolchain, error) {
	tc := Toolchain{Path: rustc}
	if err := tc.describe(ctx, nil); err != nil {
		return tc, err
	}
	return tc, tc.ProbeLayouts(ctx, nil)
}

func TestProbeErrors(t *testing.T) {
	_, err := probe(context.Background(), "/nonexistent/bin/rustc")
	if err == nil || !strings.Contains(err.Error(), "apt-get install rustc") {
		t.Errorf("missing rustc: %v", err)
	}
	_, err = probe(context.Background(), "/bin/false")
	if err == nil || !strings.Contains(err.Error(), "/bin/false -vV") {
		t.Errorf("failing rustc: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := runRustc(ctx, "/bin/sh", "-c", "sleep 30 & sleep 30"); err == nil {
		t.Error("cancelled run succeeded")
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("cancellation took %v: the process group was not killed", time.Since(start))
	}
}
