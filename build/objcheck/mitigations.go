package objcheck

import (
	"bytes"
	"debug/elf"
	"fmt"
	"os"

	"github.com/rustko/rustko-lsp/diagnostics"
	"golang.org/x/arch/x86/x86asm"
)

// endbr64 is the instruction an indirect call or jump must land on when the
// CPU enforces indirect branch tracking (IBT): anywhere else it raises a
// control protection fault, which in the kernel is an oops.
var endbr64 = []byte{0xf3, 0x0f, 0x1e, 0xfa}

// mitigationHits collects one function's instructions that a mitigation
// the kernel was built with does not allow.
type mitigationHits struct {
	rets     []uint64 // bare returns (RETHUNK wants jmp __x86_return_thunk)
	indirect []uint64 // indirect calls and jumps (retpolines want a thunk call)
	text     string   // the first indirect branch, as written
}

// mitigationStep records inst at off when it is one the configured
// mitigations forbid.
func (c *checker) mitigationStep(h *mitigationHits, off uint64, inst x86asm.Inst) {
	switch inst.Op {
	case x86asm.RET:
		if c.opts.ReturnThunk {
			h.rets = append(h.rets, off)
		}
	case x86asm.CALL, x86asm.JMP:
		if !c.opts.Retpoline {
			return
		}
		switch inst.Args[0].(type) {
		case x86asm.Reg, x86asm.Mem:
			if len(h.indirect) == 0 {
				h.text = x86asm.GNUSyntax(inst, off, nil)
			}
			h.indirect = append(h.indirect, off)
		}
	}
}

// reportMitigations makes one finding per function and kind, at the first
// offending instruction.
func (c *checker) reportMitigations(sec int, h *mitigationHits) {
	more := func(n int) string {
		if n > 1 {
			return fmt.Sprintf(" (and %d more in this function)", n-1)
		}
		return ""
	}
	if len(h.rets) > 0 {
		off := h.rets[0]
		p := c.placeOnDisk(sec, off)
		if p.precompiled() {
			c.precompiled.add(CodeBareReturn, c.funcName(sec, off), p.via)
		} else {
			msg := fmt.Sprintf("%s returns with a bare `ret`%s, but %s. %s", c.funcName(sec, off), more(len(h.rets)), bareReturnWhy, bareReturnFix)
			c.add(diagnostics.Finding{File: p.file, Range: p.rng, Severity: diagnostics.Warning, Code: CodeBareReturn, Message: msg, Related: p.related})
		}
	}
	if len(h.indirect) > 0 {
		off := h.indirect[0]
		p := c.placeOnDisk(sec, off)
		if p.precompiled() {
			c.precompiled.add(CodeIndirectBranch, c.funcName(sec, off), p.via)
		} else {
			msg := fmt.Sprintf("`%s` in %s is an indirect branch%s, but %s. %s", h.text, c.funcName(sec, off), more(len(h.indirect)),
				indirectBranchWhy, indirectBranchFix)
			c.add(diagnostics.Finding{File: p.file, Range: p.rng, Severity: diagnostics.Warning, Code: CodeIndirectBranch, Message: msg, Related: p.related})
		}
	}
}

// What each mitigation finding says: why the kernel needs it, and what
// rustc needs to give it.
const (
	bareReturnWhy = "the kernel is built with return thunks (CONFIG_MITIGATION_RETHUNK, CONFIG_RETHUNK before 6.9): every return " +
		"must be `jmp __x86_return_thunk`, or the Retbleed/SRSO mitigation the kernel chose at boot does not cover this code"
	bareReturnFix     = "rustc needs -Zfunction-return=thunk-extern"
	indirectBranchWhy = "the kernel is built with retpolines (CONFIG_MITIGATION_RETPOLINE, CONFIG_RETPOLINE before 6.9): indirect " +
		"calls and jumps must go through __x86_indirect_thunk_*, or Spectre v2 mitigations do not cover this code"
	indirectBranchFix = "rustc needs -Zretpoline-external-thunk (or the retpoline target features on older rustc)"
	endbrWhy          = "the kernel enforces indirect branch tracking (CONFIG_X86_KERNEL_IBT): an indirect call or jump that " +
		"lands anywhere else is a control protection fault, an oops"
	endbrFix = "rustc needs -Zcf-protection=branch"
)

