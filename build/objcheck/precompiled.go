package objcheck

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/rustko/rustko-lsp/diagnostics"
)

// precompiledHits gathers the mitigation findings about functions whose code
// comes from the toolchain's precompiled libraries (host mode: the core and
// alloc functions fat LTO kept whole), by code. The module cannot change
// them, and they have no line of its own: one finding per kind says how many
// and which, instead of a finding per function on the crate's first line
// (ten for examples/hello on 6.12).
type precompiledHits map[string][]string

func (h *precompiledHits) add(code, fn, via string) {
	if *h == nil {
		*h = precompiledHits{}
	}
	(*h)[code] = append((*h)[code], fmt.Sprintf("%s (%s)", fn, via))
}

// precompiledWording is what the summary of one code says the functions do.
var precompiledWording = map[string]struct {
	one, many, why, fix string
	severity            diagnostics.Severity
}{
	CodeBareReturn: {"returns with a bare `ret`", "return with a bare `ret`", bareReturnWhy, bareReturnFix, diagnostics.Warning},
	CodeIndirectBranch: {"makes an indirect call or jump", "make indirect calls or jumps", indirectBranchWhy, indirectBranchFix,
		diagnostics.Warning},
	CodeEndbr: {"can be reached by an indirect branch but does not start with endbr64",
		"can be reached by an indirect branch but do not start with endbr64", endbrWhy, endbrFix, diagnostics.Error},
}

// maxPrecompiledNamed bounds the functions a summary lists by name.
const maxPrecompiledNamed = 3

// reportPrecompiled adds the summaries, at the crate root.
func (c *checker) reportPrecompiled() {
	for _, code := range slices.Sorted(maps.Keys(c.precompiled)) {
		fns := c.precompiled[code]
		w := precompiledWording[code]
		subject := fmt.Sprintf("%d functions of the toolchain's precompiled libraries %s", len(fns), w.many)
		if len(fns) == 1 {
			subject = "1 function of the toolchain's precompiled libraries " + w.one
		}
		named := strings.Join(fns[:min(len(fns), maxPrecompiledNamed)], ", ")
		if len(fns) > maxPrecompiledNamed {
			named += fmt.Sprintf(" and %d more", len(fns)-maxPrecompiledNamed)
		}
		file, rg := c.fallback()
		c.add(diagnostics.Finding{File: file, Range: rg, Severity: w.severity, Code: code,
			Message: fmt.Sprintf("%s, but %s: %s. %s, and host mode links core and alloc as the toolchain built them, "+
				"without it: prefer rust-src mode (a toolchain with rust-src; rustko then builds core with the kernel's flags)",
				subject, w.why, named, w.fix)})
	}
}
