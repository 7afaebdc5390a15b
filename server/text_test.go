package server

import (
	"testing"

	"go.lsp.dev/protocol"

	"github.com/rustko/rustko-lsp/diagnostics"
)

func TestEncodingConversions(t *testing.T) {
	// "a€𐐀b": a (1 byte, 1 UTF-16 unit), € (3 bytes, 1 unit), 𐐀 (4 bytes, 2 units), b.
	const line = "a€𐐀b"
	tests := []struct {
		enc       encoding
		byteOff   int
		units     uint32
		backBytes int // toByte(units): where the units land
	}{
		{utf16, 0, 0, 0},
		{utf16, 1, 1, 1},
		{utf16, 4, 2, 4},
		{utf16, 8, 4, 8},
		{utf16, 9, 5, 9},
		{utf16, 2, 1, 1},   // inside €: counts as its start
		{utf16, 100, 5, 9}, // past the end clamps
		{utf8Enc, 4, 4, 4}, // UTF-8 is bytes
		{utf8Enc, 100, 9, 9},
		{utf32, 8, 3, 8},
		{utf32, 9, 4, 9},
	}
	for _, tc := range tests {
		if got := tc.enc.fromByte(line, tc.byteOff); got != tc.units {
			t.Errorf("%v fromByte(%d) = %d, want %d", tc.enc.kind(), tc.byteOff, got, tc.units)
		}
		if got := tc.enc.toByte(line, tc.units); got != tc.backBytes {
			t.Errorf("%v toByte(%d) = %d, want %d", tc.enc.kind(), tc.units, got, tc.backBytes)
		}
	}
	// A unit count in the middle of a surrogate pair lands after the character.
	if got := utf16.toByte(line, 3); got != 8 {
		t.Errorf("toByte splitting a surrogate pair = %d, want 8", got)
	}
}

func TestIncrementalEdits(t *testing.T) {
	pos := func(l, c uint32) protocol.Position { return protocol.Position{Line: l, Character: c} }
	rng := func(a, b protocol.Position) protocol.Range { return protocol.Range{Start: a, End: b} }
	tests := []struct {
		name  string
		start string
		enc   encoding
		r     protocol.Range
		repl  string
		want  string
	}{
		{"insert at start", "abc\n", utf16, rng(pos(0, 0), pos(0, 0)), "x", "xabc\n"},
		{"replace across lines", "ab\ncd\nef\n", utf16, rng(pos(0, 1), pos(2, 1)), "-", "a-f\n"},
		{"after a non-BMP character (UTF-16)", "𐐀x\n", utf16, rng(pos(0, 2), pos(0, 3)), "y", "𐐀y\n"},
		{"after a non-BMP character (UTF-8)", "𐐀x\n", utf8Enc, rng(pos(0, 4), pos(0, 5)), "y", "𐐀y\n"},
		{"append past the last line", "a\n", utf16, rng(pos(5, 0), pos(5, 0)), "z", "a\nz"},
		{"CRLF: end of line stops before \\r", "ab\r\ncd", utf16, rng(pos(0, 2), pos(0, 9)), "!", "ab!\r\ncd"},
		{"delete a whole line", "a\nb\nc\n", utf16, rng(pos(1, 0), pos(2, 0)), "", "a\nc\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := newText(tc.start).apply(tc.r, tc.repl, tc.enc)
			if err != nil {
				t.Fatal(err)
			}
			if got.s != tc.want {
				t.Errorf("got %q, want %q", got.s, tc.want)
			}
		})
	}
	if _, _, err := newText("abc").apply(rng(pos(0, 2), pos(0, 1)), "", utf16); err == nil {
		t.Error("a reversed range was accepted")
	}
}

func TestFindingRanges(t *testing.T) {
	body := newText("let x = \"é\"; kmalloc(8);\n\tfoo\n")
	tests := []struct {
		name string
		r    diagnostics.Range
		enc  encoding
		want protocol.Range
	}{
		{"byte columns become UTF-16 units after é",
			diagnostics.Range{Start: diagnostics.Position{Line: 1, Column: 15}, End: diagnostics.Position{Line: 1, Column: 22}}, utf16,
			protocol.Range{Start: protocol.Position{Line: 0, Character: 13}, End: protocol.Position{Line: 0, Character: 20}}},
		{"UTF-8 keeps bytes",
			diagnostics.Range{Start: diagnostics.Position{Line: 1, Column: 15}, End: diagnostics.Position{Line: 1, Column: 22}}, utf8Enc,
			protocol.Range{Start: protocol.Position{Line: 0, Character: 14}, End: protocol.Position{Line: 0, Character: 21}}},
		{"a line-only finding covers the line",
			diagnostics.Point(2, 0), utf16,
			protocol.Range{Start: protocol.Position{Line: 1, Character: 0}, End: protocol.Position{Line: 1, Character: 4}}},
		{"past the end clamps",
			diagnostics.Point(9, 9), utf16,
			protocol.Range{Start: protocol.Position{Line: 8, Character: 0}, End: protocol.Position{Line: 8, Character: 0}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := body.findingRange(tc.r, tc.enc); got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}
