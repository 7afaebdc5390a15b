package rustsrc

import (
	"fmt"
	"path/filepath"

	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/diagnostics/rustsrc/internal/syntax"
)

// checkMissingExternC finds #[no_mangle] functions the module's C code
// calls although they use the Rust calling convention (rust.ko's
// `#[no_mangle] pub fn rust_main`): it works by accident until the ABIs
// differ (arguments, return values, unwinding).
func (a *analysis) checkMissingExternC() {
	for _, fn := range a.syms.noMangle {
		if a.inTest(fn) || hasCABI(fn) {
			continue
		}
		name := fn.ChildByField("name")
		if name == nil {
			continue
		}
		uses := a.env.shim.uses[name.Text()]
		if len(uses) == 0 {
			if kernelEntry[name.Text()] {
				a.kernelEntryNotC(fn, name)
			}
			continue
		}
		use := uses[0]
		rel := use.File
		if a.env.Module != nil {
			if r, err := filepath.Rel(a.env.Module.Root, use.File); err == nil {
				rel = r
			}
		}
		f := a.add(diagnostics.CodeMissingExternC, diagnostics.Error, rangeOf(name), fmt.Sprintf(
			"`%s` is #[no_mangle] and the C code calls it (%s:%d), but it is not extern \"C\": it uses Rust's calling convention, "+
				"which C cannot rely on. Declare it `extern \"C\" fn %s`.", name.Text(), rel, use.Range.Start.Line, name.Text()))
		f.Related = append(f.Related, diagnostics.Related{File: use.File, Range: use.Range, Message: "called from C here"})
		if decl, ok := a.env.shim.declares[name.Text()]; ok {
			f.Related = append(f.Related, diagnostics.Related{File: decl.File, Range: decl.Range, Message: "declared in C here"})
		}
		a.externCFix(f, fn)
	}
}

// externCFix offers to write extern "C" before the fn keyword.
func (a *analysis) externCFix(f *diagnostics.Finding, fn *syntax.Node) {
	if kw := fn.FirstChild("fn"); kw != nil {
		f.Fixes = append(f.Fixes, a.replaceFix("Make it extern \"C\"", diagnostics.Point(kw.Line, kw.Col), `extern "C" `, true))
	}
}

// hasCABI says whether a function item is declared extern "C" (or
// "system", or a bare extern).
func hasCABI(fn *syntax.Node) bool {
	mods := fn.FirstChild("function_modifiers")
	return mods != nil && mods.FirstChild("extern_modifier") != nil && isCABI(mods)
}

// kernelEntry are the functions the kernel itself calls in a module that
// defines them without module_init/module_exit (a Rust-only rust.ko module).
var kernelEntry = map[string]bool{"init_module": true, "cleanup_module": true}

func (a *analysis) kernelEntryNotC(fn, name *syntax.Node) {
	f := a.add(diagnostics.CodeMissingExternC, diagnostics.Error, rangeOf(name), fmt.Sprintf(
		"`%s` is called by the kernel when the module is %s, with C's calling convention, but it is not extern \"C\": "+
			"declare it `extern \"C\" fn %s`.", name.Text(), map[string]string{"init_module": "loaded", "cleanup_module": "unloaded"}[name.Text()], name.Text()))
	a.externCFix(f, fn)
}
