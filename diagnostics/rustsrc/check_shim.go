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
		name, params := fn.ChildByField("name"), fn.ChildByField("parameters")
		if name == nil || params == nil {
			continue
		}
		p, ok := a.env.shim.protos[name.Text()]
		if !ok || p.Defined {
			continue // a C definition too is the linker's duplicate symbol
		}
		rustParams, variadic := rustParamsOf(params)
		problems, ms := a.compareSig(rustParams, variadic, fn.ChildByField("return_type"), p.Params, p.Result, p.Variadic)
		a.shimMismatch(fn, name, params, rustParams, p, problems, ms, "C declares it")
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
	params := decl.ChildByField("parameters")
	if params == nil {
		return
	}
	rustParams, variadic := rustParamsOf(params)
	problems, ms := a.compareSig(rustParams, variadic, decl.ChildByField("return_type"), p.Params, p.Result, p.Variadic)
	a.shimMismatch(decl, decl.ChildByField("name"), params, rustParams, p, problems, ms, "C defines it")
}

func (a *analysis) shimMismatch(item, name, params *syntax.Node, rustParams []*syntax.Node, p cProto, problems []string, ms []mismatch, verb string) {
	if len(problems) == 0 || name == nil {
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
