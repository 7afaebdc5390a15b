package build

import (
	"os"
	"slices"
	"strings"

	"github.com/rustko/rustko-lsp/diagnostics"
)

// What rustc says when a no_std crate links no panic handler or no global
// allocator: the rustko crate gives both, but rustc links a dependency only
// when the code names it, so a module that stops using the crate's macros
// loses them too.
var runtimeItemsMissing = []string{
	"`#[panic_handler]` function required, but not found",
	"no global memory allocator found but one is required",
}

// useRustko is the line that names the crate for its side effects alone.
const useRustko = "use rustko as _; // links the rustko crate: its panic handler and allocator"

// explainUnlinkedRuntime adds, to rustc's errors about a missing panic
// handler or allocator in a module that depends on the rustko crate, why,
// and a quick fix that names the crate in the crate root.
func explainUnlinkedRuntime(res *cargoResult) {
	if res.Runtime == "" {
		return // the module does not depend on the crate: its own handler went
	}
	for i := range res.Findings {
		f := &res.Findings[i]
		if f.Source != diagnostics.SourceRustc || !slices.ContainsFunc(runtimeItemsMissing, func(p string) bool { return strings.HasPrefix(f.Message, p) }) {
			continue
		}
		f.Message += "\nrustko: the rustko crate (a dependency in Cargo.toml) has them, but rustc links a dependency " +
			"only when the code names it; `use rustko as _;` in the crate root names it"
		if e, ok := useRustkoEdit(f.File); ok {
			f.Fixes = append(f.Fixes, diagnostics.Fix{Title: "Add `use rustko as _;`", Edits: []diagnostics.Edit{e}, Preferred: true})
		}
	}
}

// useRustkoEdit inserts useRustko into the crate root after its inner doc
// comments and attributes (#![no_std] must stay first). A file this
// does not understand (an inner attribute over several lines) gets no edit.
func useRustkoEdit(crateRoot string) (diagnostics.Edit, bool) {
	src, err := os.ReadFile(crateRoot)
	if err != nil {
		return diagnostics.Edit{}, false
	}
	at := 0 // the line the use goes before, 0-based
scan:
	for i, l := range strings.Split(string(src), "\n") {
		t := strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(t, "#!["):
			if !strings.HasSuffix(t, "]") {
				return diagnostics.Edit{}, false
			}
			at = i + 1
		case strings.HasPrefix(t, "//!"): // inner doc comments must come first too
			at = i + 1
		case t == "" || strings.HasPrefix(t, "//"):
		default:
			break scan
		}
	}
	return diagnostics.Edit{File: crateRoot, Range: diagnostics.Point(at+1, 1), NewText: useRustko + "\n"}, true
}
