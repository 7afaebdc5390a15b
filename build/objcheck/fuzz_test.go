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

// TestLocateWithoutFileName: a line table row or an inlined call site
// without a file name (FuzzCheck's d749a927c14f6a14: one changed byte of
// seed-fp.o's DWARF 5 line header empties every name) is no source place;
// the finding then falls back to the crate root instead of a file "".
func TestLocateWithoutFileName(t *testing.T) {
	li := &lineInfo{
		seqs:   []lineSeq{{start: 0x1000, end: 0x1010, rows: []lineRow{{addr: 0x1000, loc: srcLoc{Line: 4, Col: 7}}}}},
		frames: []inlineFrame{{ranges: [][2]uint64{{0x1000, 0x1010}}, depth: 1, call: srcLoc{Line: 9, Col: 1}}},
	}
	if got := li.locate(0x1004); got != nil {
		t.Errorf("a row without a file: locate = %+v, want none", got)
	}
	li.seqs[0].rows[0].loc.File = "/m/src/lib.rs"
	if got := li.locate(0x1004); len(got) != 1 || got[0].File != "/m/src/lib.rs" {
		t.Errorf("a call site without a file: locate = %+v, want only the row", got)
	}
}
