package objcheck

import (
	"debug/elf"
	"errors"
	"fmt"
	"os"

	"golang.org/x/arch/x86/x86asm"

	"github.com/rustko/rustko-lsp/internal/safewrite"
)

// RelaxGOT rewrites every GOT-relative relocation in the x86_64 ELF
// relocatable at path the way a static linker relaxes them, so that the
// kernel's module loader (which knows no GOT) accepts the object:
//
//	ff 15 <GOTPCREL>        call *sym@GOTPCREL(%rip)  ->  67 e8 <PLT32>  addr32 call sym
//	ff 25 <GOTPCREL>        jmp  *sym@GOTPCREL(%rip)  ->  e9 <PLT32> 90  jmp sym; nop
//	[REX] 8b /r <GOTPCREL>  mov sym@GOTPCREL(%rip),r  ->  [REX] 8d /r <PC32>  lea sym(%rip),r
//
// Host-mode objects need it because core's bitcode asks for runtime calls
// (memcpy, memset) through the GOT. The file is rewritten only when every GOT
// relocation could be relaxed; otherwise it is left untouched and the error
// names each symbol, section and offset that could not be.
func RelaxGOT(path string) error {
	o, err := openObject(path)
	if err != nil {
		return fmt.Errorf("relaxing GOT relocations: %w", err)
	}
	n, err := o.relaxGOT()
	if err != nil {
		return fmt.Errorf("relaxing GOT relocations in %s: %w", path, err)
	}
	if n == 0 {
		return nil
	}
	// Atomic, so that a crash or a cancelled build never leaves a
	// half-written object for kbuild to link.
	st, err := os.Stat(path)
	if err == nil {
		err = safewrite.Atomic(path, o.data, st.Mode().Perm())
	}
	if err != nil {
		return fmt.Errorf("relaxing GOT relocations in %s: %w", path, err)
	}
	return nil
}

// relaxGOT patches o.data and returns how many relocations it rewrote.
func (o *object) relaxGOT() (int, error) {
	var errs []error
	var funcs funcIndex // built only to name functions in errors
	n := 0
	for _, rs := range o.relas {
		var code []byte
		for _, r := range rs.entries {
			if !isGOTReloc(r.typ) {
				continue
			}
			if code == nil {
				var err error
				if code, err = o.sectionBytes(rs.target); err != nil {
					return 0, err
				}
			}
			nr, err := relaxOne(code, r)
			if err != nil {
				if funcs == nil {
					funcs = newFuncIndex(o)
				}
				where := ""
				if fn := funcs.at(int(rs.sec.Info), r.off); fn != "" {
					where = " in " + Demangle(fn)
				}
				errs = append(errs, fmt.Errorf("%s+%#x%s (%s against %q): %w",
					rs.target.Name, r.off, where, r.typ, o.symName(r.sym), err))
				continue
			}
			o.writeRela(rs, nr)
			n++
		}
	}
	if len(errs) > 0 {
		return 0, fmt.Errorf("%d GOT relocation(s) cannot be relaxed, object left unchanged:\n%w", len(errs), errors.Join(errs...))
	}
	return n, nil
}

