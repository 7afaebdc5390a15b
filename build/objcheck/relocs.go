package objcheck

import (
	"debug/elf"
	"fmt"

	"github.com/rustko/rustko-lsp/diagnostics"
)

// relocations reports relocations in loaded sections that the module loader
// rejects: GOT-relative ones left over after RelaxGOT, and any other type
// apply_relocate_add does not know. Debug sections are never relocated by
// the loader and are skipped.
func (c *checker) relocations() {
	for _, rs := range c.o.relas {
		if rs.target.Flags&elf.SHF_ALLOC == 0 {
			continue
		}
		sec := int(rs.sec.Info)
		for _, r := range rs.entries {
			if loaderAccepts(r.typ) {
				continue
			}
			p := c.placeOf(sec, r.off)
			sym := Demangle(c.o.symName(r.sym))
			var code, msg string
			if isGOTReloc(r.typ) {
				code = CodeGOT
				msg = fmt.Sprintf("%s against `%s` in %s (%s+%#x) needs a global offset table, which kernel modules do not have: "+
					"insmod fails with \"Unknown rela relocation: %d\". rustko relaxes these in host mode; "+
					"this one could not be (see the build log), or the object was not fixed up",
					r.typ, sym, c.funcName(sec, r.off), rs.target.Name, r.off, uint32(r.typ))
			} else {
				code = CodeRelocation
				msg = fmt.Sprintf("%s against `%s` in %s (%s+%#x) is a relocation the kernel's module loader does not support: "+
					"insmod fails with \"Unknown rela relocation: %d\". Build with -C relocation-model=static and -C code-model=kernel, "+
					"and no thread-locals",
					r.typ, sym, c.funcName(sec, r.off), rs.target.Name, r.off, uint32(r.typ))
			}
			if p.via != "" {
				msg += " (the code comes from " + p.via + ")"
			}
			c.add(diagnostics.Finding{File: p.file, Range: p.rng, Code: code, Message: msg, Related: p.related})
		}
	}
}
