package bindings

import (
	"math"
	"strconv"
	"strings"
)

// ValueKind is the kind of a constant.
type ValueKind uint8

const (
	VNone   ValueKind = iota
	VInt              // signed integer, in I
	VUint             // unsigned integer, in U
	VFloat            // F
	VString           // S, without the terminating NUL
)

// Value is a C constant: an enumerator or an evaluated macro.
type Value struct {
	Kind ValueKind
	I    int64
	U    uint64
	F    float64
	S    []byte
}

func intValue(v int64) Value   { return Value{Kind: VInt, I: v} }
func uintValue(v uint64) Value { return Value{Kind: VUint, U: v} }

// Rust spells v as a Rust literal: unsigned values above 9 in hex (flags and
// masks read better so, and it is how the kernel writes them), signed ones in
// decimal, strings as byte strings with their NUL.
func (v Value) Rust() string {
	switch v.Kind {
	case VInt:
		return strconv.FormatInt(v.I, 10)
	case VUint:
		if v.U > 9 {
			return "0x" + strconv.FormatUint(v.U, 16)
		}
		return strconv.FormatUint(v.U, 10)
	case VFloat:
		return rustFloat(v.F)
	case VString:
		return rustByteString(append(append([]byte(nil), v.S...), 0))
	}
	return ""
}

// C spells v the way gcc's oracle output reads back: decimal integers.
func (v Value) C() string {
	switch v.Kind {
	case VInt:
		return strconv.FormatInt(v.I, 10)
	case VUint:
		return strconv.FormatUint(v.U, 10)
	case VFloat:
		return strconv.FormatFloat(v.F, 'g', -1, 64)
	case VString:
		return strconv.Quote(string(v.S))
	}
	return ""
}

func rustFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "::core::primitive::f64::INFINITY"
	case math.IsInf(f, -1):
		return "::core::primitive::f64::NEG_INFINITY"
	case math.IsNaN(f):
		return "::core::primitive::f64::NAN"
	}
	s := strconv.FormatFloat(f, 'e', -1, 64)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return s
}

// rustByteString writes b as a Rust byte string literal; the result is a
// &[u8; len(b)] constant.
func rustByteString(b []byte) string {
	var sb strings.Builder
	sb.WriteString(`b"`)
	for _, c := range b {
		switch {
		case c == '"' || c == '\\':
			sb.WriteByte('\\')
			sb.WriteByte(c)
		case c == '\n':
			sb.WriteString(`\n`)
		case c == '\t':
			sb.WriteString(`\t`)
		case c == 0:
			sb.WriteString(`\0`)
		case c >= 0x20 && c < 0x7f:
			sb.WriteByte(c)
		default:
			sb.WriteString(`\x`)
			sb.WriteByte("0123456789abcdef"[c>>4])
			sb.WriteByte("0123456789abcdef"[c&15])
		}
	}
	sb.WriteByte('"')
	return sb.String()
}
