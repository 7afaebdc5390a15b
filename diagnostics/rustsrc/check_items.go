package rustsrc

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/rustko/rustko-lsp/bindings/headerscan"
	"github.com/rustko/rustko-lsp/bindings/index"
	"github.com/rustko/rustko-lsp/bindings/verdict"
	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/module"
)

// checkRefs judges every use of a C item: can the module link it at all?
func (a *analysis) checkRefs() {
	for i := range a.refs {
		r := &a.refs[i]
		if a.inTest(r.node) {
			continue
		}
		switch r.role {
		case roleImport:
			if r.Item == nil {
				a.notDeclared(r)
			}
			continue
		case roleDecl:
			continue // checkExternDecls
		}
		if r.Item == nil {
			// An unknown imported name was reported at its use declaration.
			if r.Via == viaPath {
				a.notDeclared(r)
			}
			continue
		}
		a.checkItemUse(r)
	}
}

func (a *analysis) checkItemUse(r *cRef) {
	it := r.Item
	if r.Via == viaExtern && a.hasNoSymbol(it) {
		return // reported at the extern declaration
	}
	if it.Kind == index.InlineFunction && a.linkable(it) {
		a.exportedInline(r)
		return
	}
	if r.Via != viaExtern && a.notInBindings(it) {
		a.notSelected(r)
		return
	}
	switch it.Kind {
	case index.InlineFunction:
		a.inlineFunction(r)
	case index.FunctionMacro:
		a.functionMacro(r)
	case index.Macro:
		if it.Value == "" {
			a.macroWithoutValue(r)
		}
	case index.Function, index.Variable:
		a.exportStatus(r)
	}
}

// where describes an item's header position for messages: linux/slab.h:581.
func (a *analysis) where(it *index.Item) string {
	if it.Pos.File == "" {
		return ""
	}
	return fmt.Sprintf("%s:%d", includeName(it.Pos.File), it.Pos.Line)
}

// includeName shortens an absolute header path to what #include names.
func includeName(p string) string {
	p = filepath.ToSlash(p)
	for _, marker := range []string{"/include/generated/uapi/", "/include/generated/", "/include/uapi/", "/include/"} {
		if i := strings.LastIndex(p, marker); i >= 0 {
			return p[i+len(marker):]
		}
	}
	return filepath.Base(p)
}

func (a *analysis) declaredHere(f *diagnostics.Finding, it *index.Item) {
	if it.Pos.File == "" || it.Pos.Line == 0 {
		return
	}
	col := max(it.Pos.Column, 1)
	f.Related = append(f.Related, diagnostics.Related{
		File: it.Pos.File, Range: diagnostics.Point(it.Pos.Line, col),
		Message: fmt.Sprintf("`%s` is declared here: %s", it.Name, clipLine(it.Decl)),
	})
}

func clipLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 120 {
		return s[:117] + "..."
	}
	return s
}

// linkable says whether the kernel exports a symbol of the item's name, so
// a call links whatever the header does with the name: CONFIG_FORTIFY_SOURCE
// defines strncpy, strlen and memcpy as gnu_inline wrappers (an inline body
// for the compiler, the exported function for the linker).
func (a *analysis) linkable(it *index.Item) bool {
	switch a.export(it.Name, it) {
	case index.Exported, index.GPLOnly:
		return true
	}
	return false
}

// exportedInline is the use of an exported function whose header gives it
// an inline definition (FORTIFY's gnu_inline wrappers): a hand-written
// extern declaration links against the export; through the bindings it
// works when the generator declared it, and otherwise the advice is that
// declaration, never "static inline" or a header to add.
func (a *analysis) exportedInline(r *cRef) {
	it := r.Item
	if r.Via == viaExtern || it.Rust != "" {
		a.exportStatus(r)
		return
	}
	f := a.add(diagnostics.CodeNotDeclared, diagnostics.Error, r.Range, fmt.Sprintf(
		"`%s` is an exported function, but %s gives it an inline definition (CONFIG_FORTIFY_SOURCE's gnu_inline wrapper), so the bindings "+
			"leave it out: declare it in an extern \"C\" block (%s), which links against the export.",
		it.Name, a.where(it), clipLine(strings.TrimPrefix(it.Decl, "extern "))))
	a.declaredHere(f, it)
	if a.export(it.Name, it) == index.GPLOnly {
		a.gplOnly(r)
	}
}

