package bindings

import (
	"fmt"
	"strings"
	"testing"
)

func prim(name string, size int64) *Type {
	return &Type{Kind: TPrim, Prim: name, Size: size, Align: size}
}

func field(name string, t *Type, off int64) Member {
	return Member{Kind: MField, CName: name, Name: name, Type: t, Offset: off, Size: t.Size}
}

// TestLayoutDecisions checks how a C layout becomes a Rust one, on IR built
// by hand: explicit padding, packing, over-alignment, and the cases that
// must become opaque (with a reason) rather than wrong.
func TestLayoutDecisions(t *testing.T) {
	i8, i32, i64 := prim("c_char", 1), prim("c_int", 4), prim("c_long", 8)
	aligned16 := &Record{Tag: "a16", Name: "a16", Size: 16, Align: 16, Complete: true, raw: []Member{field("c", i8, 0)}}
	a16 := &Type{Kind: TNamed, Ref: aligned16, Size: 16, Align: 16}
	tests := []struct {
		name   string
		r      *Record
		opaque string // substring of the opaque reason; "" when not opaque
		pack   int64
		align  int64
		shape  string // members as name@offset+size
	}{
		{"natural", &Record{Size: 16, Align: 8, raw: []Member{field("a", i8, 0), field("b", i64, 8)}},
			"", 0, 0, "a@0+1 _pad1@1+7 b@8+8"},
		{"tail padding", &Record{Size: 16, Align: 8, raw: []Member{field("b", i64, 0), field("a", i8, 8)}},
			"", 0, 0, "b@0+8 a@8+1"},
		{"packed", &Record{Size: 5, Align: 1, raw: []Member{field("a", i8, 0), field("b", i32, 1)}},
			"", 1, 0, "a@0+1 b@1+4"},
		{"pragma pack 2", &Record{Size: 6, Align: 2, raw: []Member{field("a", i8, 0), field("b", i32, 2)}},
			"", 2, 0, "a@0+1 _pad1@1+1 b@2+4"},
		{"over-aligned", &Record{Size: 64, Align: 64, raw: []Member{field("a", i32, 0)}},
			"", 0, 64, "a@0+4"},
		{"aligned member", &Record{Size: 16, Align: 8, raw: []Member{field("a", i8, 0), field("x", i32, 8)}},
			"", 0, 8, "a@0+1 _pad1@1+7 x@8+4"},
		{"packed and aligned", &Record{Size: 8, Align: 8, raw: []Member{field("a", i8, 0), field("b", i32, 1)}},
			"not aligned even to the record's alignment", 0, 0, ""},
		{"packed with aligned member", &Record{Size: 17, Align: 1, raw: []Member{field("c", i8, 0), field("o", a16, 1)}},
			"needs repr(align)", 0, 0, ""},
		{"overlap", &Record{Size: 8, Align: 4, raw: []Member{field("a", i32, 0), field("b", i8, 2)}},
			"overlaps", 0, 0, ""},
		{"past the end", &Record{Size: 4, Align: 4, raw: []Member{field("a", i64, 0)}},
			"", 0, 0, "x"}, // natural alignment 8 > 4: packed(4) places it, then the size check fails
		{"union", &Record{Union: true, Size: 8, Align: 8, raw: []Member{field("a", i8, 0), field("b", i64, 0)}},
			"", 0, 0, "a@0+1 b@0+8"},
		{"union over-aligned", &Record{Union: true, Size: 32, Align: 32, raw: []Member{field("a", i64, 0)}},
			"", 0, 32, "a@0+8"},
		{"union member past the end", &Record{Union: true, Size: 4, Align: 4, raw: []Member{field("a", i64, 0)}},
			"a member of 8 bytes in a union of 4", 0, 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := &lowerer{u: &Unit{}}
			tc.r.Complete = true
			l.layoutRecord(tc.r)
			if tc.name == "past the end" {
				if tc.r.Opaque == "" {
					t.Fatalf("a member past the end was not made opaque: %+v", tc.r.Members)
				}
				return
			}
			if tc.opaque != "" {
				if !strings.Contains(tc.r.Opaque, tc.opaque) {
					t.Fatalf("opaque reason %q, want it to mention %q", tc.r.Opaque, tc.opaque)
				}
				return
			}
			if tc.r.Opaque != "" {
				t.Fatalf("unexpectedly opaque: %s", tc.r.Opaque)
			}
			if tc.r.packN != tc.pack || tc.r.ReprAlg != tc.align {
				t.Errorf("packed(%d) align(%d), want packed(%d) align(%d)", tc.r.packN, tc.r.ReprAlg, tc.pack, tc.align)
			}
			var got []string
			for _, m := range tc.r.Members {
				got = append(got, fmt.Sprintf("%s@%d+%d", m.Name, m.Offset, m.Size))
			}
			if s := strings.Join(got, " "); s != tc.shape {
				t.Errorf("members %s, want %s", s, tc.shape)
			}
		})
	}
}

// TestBadRecordStops: a record the front end laid out impossibly stops the
// generation when the output needs it, naming it and where it is.
func TestBadRecordStops(t *testing.T) {
	u := &Unit{Records: []*Record{
		{Tag: "fine", reached: true, Complete: true},
		{Tag: "broken", reached: true, Complete: true, bad: "the C front end computed size -1", Pos: Pos{File: "/x/y.h", Line: 3, Col: 1}},
		{Tag: "unused", bad: "member a is an array of unknown length inside a complete struct"},
	}}
	err := badReached(u)
	if err == nil {
		t.Fatal("no error for a reached bad record")
	}
	for _, w := range []string{"/x/y.h:3:1", "struct broken", "size -1", "no bindings were written"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error does not mention %q: %v", w, err)
		}
	}
	if strings.Contains(err.Error(), "unused") {
		t.Errorf("an unreached record stopped the generation: %v", err)
	}
}
