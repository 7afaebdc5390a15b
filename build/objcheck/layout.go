package objcheck

import (
	"debug/elf"
	"fmt"
)

// layout gives every allocated section of a relocatable object its own
// address range. In a .o file each function section starts at address 0, so
// DWARF addresses only mean something after relocation; relocating the debug
// sections against this layout makes a (section, offset) pair and a DWARF
// address interchangeable.
type layout struct {
	base map[int]uint64 // section index -> synthetic address
}

// layoutStart keeps address 0 meaning "unrelocated" in DWARF.
const layoutStart = 0x1000

func newLayout(f *elf.File) (*layout, error) {
	l := &layout{base: map[int]uint64{}}
	cur := uint64(layoutStart)
	for i, s := range f.Sections {
		if s.Flags&elf.SHF_ALLOC == 0 {
			continue
		}
		align := max(s.Addralign, 16)
		if align&(align-1) != 0 {
			return nil, fmt.Errorf("section %s has alignment %d, which is not a power of two", s.Name, s.Addralign)
		}
		cur = (cur + align - 1) &^ (align - 1)
		l.base[i] = cur
		// Empty sections still get a distinct address so that a symbol in
		// one is never mistaken for the start of the next.
		cur += max(s.Size, 1)
		// DWARF 4 in 32-bit objects and R_X86_64_32 against text both need
		// addresses below 4 GiB.
		if cur >= 1<<32 {
			return nil, fmt.Errorf("allocated sections total more than 4 GiB; the object is not a kernel module part")
		}
	}
	return l, nil
}

// addr is the synthetic address of offset off in section sec (false for
// sections that are not allocated).
func (l *layout) addr(sec int, off uint64) (uint64, bool) {
	b, ok := l.base[sec]
	return b + off, ok
}

// symValue is S in the ELF relocation formulas under this layout.
func (l *layout) symValue(s elf.Symbol) uint64 {
	if b, ok := l.base[int(s.Section)]; ok {
		return b + s.Value
	}
	return s.Value // absolute, undefined (0) or in a non-allocated section
}
