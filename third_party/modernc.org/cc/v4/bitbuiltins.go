// Copyright 2021 The CC Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package cc // import "modernc.org/cc/v4"

import "math/bits"

// bitBuiltin describes a GCC bit builtin: its operation and the type its
// operand converts to, which gives the width in bits.
type bitBuiltin struct {
	op    string
	kind  Kind  // Operand type, when width is zero.
	width int64 // Fixed operand width in bits, the bswaps.
}

var bitBuiltins = map[string]bitBuiltin{}

func init() {
	for _, op := range []string{"clz", "ctz", "popcount", "ffs", "parity"} {
		// The ffs operand is signed; its bits are what counts.
		bitBuiltins["__builtin_"+op] = bitBuiltin{op: op, kind: UInt}
		bitBuiltins["__builtin_"+op+"l"] = bitBuiltin{op: op, kind: ULong}
		bitBuiltins["__builtin_"+op+"ll"] = bitBuiltin{op: op, kind: ULongLong}
	}
	bitBuiltins["__builtin_bswap16"] = bitBuiltin{op: "bswap", width: 16}
	bitBuiltins["__builtin_bswap32"] = bitBuiltin{op: "bswap", width: 32}
	bitBuiltins["__builtin_bswap64"] = bitBuiltin{op: "bswap", width: 64}
}

// foldBitBuiltin returns the value of a call of the GCC bit builtin nm, like
// __builtin_clz, with the arguments args, or nil when nm is not one of them or
// the value is not a known constant. GCC folds these in integer constant
// expressions; Linux's ilog2(), order_base_2() and roundup_pow_of_two() rely
// on it for array bounds.
func (c *ctx) foldBitBuiltin(nm string, args []ExpressionNode) Value {
	b, ok := bitBuiltins[nm]
	if !ok || len(args) != 1 {
		return nil
	}

	var x uint64
	switch v := args[0].Value().(type) {
	case Int64Value:
		x = uint64(v)
	case UInt64Value:
		x = uint64(v)
	default:
		return nil
	}

	width := b.width
	if width == 0 {
		width = 8 * c.ast.ABI.Types[b.kind].Size
	}
	switch {
	case width <= 0 || width > 64:
		return nil
	case width < 64:
		x &= 1<<width - 1 // The conversion to the operand type.
	}
	switch b.op {
	case "clz":
		if x == 0 { // Undefined, GCC does not fold it either.
			return nil
		}

		return Int64Value(int64(bits.LeadingZeros64(x)) - (64 - width))
	case "ctz":
		if x == 0 { // Undefined, GCC does not fold it either.
			return nil
		}

		return Int64Value(bits.TrailingZeros64(x))
	case "popcount":
		return Int64Value(bits.OnesCount64(x))
	case "ffs":
		if x == 0 {
			return Int64Value(0)
		}

		return Int64Value(bits.TrailingZeros64(x) + 1)
	case "parity":
		return Int64Value(bits.OnesCount64(x) & 1)
	case "bswap":
		return UInt64Value(bits.ReverseBytes64(x) >> (64 - width))
	}
	return nil
}
