package objcheck

import (
	"debug/elf"
	"fmt"
)

// Symbolizer maps `symbol+offset` (what a kernel backtrace prints for a
// module frame) to source lines through a .ko's symbol table and DWARF line
// table, with the same relocation and inlining logic the object checks use.
type Symbolizer struct {
	o     *object
	lay   *layout
	lines *lineInfo
	funcs map[string]elf.Symbol
}

// Location is one source position of a frame; a frame has several when code
// was inlined: the innermost (where the instruction's code was written)
// first, then each call site it was inlined into.
type Location struct {
	File string // as the compiler recorded it, made absolute when it knew the directory
	Line int
	Col  int
}

// NewSymbolizer reads a kernel module (or any x86_64 relocatable object).
// A module without DWARF still resolves symbols; its frames get no lines.
func NewSymbolizer(path string) (*Symbolizer, error) {
	o, err := openObject(path)
	if err != nil {
		return nil, err
	}
	lay, err := newLayout(o.f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	li, err := loadLineInfo(o, lay)
	if err != nil {
		return nil, err
	}
	s := &Symbolizer{o: o, lay: lay, lines: li, funcs: map[string]elf.Symbol{}}
	for _, sym := range o.syms[1:] {
		if sym.Section == elf.SHN_UNDEF || int(sym.Section) >= len(o.f.Sections) || sym.Name == "" {
			continue
		}
		t := elf.ST_TYPE(sym.Info)
		if t != elf.STT_FUNC && t != elf.STT_NOTYPE {
			continue
		}
		// A function symbol wins over a label of the same name.
		if prev, ok := s.funcs[sym.Name]; ok && elf.ST_TYPE(prev.Info) == elf.STT_FUNC {
			continue
		}
		s.funcs[sym.Name] = sym
	}
	return s, nil
}

// Has reports whether the module defines sym, i.e. whether a backtrace
// frame naming it is the module's code.
func (s *Symbolizer) Has(sym string) bool {
	_, ok := s.funcs[sym]
	return ok
}

// Resolve returns the inlining chain for offset off into function sym,
// innermost first; nil when the symbol is unknown or has no line.
func (s *Symbolizer) Resolve(sym string, off uint64) []Location {
	fs, ok := s.funcs[sym]
	if !ok {
		return nil
	}
	addr, ok := s.lay.addr(int(fs.Section), fs.Value+off)
	if !ok {
		return nil
	}
	var out []Location
	for _, l := range s.lines.locate(addr) {
		out = append(out, Location(l))
	}
	return out
}