// inlineFunction is a use of a static inline function that the kernel does
// not export, through the bindings: through a hand-written extern
// declaration it is noSymbolDecl's, reported at the declaration.
func (a *analysis) inlineFunction(r *cRef) {
	it := r.Item
	name := it.Name
	if a.env.helpers[name] {
		// Listed, but the generator may have refused it (variadic,
		// constant arguments, an unexported callee): say why, since the
		// call still cannot link.
		if it.Verdict != nil && it.Verdict.Class == index.VerdictNoHelper {
			f := a.add(diagnostics.CodeInlineFunction, diagnostics.Error, r.Range, fmt.Sprintf(
				"`%s` is listed in KERNEL_HELPERS but no helper can wrap it: %s", name, it.Verdict.Advice))
			a.declaredHere(f, it)
		}
		return
	}
	f := a.add(diagnostics.CodeInlineFunction, diagnostics.Error, r.Range, fmt.Sprintf(
		"`%s` is a static inline function (%s) with no symbol to link: add %s to KERNEL_HELPERS in config.mk so rustko generates a C wrapper for it.",
		name, a.where(it), name))
	f.Fixes = a.listFix("Add "+name+" to KERNEL_HELPERS", "KERNEL_HELPERS", name)
	a.declaredHere(f, it)
}

func (a *analysis) functionMacro(r *cRef) {
	it := r.Item
	v := a.env.verdict(it)
	advice := "it has no symbol Rust can call."
	if v != nil {
		advice = v.Advice
	}
	f := a.add(diagnostics.CodeFunctionMacro, diagnostics.Error, r.Range, fmt.Sprintf("`%s` is a function-like macro (%s), not a function: %s", it.Name, a.where(it), advice))
	a.declaredHere(f, it)
	if v == nil || v.Target == "" {
		return
	}
	switch v.Class {
	case verdict.ClassExportedCall:
		// Only here is the rename alone right: same arguments. An idiom
		// (pr_info's level prefix) or an explicit key needs the author.
		if t := a.env.item(v.Target, false); t != nil && t.Kind == index.Function {
			f.Fixes = append(f.Fixes, a.replaceFix("Call "+v.Target+" instead", r.Range, v.Target, true))
		}
	case verdict.ClassInline:
		f.Fixes = append(f.Fixes, a.helperAndRename(r, v.Target, v.Target)...)
	}
}

// helperAndRename is the fix for a macro over an inline function: list the
// function in KERNEL_HELPERS and call it instead.
func (a *analysis) helperAndRename(r *cRef, helper, replacement string) []diagnostics.Fix {
	fix := a.replaceFix(fmt.Sprintf("Call %s (added to KERNEL_HELPERS)", helper), r.Range, replacement, true)
	if !a.env.helpers[helper] {
		cfg := a.env.configFile()
		if cfg == "" {
			return nil
		}
		e, err := module.ListVarEdit(cfg, "KERNEL_HELPERS", helper)
		if err != nil {
			return nil
		}
		fix.Edits = append(fix.Edits, ConfigEdit(e))
	}
	return []diagnostics.Fix{fix}
}

func (a *analysis) macroWithoutValue(r *cRef) {
	it := r.Item
	v := a.env.verdict(it)
	reason := it.Why
	if v != nil {
		reason = v.Advice
	}
	if reason == "" {
		reason = "it does not evaluate to a constant."
	}
	f := a.add(diagnostics.CodeMacroWithoutValue, diagnostics.Error, r.Range, fmt.Sprintf("`%s` is a macro with no value the bindings could give it (%s): %s", it.Name, a.where(it), reason))
	a.declaredHere(f, it)
	if v != nil && v.Class == verdict.ClassInline && v.Target != "" {
		f.Fixes = a.helperAndRename(r, v.Target, v.Target+"()")
	}
}

// export is a symbol's export status: the index's, else Module.symvers's.
func (a *analysis) export(name string, it *index.Item) index.Export {
	if it != nil && it.Export != index.ExportUnknown {
		return it.Export
	}
	if a.env.Symvers == nil {
		return index.ExportUnknown
	}
	e, ok := a.env.Symvers.Lookup(name)
	switch {
	case !ok:
		return index.NotExported
	case e.GPLOnly():
		return index.GPLOnly
	}
	return index.Exported
}

func (a *analysis) exportStatus(r *cRef) {
	it := r.Item
	if _, ours := a.env.shim.defines[it.Name]; ours {
		return // the module's own C code defines it
	}
	switch a.export(it.Name, it) {
	case index.NotExported:
		f := a.add(diagnostics.CodeNotExported, diagnostics.Error, r.Range, fmt.Sprintf(
			"`%s` (%s) is not exported to modules (it is not in Module.symvers): the module will not link, modpost fails with \"%s\" undefined. "+
				"Use an exported function that does the same, or do it in C code built into the kernel.", it.Name, a.where(it), it.Name))
		a.declaredHere(f, it)
	case index.GPLOnly:
		a.gplOnly(r)
	}
}

