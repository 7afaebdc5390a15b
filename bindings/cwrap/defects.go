package cwrap

import (
	"strings"

	"modernc.org/cc/v4"
)

// kernelDefects are header functions that are wrong in the kernel itself:
// whatever calls them fails the same way, so nothing in the kernel does,
// and a helper would break the module build. Each is recognised by the
// text that makes it wrong, so a kernel that fixed it gets its helper.
var kernelDefects = []struct {
	name, asm, why string
}{{
	name: "x86_this_cpu_variable_test_bit",
	asm:  "btl %%gs:%2,%1",
	why:  `its inline asm gives btl the memory operand first, which the assembler rejects ("bad memory operand"); nothing in the kernel calls it`,
}}

// defect returns why a function cannot be compiled by anyone, or "".
func defect(name string, fd *cc.FunctionDefinition) string {
	for _, d := range kernelDefects {
		if d.name != name {
			continue
		}
		for _, t := range cc.NodeTokens(fd.CompoundStatement) {
			if t.Ch == rune(cc.STRINGLITERAL) && strings.Contains(t.SrcStr(), d.asm) {
				return d.why
			}
		}
	}
	return ""
}
