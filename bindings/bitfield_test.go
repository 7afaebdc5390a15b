package bindings

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBitfieldAccessors runs the generated getters and setters: for each
// bit-field of testdata/golden/bitfields.h, gcc lays out a value with only
// that bit-field set to all ones; the Rust getter must read all ones from
// those bytes, and the setter must write exactly those bytes into a zeroed
// record.
func TestBitfieldAccessors(t *testing.T) {
	k, f, _ := goldenSetup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	g, err := run(ctx, &Options{Kernel: k, Flags: f, Headers: []string{"bitfields.h"}, Version: "bits"}, func(string) {})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	or := buildOracle(g.unit)
	cfile := filepath.Join(dir, "oracle.c")
	if err := os.WriteFile(cfile, []byte(or.src.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	asm, err := runTool(ctx, nil, "gcc", append(f.CompilerArgs(), "-w", "-g0", "-S", "-o", "-", cfile)...)
	if err != nil {
		t.Fatal(err)
	}
	data := asmData(string(asm))

	// Which unit holds each bit-field, and how Rust reads it back.
	type access struct {
		rec    *Record
		unit   Member
		bf     Bitfield
		allOne string
	}
	byWhat := map[string]access{}
	for _, r := range g.unit.Records {
		if !r.reached || r.Tag == "" {
			continue
		}
		for _, m := range r.Members {
			if m.Kind != MBitUnit {
				continue
			}
			for _, b := range m.Bits {
				want := fmt.Sprintf("(1u64 << %d) - 1", b.Width)
				switch {
				case isBool(b.Type):
					want = "true"
				case b.Signed:
					want = "-1"
				}
				byWhat[r.cName()+"."+b.CName] = access{r, m, b, want}
			}
		}
	}
	var tests strings.Builder
	n := 0
	for i, c := range or.bits {
		a, ok := byWhat[c.what]
		if !ok {
			t.Fatalf("no accessor for %s", c.what)
		}
		img := data[fmt.Sprintf("__rk_bf%d", i)]
		unit := img[a.unit.Offset : a.unit.Offset+a.unit.Size]
		var bytes []string
		for _, b := range img {
			bytes = append(bytes, fmt.Sprint(b))
		}
		var ubytes []string
		for _, b := range unit {
			ubytes = append(ubytes, fmt.Sprint(b))
		}
		rt := (&rustWriter{}).ty(a.bf.Type)
		get := "s." + a.bf.Name + "()"
		want := a.allOne
		if a.allOne != "true" && a.allOne != "-1" {
			get = "(" + get + " as u64)"
		} else if a.allOne == "-1" {
			get = "(" + get + " as i64)"
		}
		fmt.Fprintf(&tests, `
#[test]
fn bf_%d() {
    // %s
    let img: [u8; %d] = [%s];
    let s: %s = unsafe { core::mem::transmute(img) };
    assert_eq!(%s, %s, "getter of %s");
    let mut z: %s = unsafe { core::mem::zeroed() };
    z.set_%s(%s as %s);
    let unit: [u8; %d] = [%s];
    #[allow(unused_unsafe)]
    let got = unsafe { z.%s };
    assert_eq!(got, unit, "setter of %s");
}
`, i, c.what, len(img), strings.Join(bytes, ", "), a.rec.Name, get, want, c.what,
			a.rec.Name, strings.TrimPrefix(a.bf.Name, "r#"), allOnesValue(a.allOne, a.bf.Width), rt,
			len(unit), strings.Join(ubytes, ", "), a.unit.Name, c.what)
		n++
	}
	if n == 0 {
		t.Fatal("no bit-fields tested")
	}
	if err := os.WriteFile(filepath.Join(dir, "bindings.rs"), g.rust, 0o644); err != nil {
		t.Fatal(err)
	}
	lib := "mod bindings;\nuse bindings::*;\n" + tests.String()
	if err := os.WriteFile(filepath.Join(dir, "lib.rs"), []byte(lib), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "bftest")
	if _, err := runTool(ctx, nil, rustcs()[0].path, "--edition", "2021", "--test", "-o", bin, filepath.Join(dir, "lib.rs")); err != nil {
		t.Fatalf("compiling the accessor tests: %v", err)
	}
	out, err := runTool(ctx, nil, bin)
	if err != nil {
		t.Fatalf("accessor tests failed: %v\n%s", err, out)
	}
	t.Logf("%d bit-fields: getters and setters agree with gcc", n)
}

func allOnesValue(want string, width int) string {
	switch want {
	case "true":
		return "true"
	case "-1":
		return "-1i64"
	}
	return fmt.Sprintf("((1u64 << %d) - 1)", width)
}
