package objcheck

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"os"
)

// relaEntSize is sizeof(Elf64_Rela): r_offset, r_info, r_addend.
const relaEntSize = 24

// object is a relocatable ELF file held in memory so that RelaxGOT can patch
// instruction bytes and relocation entries in place and write the file back
// whole, and so Check can decode sections without reopening the file.
type object struct {
	path string
	data []byte
	f    *elf.File
	// syms is indexed by ELF symbol index: syms[0] is the null symbol that
	// debug/elf's Symbols leaves out, so r_info's symbol index works as is.
	syms  []elf.Symbol
	relas []relaSection
}

// rela is one decoded Elf64_Rela plus where it lives in the file.
type rela struct {
	index  int    // entry index within its section
	off    uint64 // r_offset: byte offset in the target section
	sym    uint32 // symbol index
	typ    elf.R_X86_64
	addend int64
}

// relaSection is a SHT_RELA section and the section its entries patch.
type relaSection struct {
	sec     *elf.Section
	target  *elf.Section
	entries []rela
}

func openObject(path string) (*object, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading object: %w", err)
	}
	return parseObject(path, data)
}

// parseObject validates that data is an x86_64 ELF64 relocatable and decodes
// its symbols and relocations. Every offset read from the file is bounds
// checked: the object may be truncated or hostile.
func parseObject(path string, data []byte) (*object, error) {
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: not a readable ELF object: %w", path, err)
	}
	switch {
	case f.Class != elf.ELFCLASS64 || f.Data != elf.ELFDATA2LSB || f.Machine != elf.EM_X86_64:
		return nil, fmt.Errorf("%s: is %s %s %s, want a 64-bit little-endian x86_64 object (rustko only builds x86_64 modules)",
			path, f.Class, f.Data, f.Machine)
	case f.Type != elf.ET_REL:
		return nil, fmt.Errorf("%s: is %s, want a relocatable object (ET_REL) as rustc --emit obj writes", path, f.Type)
	}
	o := &object{path: path, data: data, f: f}
	syms, err := f.Symbols()
	if err != nil && err != elf.ErrNoSymbols {
		return nil, fmt.Errorf("%s: reading the symbol table: %w", path, err)
	}
	o.syms = append([]elf.Symbol{{}}, syms...)
	for _, s := range f.Sections {
		if s.Type == elf.SHT_REL {
			return nil, fmt.Errorf("%s: section %s uses REL relocations without addends, which x86_64 objects never do; the object is not from rustc or gcc",
				path, s.Name)
		}
		if s.Type != elf.SHT_RELA {
			continue
		}
		rs, err := o.readRela(s)
		if err != nil {
			return nil, err
		}
		o.relas = append(o.relas, rs)
	}
	return o, nil
}

func (o *object) readRela(s *elf.Section) (relaSection, error) {
	rs := relaSection{sec: s}
	if int(s.Info) <= 0 || int(s.Info) >= len(o.f.Sections) {
		return rs, fmt.Errorf("%s: relocation section %s names section %d, which does not exist", o.path, s.Name, s.Info)
	}
	rs.target = o.f.Sections[s.Info]
	if s.Entsize != relaEntSize || s.Size%relaEntSize != 0 {
		return rs, fmt.Errorf("%s: relocation section %s has entry size %d and size %d, want multiples of %d",
			o.path, s.Name, s.Entsize, s.Size, relaEntSize)
	}
	if s.Offset > uint64(len(o.data)) || s.Size > uint64(len(o.data))-s.Offset {
		return rs, fmt.Errorf("%s: relocation section %s lies outside the file (truncated object?)", o.path, s.Name)
	}
	n := int(s.Size / relaEntSize)
	rs.entries = make([]rela, n)
	for i := range n {
		b := o.data[s.Offset+uint64(i)*relaEntSize:]
		info := binary.LittleEndian.Uint64(b[8:])
		r := rela{
			index:  i,
			off:    binary.LittleEndian.Uint64(b[0:]),
			sym:    uint32(info >> 32),
			typ:    elf.R_X86_64(uint32(info)),
			addend: int64(binary.LittleEndian.Uint64(b[16:])),
		}
		if int(r.sym) >= len(o.syms) {
			return rs, fmt.Errorf("%s: relocation %d in %s uses symbol %d, but the symbol table has %d entries",
				o.path, i, s.Name, r.sym, len(o.syms))
		}
		rs.entries[i] = r
	}
	return rs, nil
}

// writeRela encodes r back into its slot in the in-memory file.
func (o *object) writeRela(rs relaSection, r rela) {
	b := o.data[rs.sec.Offset+uint64(r.index)*relaEntSize:]
	binary.LittleEndian.PutUint64(b[0:], r.off)
	binary.LittleEndian.PutUint64(b[8:], uint64(r.sym)<<32|uint64(uint32(r.typ)))
	binary.LittleEndian.PutUint64(b[16:], uint64(r.addend))
}

// sectionBytes returns the file bytes of a PROGBITS section, aliasing o.data
// so that patches land in the file image.
func (o *object) sectionBytes(s *elf.Section) ([]byte, error) {
	if s.Type == elf.SHT_NOBITS {
		return nil, nil
	}
	if s.Flags&elf.SHF_COMPRESSED != 0 {
		return nil, fmt.Errorf("%s: section %s is compressed; rustko reads only uncompressed code sections", o.path, s.Name)
	}
	if s.Offset > uint64(len(o.data)) || s.Size > uint64(len(o.data))-s.Offset {
		return nil, fmt.Errorf("%s: section %s lies outside the file (truncated object?)", o.path, s.Name)
	}
	return o.data[s.Offset : s.Offset+s.Size], nil
}

// symName is the name of symbol i, or for a section symbol the section's
// name, which is what readelf shows and what a person can look up.
func (o *object) symName(i uint32) string {
	if int(i) >= len(o.syms) {
		return fmt.Sprintf("symbol#%d", i)
	}
	s := o.syms[i]
	if elf.ST_TYPE(s.Info) == elf.STT_SECTION && int(s.Section) < len(o.f.Sections) {
		return o.f.Sections[s.Section].Name
	}
	if s.Name == "" {
		return fmt.Sprintf("symbol#%d", i)
	}
	return s.Name
}