func (a *analysis) gplOnly(r *cRef) {
	it := r.Item
	lic := a.env.License
	if lic != nil && module.GPLCompatible(lic.Value) {
		return
	}
	var f *diagnostics.Finding
	if lic == nil {
		f = a.add(diagnostics.CodeGPLOnly, diagnostics.Error, r.Range, fmt.Sprintf(
			"`%s` is exported GPL-only (EXPORT_SYMBOL_GPL) and the module declares no licence, so the kernel treats it as proprietary: "+
				"modpost refuses the symbol. Add MODULE_LICENSE(\"GPL\") (or \"Dual MIT/GPL\" ...) to the C shim.", it.Name))
	} else {
		f = a.add(diagnostics.CodeGPLOnly, diagnostics.Error, r.Range, fmt.Sprintf(
			"`%s` is exported GPL-only (EXPORT_SYMBOL_GPL), but the module's licence %s(%q) at %s:%d is not GPL-compatible: "+
				"modpost refuses it (\"GPL-incompatible module uses GPL-only symbol\"). Use a GPL-compatible licence (%s) or avoid %s.",
			it.Name, lic.Source, lic.Value, a.relPath(lic.File), lic.Line, strings.Join(module.GPLCompatibleLicenses(), ", "), it.Name))
		lr := diagnostics.Range{Start: diagnostics.Position{Line: lic.Line, Column: lic.Column}, End: diagnostics.Position{Line: lic.EndLine, Column: lic.EndColumn}}
		f.Related = append(f.Related, diagnostics.Related{File: lic.File, Range: lr, Message: fmt.Sprintf("the licence is %q here", lic.Value)})
		to := module.DualLicense(lic.Value)
		f.Fixes = append(f.Fixes, diagnostics.Fix{
			Title: fmt.Sprintf("Change the licence to %q", to),
			Edits: []diagnostics.Edit{{File: lic.File, Range: lr, NewText: to}},
		})
	}
	a.declaredHere(f, it)
}

// notInBindings says whether the index knows an item that the generated
// bindings leave out because no configured header declares it (the C front
// end saw it through an #include of a configured header).
func (a *analysis) notInBindings(it *index.Item) bool {
	if it.Rust != "" {
		return false
	}
	switch it.Kind {
	case index.Function, index.Struct, index.Union, index.Enum, index.Typedef, index.EnumConstant:
		return true
	case index.Variable:
		return it.Export != "" // static variables have no symbol either way
	case index.Macro:
		return it.Value != "" && !a.configured(it.Pos.File)
	}
	return false
}

// configured says whether a header is one of KERNEL_INCLUDE's.
func (a *analysis) configured(file string) bool {
	return slices.Contains(a.env.Index.Headers, includeName(file)) || slices.Contains(a.env.Index.Headers, file)
}

// notSelected reports a name the C front end saw in a header outside
// KERNEL_INCLUDE: the fix is to list that header.
func (a *analysis) notSelected(r *cRef) {
	it := r.Item
	// The index keeps the first declaration the front end saw, which for a
	// struct may be a forward declaration in an unrelated header: the header
	// index knows where the definition is. A function's or variable's own
	// declaration is the one the bindings need (the header index may name
	// a macro of the same name, such as FORTIFY's strlen).
	h := includeName(it.Pos.File)
	switch it.Kind {
	case index.Function, index.Variable:
	default:
		if d, ok := a.env.Headers.Lookup(it.Name); ok {
			h = d.Header
		}
	}
	if internalHeaders[h] || a.listed(h) {
		// Adding it would not help: say what is, not a fix that fails.
		f := a.add(diagnostics.CodeNotDeclared, diagnostics.Error, r.Range, fmt.Sprintf(
			"`%s` is declared in %s, but the bindings leave it out (%s).", it.Name, h, strings.TrimSuffix(it.Why, ".")))
		a.declaredHere(f, it)
		return
	}
	f := a.add(diagnostics.CodeNotDeclared, diagnostics.Error, r.Range, fmt.Sprintf(
		"`%s` is declared in %s, which is not in KERNEL_INCLUDE, so the bindings leave it out: add %s to KERNEL_INCLUDE in config.mk.",
		it.Name, h, h))
	f.Fixes = a.includeFix(h)
	a.declaredHere(f, it)
}