// relaxOne rewrites the instruction in code that r's GOTPCREL field belongs
// to and returns the relocation to store instead. The addend stays as it is:
// in every form below the 32-bit field still ends where the instruction (not
// counting the padding nop) ends, which is what the -4 accounts for.
func relaxOne(code []byte, r rela) (rela, error) {
	switch r.typ {
	case elf.R_X86_64_GOTPCREL, elf.R_X86_64_GOTPCRELX, elf.R_X86_64_REX_GOTPCRELX:
	default:
		return r, fmt.Errorf("only GOTPCREL, GOTPCRELX and REX_GOTPCRELX can be relaxed")
	}
	if r.addend != -4 {
		return r, fmt.Errorf("addend is %d, but a relaxable call, jmp or mov has its 32-bit displacement last (addend -4)", r.addend)
	}
	if r.off < 2 || r.off > uint64(len(code)) || uint64(len(code))-r.off < 4 {
		return r, fmt.Errorf("offset is outside the section's %d bytes or leaves no room for an opcode", len(code))
	}
	off := int(r.off)
	op, modrm := code[off-2], code[off-1]
	nr := r
	switch {
	case op == 0xff && modrm == 0x15: // call *disp32(%rip)
		if err := verifyInst(code, off-2, off+4, x86asm.CALL); err != nil {
			return r, err
		}
		// The addr32 prefix pads the 5-byte direct call to the original 6
		// bytes, as GNU ld does; the CPU ignores it on a rel32 call.
		code[off-2], code[off-1] = 0x67, 0xe8
		nr.typ = elf.R_X86_64_PLT32
	case op == 0xff && modrm == 0x25: // jmp *disp32(%rip)
		if err := verifyInst(code, off-2, off+4, x86asm.JMP); err != nil {
			return r, err
		}
		// A trailing nop rather than a prefix: it is never executed, and
		// nothing may precede a tail jump's opcode that changes its meaning.
		disp := [4]byte(code[off : off+4])
		code[off-2] = 0xe9
		copy(code[off-1:off+3], disp[:])
		code[off+3] = 0x90
		nr.off = r.off - 1
		nr.typ = elf.R_X86_64_PLT32
	case op == 0x8b && modrm&0xc7 == 0x05: // mov disp32(%rip), %reg
		// Only the opcode byte changes, so a REX prefix matters just for
		// checking the instruction; REX_GOTPCRELX promises one.
		start := off - 2
		if r.typ == elf.R_X86_64_REX_GOTPCRELX {
			if start == 0 || code[start-1]&0xf0 != 0x40 {
				return r, fmt.Errorf("REX_GOTPCRELX on a mov without a REX prefix (bytes % x)", code[off-2:off])
			}
			start--
		}
		if err := verifyInst(code, start, off+4, x86asm.MOV); err != nil {
			return r, err
		}
		code[off-2] = 0x8d
		nr.typ = elf.R_X86_64_PC32
	default:
		return r, fmt.Errorf("instruction bytes % x before the displacement are not call *, jmp * or mov from the GOT; "+
			"only those can be relaxed (a linker would keep the GOT, which the kernel's module loader rejects)", code[off-2:off])
	}
	return nr, nil
}

// verifyInst decodes the instruction the byte patterns above matched and
// checks that it really is the expected one ending at end, with a
// RIP-relative memory operand, so a coincidental byte pattern is refused.
func verifyInst(code []byte, start, end int, want x86asm.Op) error {
	inst, err := x86asm.Decode(code[start:end], 64)
	if err != nil {
		return fmt.Errorf("bytes % x do not decode as an instruction: %w", code[start:end], err)
	}
	if inst.Op != want || inst.Len != end-start {
		return fmt.Errorf("bytes % x decode as %q, not a %d-byte %s", code[start:end],
			x86asm.GNUSyntax(inst, 0, nil), end-start, want)
	}
	for _, a := range inst.Args {
		if m, ok := a.(x86asm.Mem); ok && m.Base == x86asm.RIP {
			return nil
		}
	}
	return fmt.Errorf("%q has no RIP-relative operand", x86asm.GNUSyntax(inst, 0, nil))
}

// isGOTReloc reports relocation types that need a global offset table,
// which a kernel module never has.
func isGOTReloc(t elf.R_X86_64) bool {
	switch t {
	case elf.R_X86_64_GOT32, elf.R_X86_64_GOTPCREL, elf.R_X86_64_GOTOFF64, elf.R_X86_64_GOTPC32,
		elf.R_X86_64_GOT64, elf.R_X86_64_GOTPCREL64, elf.R_X86_64_GOTPC64, elf.R_X86_64_GOTPLT64,
		elf.R_X86_64_GOTPCRELX, elf.R_X86_64_REX_GOTPCRELX:
		return true
	}
	return false
}

// loaderAccepts mirrors apply_relocate_add in the kernel's
// arch/x86/kernel/module.c: anything else makes insmod fail with
// "Unknown rela relocation".
func loaderAccepts(t elf.R_X86_64) bool {
	switch t {
	case elf.R_X86_64_NONE, elf.R_X86_64_64, elf.R_X86_64_32, elf.R_X86_64_32S,
		elf.R_X86_64_PC32, elf.R_X86_64_PLT32, elf.R_X86_64_PC64:
		return true
	}
	return false
}
