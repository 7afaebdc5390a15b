package objcheck

import (
	"context"
	"testing"
)

// The fuzz targets feed arbitrary bytes to the ELF, relocation and DWARF
// readers: a corrupt or truncated object must give an error, never a panic.
// Seeds in testdata/fuzz are small gcc and rustc objects with GOT
// relocations, FPU instructions, red-zone use and DWARF 4 and 5.

func FuzzCheck(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		ob, err := parseObject("fuzz.o", data)
		if err != nil {
			return
		}
		fs, err := checkObject(context.Background(), ob, Options{Sources: "/nonexistent", Defined: []string{"bump"}})
		if err != nil {
			return
		}
		for _, f := range fs {
			if f.Code == "" || f.Message == "" || f.File == "" || f.Range.Start.Line < 1 {
				t.Fatalf("malformed finding %+v", f)
			}
		}
	})
}

func FuzzRelaxGOT(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		ob, err := parseObject("fuzz.o", data)
		if err != nil {
			return
		}
		if _, err := ob.relaxGOT(); err != nil {
			return
		}
		// Success means no GOT relocation is left.
		again, err := parseObject("fuzz.o", ob.data)
		if err != nil {
			t.Fatalf("relaxed object no longer parses: %v", err)
		}
		for _, rs := range again.relas {
			for _, r := range rs.entries {
				if isGOTReloc(r.typ) {
					t.Fatalf("%s left in %s after a successful relaxation", r.typ, rs.sec.Name)
				}
			}
		}
	})
}
