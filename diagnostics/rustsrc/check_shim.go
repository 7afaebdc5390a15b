package rustsrc

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/diagnostics/rustsrc/internal/syntax"
)

// checkShimSignatures compares the Rust functions the C shim declares (C
// calls Rust: `long rust_take(int, char *);` in module.c against
// `#[no_mangle] extern "C" fn rust_take(...)`) with their C prototype.
// Nothing checks this at build time: C and Rust are compiled apart and the
// linker only matches names, so a wrong width or a missing return value
// is read as garbage at run time.
func (a *analysis) checkShimSignatures() {
	for _, fn := range a.syms.noMangle {
		if a.inTest(fn) {
			continue
		}
		name := fn.ChildByField("name")
		if name == nil {
			continue
		}
		p, ok := a.env.shim.protos[name.Text()]
		if !ok || p.Defined {
			continue // a C definition too is the linker's duplicate symbol
		}
		a.shimMismatch(fn, name, p, "C declares it")
	}
}

// shimExtern compares a hand-written extern "C" declaration with the C
// shim's definition of the function (Rust calls C).
func (a *analysis) shimExtern(r *cRef) {
	p, ok := a.env.shim.protos[r.Name]
	decl := r.extern.item
	if !ok || !p.Defined || decl.Kind != "function_signature_item" {
		return
	}
	a.shimMismatch(decl, decl.ChildByField("name"), p, "C defines it")
}

// shimMismatch compares a Rust function (or extern declaration) with the C
// shim's prototype of it and reports how they differ.
func (a *analysis) shimMismatch(item, name *syntax.Node, p cProto, verb string) {
	params := item.ChildByField("parameters")
	if params == nil || name == nil {
		return
	}
	rustParams, variadic := rustParamsOf(params)
	problems, ms := a.compareSig(rustParams, variadic, item.ChildByField("return_type"), p.Params, p.Result, p.Variadic)
	if len(problems) == 0 {
		return
	}
	rng := rangeOf(name)
	switch {
	case len(ms) > 0 && ms[0].node != nil && len(problems) == len(ms):
		rng = rangeOf(ms[0].node)
	case len(rustParams) != len(p.Params):
		rng = rangeOf(params)
	}
	rustSig := item.Text()
	if body := item.ChildByField("body"); body != nil {
		rustSig = string(a.f.Src[item.Start:body.Start])
	}
	rustSig = strings.Join(strings.Fields(strings.TrimSuffix(rustSig, ";")), " ")
	f := a.add(diagnostics.CodeSignatureMismatch, diagnostics.Error, rng, fmt.Sprintf(
		"`%s` does not match the C shim's prototype (%s:%d): %s.\n  C:    %s\n  Rust: %s",
		name.Text(), a.relPath(p.File), p.Range.Start.Line, strings.Join(problems, "; "), p.Text, rustSig))
	f.Related = append(f.Related, diagnostics.Related{File: p.File, Range: p.Range, Message: fmt.Sprintf("%s here: %s", verb, p.Text)})
	if fix, ok := a.signatureFix(ms, params); ok && len(problems) == len(ms) {
		f.Fixes = append(f.Fixes, fix)
	}
}

// relPath shows a module file relative to the module root.
func (a *analysis) relPath(p string) string {
	if a.env.Module != nil {
		if r, err := filepath.Rel(a.env.Module.Root, p); err == nil && !strings.HasPrefix(r, "..") {
			return r
		}
	}
	return p
}
