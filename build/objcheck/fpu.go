package objcheck

import (
	"strings"

	"golang.org/x/arch/x86/x86asm"
)

// fpStateOps are FPU/SIMD instructions that name no FPU/SIMD register: x87
// memory forms are caught by their F prefix, these are the rest.
var fpStateOps = map[x86asm.Op]bool{
	x86asm.EMMS: true, x86asm.LDMXCSR: true, x86asm.STMXCSR: true,
	x86asm.XSAVE: true, x86asm.XSAVE64: true, x86asm.XSAVEC: true, x86asm.XSAVEC64: true,
	x86asm.XSAVEOPT: true, x86asm.XSAVEOPT64: true, x86asm.XSAVES: true, x86asm.XSAVES64: true,
	x86asm.XRSTOR: true, x86asm.XRSTOR64: true, x86asm.XRSTORS: true, x86asm.XRSTORS64: true,
}

// usesFPU reports whether inst touches x87, MMX, SSE or AVX state, which
// kernel code may only do between kernel_fpu_begin() and kernel_fpu_end().
// It looks at what the instruction operates on, not its name, so SSE
// moves used for memcpy count as much as arithmetic does.
func usesFPU(inst x86asm.Inst) bool {
	if fpStateOps[inst.Op] {
		return true
	}
	name := inst.Op.String()
	// Every x86asm mnemonic starting with F is x87 (FXSAVE included);
	// VZEROUPPER and the VEX MXCSR forms name no register either.
	if strings.HasPrefix(name, "F") || strings.HasPrefix(name, "VZERO") || strings.HasSuffix(name, "MXCSR") {
		return true
	}
	for _, a := range inst.Args {
		if r, ok := a.(x86asm.Reg); ok && isFPReg(r) {
			return true
		}
	}
	return false
}

// isFPReg covers x87 ST(i), MMX, XMM, YMM, ZMM and AVX-512 mask registers,
// which x86asm numbers contiguously.
func isFPReg(r x86asm.Reg) bool {
	return r >= x86asm.F0 && r <= x86asm.K7
}

// isVEX reports whether code starts (after legacy prefixes) with a VEX or
// EVEX prefix: in 64-bit mode c4, c5 and 62 can be nothing else, so even an
// instruction the decoder does not know is an AVX one.
func isVEX(code []byte) bool {
	for i, b := range code {
		switch b {
		case 0x66, 0x67, 0xf2, 0xf3, 0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65, 0xf0:
			continue
		case 0xc4, 0xc5, 0x62:
			return i+1 < len(code)
		}
		return false
	}
	return false
}
