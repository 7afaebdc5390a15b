package bindings

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rustko/rustko-lsp/bindings/index"
	"github.com/rustko/rustko-lsp/module"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenSetup configures the generator for plain C headers in
// testdata/golden, with the host gcc and no kernel flags.
func goldenSetup(t *testing.T) (*module.Kernel, *module.Flags, string) {
	t.Helper()
	dir, err := filepath.Abs("testdata/golden")
	if err != nil {
		t.Fatal(err)
	}
	k := &module.Kernel{Release: "golden", Arch: "x86_64"}
	f := &module.Flags{Compiler: "gcc", IncludeDirs: []string{dir}, Std: "gnu11", TargetFlags: []string{"-m64"}}
	return k, f, dir
}

// TestGolden generates each testdata/golden/*.h, compares the Rust and a
// listing of the index with the golden files (-update rewrites them), checks
// every number against gcc and builds all of the Rust with both rustcs.
func TestGolden(t *testing.T) {
	k, f, dir := goldenSetup(t)
	headers, _ := filepath.Glob(filepath.Join(dir, "*.h"))
	if len(headers) == 0 {
		t.Fatal("no golden inputs")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	out := t.TempDir()
	var mods strings.Builder
	for _, h := range headers {
		name := strings.TrimSuffix(filepath.Base(h), ".h")
		t.Run(name, func(t *testing.T) {
			o := &Options{Kernel: k, Flags: f, Headers: []string{filepath.Base(h)}, LayoutTests: true, Version: "golden"}
			g, err := run(ctx, o, func(string) {})
			if err != nil {
				t.Fatal(err)
			}
			compareGolden(t, filepath.Join(dir, name+".rs"), g.rust)
			compareGolden(t, filepath.Join(dir, name+".index.txt"), []byte(indexListing(g.ix, dir)))
			checkWithGCC(t, ctx, f, g.unit, t.TempDir())
			if err := os.WriteFile(filepath.Join(out, name+".rs"), g.rust, 0o644); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&mods, "pub mod %s;\n", name)
		})
	}
	compileRust(t, ctx, out, mods.String())
}

func compareGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run TestGolden -update to create it)", err)
	}
	if string(want) != string(got) {
		t.Errorf("%s differs from the generated output (go test -run TestGolden -update rewrites it):\n%s", path, firstDiff(string(want), string(got)))
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n  want: %s\n  got:  %s", i+1, x, y)
		}
	}
	return "(same lines, different bytes)"
}

// indexListing is the index in a reviewable form: one line per item.
func indexListing(ix *index.Index, dir string) string {
	var b strings.Builder
	for _, it := range ix.Items {
		file := strings.TrimPrefix(it.Pos.File, dir+"/")
		fmt.Fprintf(&b, "%s %s @%s:%d:%d", it.Kind, it.Name, file, it.Pos.Line, it.Pos.Column)
		if it.Rust != "" {
			fmt.Fprintf(&b, " -> %s", it.Rust)
		}
		if it.Value != "" {
			fmt.Fprintf(&b, " = %s (%s)", it.Value, it.ValueType)
		}
		if it.Size != 0 {
			fmt.Fprintf(&b, " size %d align %d", it.Size, it.Align)
		}
		if it.Why != "" {
			fmt.Fprintf(&b, " | %s", it.Why)
		}
		b.WriteByte('\n')
		for _, f := range it.Fields {
			fmt.Fprintf(&b, "    %s %s @%d", f.CType, f.Name, f.Offset)
			if f.BitWidth != 0 {
				fmt.Fprintf(&b, " bits %d+%d", f.BitOffset, f.BitWidth)
			}
			if f.RustName != "" {
				fmt.Fprintf(&b, " -> %s", f.RustName)
			}
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// TestEnumConstantTypeFollowsGCC checks the type the bindings give an
// enumeration constant that fits int in an enum where another does not:
// int for gcc 12 (Debian 12), the enum's type for gcc 13 and later (C23's
// rule; Debian 13's gcc 14 builds 7.x). Whichever gcc is on PATH is the
// oracle, so this runs on both and fails where the rule is wrong.
func TestEnumConstantTypeFollowsGCC(t *testing.T) {
	dir := t.TempDir()
	const h = `enum mixed { SMALL = 7, BIG = 0x80000000 };
enum small { ONLY = 3 };
#define USES_SMALL (SMALL * 2)
#define USES_ONLY (ONLY * 2)
`
	if err := os.WriteFile(filepath.Join(dir, "mixed.h"), []byte(h), 0o644); err != nil {
		t.Fatal(err)
	}
	k := &module.Kernel{Release: "golden", Arch: "x86_64"}
	f := &module.Flags{Compiler: "gcc", IncludeDirs: []string{dir}, Std: "gnu11", TargetFlags: []string{"-m64"}}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	g, err := run(ctx, &Options{Kernel: k, Flags: f, Headers: []string{"mixed.h"}, Version: "golden"}, func(string) {})
	if err != nil {
		t.Fatal(err)
	}
	checkWithGCC(t, ctx, f, g.unit, t.TempDir())
}