// internalHeaders are included by other headers and must not be listed
// themselves: linux/string.h includes fortify-string.h when FORTIFY is on,
// and listing it adds nothing the bindings can declare.
var internalHeaders = map[string]bool{"linux/fortify-string.h": true}

// listed says whether KERNEL_INCLUDE (or the default headers) already name
// a header: advice to add it would be wrong.
func (a *analysis) listed(h string) bool {
	return a.env.Index != nil && a.configured(h) || a.env.Module != nil && slices.Contains(a.env.Module.Vars.KernelInclude, h)
}

// includeFix adds a header to KERNEL_INCLUDE, which adds to the default
// headers (bindings.ModuleHeaders): one word is all the fix needs.
func (a *analysis) includeFix(header string) []diagnostics.Fix {
	return a.listFix("Add "+header+" to KERNEL_INCLUDE", "KERNEL_INCLUDE", header)
}

func (a *analysis) notDeclared(r *cRef) {
	if a.env.Index == nil {
		return
	}
	name := r.node.Text()
	if a.env.rustItems[name] || a.env.rustItems[r.Name] {
		return // the generated bindings define it (c_int and friends)
	}
	headers := strings.Join(a.env.Index.Headers, " ")
	if headers == "" {
		headers = "none"
	}
	d, found := a.env.Headers.Lookup(r.Name)
	switch {
	case found:
		f := a.add(diagnostics.CodeNotDeclared, diagnostics.Error, r.Range, fmt.Sprintf(
			"`%s` is not declared by the configured headers (%s); %s declares it, which is not in KERNEL_INCLUDE: add %s to KERNEL_INCLUDE in config.mk.",
			r.Name, headers, d.Header, d.Header))
		f.Fixes = a.includeFix(d.Header)
		f.Related = append(f.Related, diagnostics.Related{File: d.Pos.File, Range: diagnostics.Point(d.Pos.Line, max(d.Pos.Column, 1)),
			Message: fmt.Sprintf("`%s` (%s) is declared here", r.Name, d.Kind)})
	case a.env.Headers.Loaded():
		if seen := a.env.Elsewhere.Declaring(r.Name); len(seen) > 0 {
			a.notInThisKernel(r, seen)
			return
		}
		a.add(diagnostics.CodeNotDeclared, diagnostics.Error, r.Range, fmt.Sprintf(
			"no kernel header declares `%s` (configured headers: %s): check the spelling.", r.Name, headers))
	default:
		a.add(diagnostics.CodeNotDeclared, diagnostics.Error, r.Range, fmt.Sprintf(
			"`%s` is not declared by the configured headers (%s): add the header that declares it to KERNEL_INCLUDE in config.mk.", r.Name, headers))
	}
}

// notInThisKernel reports a name that other installed kernels declare and
// this one does not: removed (or renamed) when only older releases have it,
// added later when only newer ones do. Installed trees bound what can be
// said: "removed after" names the newest older release that still has it.
func (a *analysis) notInThisKernel(r *cRef, seen []headerscan.Sighting) {
	var older, newer *headerscan.Sighting
	for i := range seen {
		s := &seen[i]
		if s.Older && older == nil {
			older = s // the loader lists newest first
		}
		if !s.Older {
			newer = s // the oldest newer release that has it
		}
	}
	this := "this kernel"
	if a.env.Index != nil && a.env.Index.Kernel != "" {
		this = "this kernel (" + a.env.Index.Kernel + ")"
	}
	var msg string
	var decl *headerscan.Sighting
	switch {
	case older != nil && newer == nil:
		decl = older
		msg = fmt.Sprintf("`%s` is not in %s: removed after %s, whose %s declares it; find what replaced it in the kernel's history (git log -S%s).",
			r.Name, this, older.Release, older.Header, r.Name)
	case older == nil:
		decl = newer
		msg = fmt.Sprintf("`%s` is not in %s: it was added later; %s declares it in %s. Build against that kernel (KERNEL_BUILD_PATH) or do without it.",
			r.Name, this, newer.Release, newer.Header)
	default:
		decl = older
		msg = fmt.Sprintf("`%s` is not in %s, though both an older (%s) and a newer (%s) kernel declare it in %s.",
			r.Name, this, older.Release, newer.Release, older.Header)
	}
	f := a.add(diagnostics.CodeNotDeclared, diagnostics.Error, r.Range, msg)
	f.Related = append(f.Related, diagnostics.Related{File: decl.Pos.File, Range: diagnostics.Point(decl.Pos.Line, max(decl.Pos.Column, 1)),
		Message: fmt.Sprintf("`%s` (%s) in %s", r.Name, decl.Kind, decl.Release)})
}
