package server

import (
	"unicode/utf8"

	"go.lsp.dev/protocol"
)

// encoding is the unit LSP character offsets count in, negotiated at
// initialize. Findings count bytes; editors mostly count UTF-16 code units.
type encoding int

const (
	utf16 encoding = iota // the LSP default: every client must support it
	utf8Enc
	utf32
)

func (e encoding) kind() protocol.PositionEncodingKind {
	switch e {
	case utf8Enc:
		return protocol.PositionEncodingKindUTF8
	case utf32:
		return protocol.PositionEncodingKindUTF32
	}
	return protocol.PositionEncodingKindUTF16
}

// negotiateEncoding picks UTF-8 when the client offers it (no conversion at
// all), and UTF-16 otherwise, which the specification makes mandatory.
func negotiateEncoding(offered []protocol.PositionEncodingKind) encoding {
	for _, k := range offered {
		if k == protocol.PositionEncodingKindUTF8 {
			return utf8Enc
		}
	}
	return utf16
}

// fromByte converts a 0-based byte offset within line into units of e. An
// offset past the end is clamped to the end, and one inside a multi-byte
// character counts as the start of that character.
func (e encoding) fromByte(line string, off int) uint32 {
	off = min(max(off, 0), len(line))
	if e == utf8Enc {
		return uint32(off)
	}
	var n uint32
	for i := 0; i < off; {
		r, size := utf8.DecodeRuneInString(line[i:])
		if i+size > off {
			break
		}
		i += size
		n++
		if e == utf16 && r >= 0x10000 && r != utf8.RuneError {
			n++
		}
	}
	return n
}

// toByte converts an offset in units of e within line into a byte offset. A
// unit count past the end is clamped to the end; one that splits a UTF-16
// surrogate pair lands after the character.
func (e encoding) toByte(line string, units uint32) int {
	if e == utf8Enc {
		return int(min(int64(units), int64(len(line))))
	}
	var n uint32
	i := 0
	for i < len(line) && n < units {
		r, size := utf8.DecodeRuneInString(line[i:])
		i += size
		n++
		if e == utf16 && r >= 0x10000 && r != utf8.RuneError {
			n++
		}
	}
	return i
}