// endbr reports the functions that can be reached by an indirect branch
// but do not start with endbr64: every global one (the C side may take its
// address, as a file_operations table does) and every local one whose
// address the object takes.
func (c *checker) endbr() {
	if !c.opts.IBT {
		return
	}
	taken := c.addressTaken()
	for _, s := range c.o.syms[1:] {
		if elf.ST_TYPE(s.Info) != elf.STT_FUNC || s.Section == elf.SHN_UNDEF || int(s.Section) >= len(c.o.f.Sections) {
			continue
		}
		sec := int(s.Section)
		hdr := c.o.f.Sections[sec]
		if hdr.Flags&elf.SHF_EXECINSTR == 0 || hdr.Type != elf.SHT_PROGBITS {
			continue
		}
		bind := elf.ST_BIND(s.Info)
		global := bind == elf.STB_GLOBAL || bind == elf.STB_WEAK
		if !global && !taken[funcAt{sec, s.Value}] {
			continue
		}
		data, err := c.o.sectionBytes(hdr)
		if err != nil || s.Value >= uint64(len(data)) {
			continue
		}
		if bytes.HasPrefix(data[s.Value:], endbr64) {
			continue
		}
		why := "a global function (C code can take its address, as a file_operations table does)"
		if !global {
			why = "a function whose address the Rust code takes (a callback or a vtable entry)"
		}
		p := c.placeOnDisk(sec, s.Value)
		if p.precompiled() {
			c.precompiled.add(CodeEndbr, Demangle(s.Name), p.via)
			continue
		}
		msg := fmt.Sprintf("%s does not start with endbr64, but the kernel enforces indirect branch tracking (CONFIG_X86_KERNEL_IBT): "+
			"it is %s, and an indirect call to it faults (\"Missing ENDBR\", an oops) on a CPU with IBT. %s", Demangle(s.Name), why, endbrFix)
		c.add(diagnostics.Finding{File: p.file, Range: p.rng, Code: CodeEndbr, Message: msg, Related: p.related})
	}
}

// precompiled reports whether placeOnDisk found no line of the module's
// for a function, only the toolchain's: core's code that fat LTO kept whole.
func (p place) precompiled() bool { return !p.exact && p.via != "" }

// placeOnDisk is placeOf for findings about whole functions, which may be
// core's own (kept whole by LTO, no line of the module's in them): a file
// the editor cannot open (rustup's /rustc/<hash>/ paths) becomes the crate
// root, naming the toolchain line in the message instead.
func (c *checker) placeOnDisk(sec int, off uint64) place {
	p := c.placeOf(sec, off)
	if !p.exact {
		return p
	}
	if _, err := os.Stat(p.file); err == nil {
		return p
	}
	via := fmt.Sprintf("%s:%d", shortToolchainPath(p.file), p.rng.Start.Line)
	p.file, p.rng = c.fallback()
	p.related, p.via, p.exact = nil, via, false
	return p
}

// funcAt is a code address: a section and an offset in it.
type funcAt struct {
	sec int
	off uint64
}

// addressTaken lists the code addresses the object stores or computes
// rather than branches to: absolute pointers in data (vtables, statics
// holding callbacks), and in code the 32-bit absolute and PC-relative
// forms (mov $f, lea f(%rip)) that are not a call or jmp's operand. Unwind
// and debug sections point at every function and are left out. A reference
// within one section has no relocation (the assembler resolved it), which
// costs nothing for rustc's objects: every function has its own section.
func (c *checker) addressTaken() map[funcAt]bool {
	taken := map[funcAt]bool{}
	for _, rs := range c.o.relas {
		t := rs.target
		if t.Flags&elf.SHF_ALLOC == 0 || t.Name == ".eh_frame" || t.Type == elf.SHT_NOTE {
			continue
		}
		exec := t.Flags&elf.SHF_EXECINSTR != 0
		var code []byte
		if exec {
			code, _ = c.o.sectionBytes(t)
		}
		for _, r := range rs.entries {
			sym := c.o.syms[r.sym]
			if sym.Section == elf.SHN_UNDEF || int(sym.Section) >= len(c.o.f.Sections) {
				continue
			}
			target := int64(sym.Value) + r.addend
			switch r.typ {
			case elf.R_X86_64_64:
			case elf.R_X86_64_32, elf.R_X86_64_32S:
				if !exec {
					continue
				}
			case elf.R_X86_64_PC32:
				if !exec || isBranchOperand(code, r.off) {
					continue
				}
				target += 4 // the field is the instruction's last four bytes
			default:
				continue
			}
			if target >= 0 {
				taken[funcAt{int(sym.Section), uint64(target)}] = true
			}
		}
	}
	return taken
}

// isBranchOperand tells whether the 4-byte field at off is the target of a
// call, jmp or conditional jump rather than an address the code uses.
func isBranchOperand(code []byte, off uint64) bool {
	if off < 1 || off > uint64(len(code)) {
		return false
	}
	if op := code[off-1]; op == 0xe8 || op == 0xe9 {
		return true
	}
	return off >= 2 && code[off-2] == 0x0f && code[off-1]&0xf0 == 0x80
}
