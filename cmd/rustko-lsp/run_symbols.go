package main

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"

	"github.com/rustko/rustko-lsp/build"
	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/diagnostics/rustsrc"
	"github.com/rustko/rustko-lsp/module"
	"github.com/rustko/rustko-lsp/vm"
)

// unknownSymbolRE is the kernel's reason for refusing a module whose
// undefined symbol nothing loaded exports: "Unknown symbol crc32c (err -2)".
var unknownSymbolRE = regexp.MustCompile(`Unknown symbol (\S+)(?: \(err -?\d+\))?`)

// placeUnknownSymbols turns a failed load's "Unknown symbol X" (found at
// the crate root: the kernel names no line) into one finding per symbol at
// the place the module uses it, and says who exports it: the usual cause
// under `run` is a symbol of another module, which the VM does not load.
func placeUnknownSymbols(findings []diagnostics.Finding, m *module.Module, symvers *module.Symvers) []diagnostics.Finding {
	if m == nil {
		return findings
	}
	var srcs *rustsrc.Sources
	var out []diagnostics.Finding
	for _, f := range findings {
		hits := unknownSymbolRE.FindAllStringSubmatch(f.Message, -1)
		if f.Code != vm.CodeRunFailed || len(hits) == 0 {
			out = append(out, f)
			continue
		}
		if srcs == nil {
			s, err := rustsrc.ModuleSources(m)
			if err != nil {
				return findings // the crate root stays the place
			}
			srcs = s
		}
		for _, h := range hits {
			g := f
			g.Related = nil
			g.Message = "insmod failed: " + h[0] + ": " + exporterNote(h[1], symvers)
			if p, others, ok := build.LocateSymbol(srcs.Rust, srcs.C, m.Vars.Bindings, h[1]); ok {
				g.File, g.Range, g.Related = p.File, p.Range, others
			}
			out = append(out, g)
		}
	}
	return out
}

// exporterNote says why the kernel did not resolve sym, from the tree's
// Module.symvers.
func exporterNote(sym string, symvers *module.Symvers) string {
	if symvers == nil {
		return fmt.Sprintf("nothing loaded exports `%s`", sym)
	}
	e, ok := symvers.Lookup(sym)
	switch {
	case !ok:
		return fmt.Sprintf("this kernel does not export `%s` (it is not in %s)", sym, symvers.Path)
	case e.Module != "vmlinux":
		return fmt.Sprintf("`%s` is exported by the module %s, which was not loaded: `run` loads only this module into the VM; "+
			"on a machine, modprobe loads %s first once this module is installed (depmod records the dependency), insmod does not",
			sym, e.Module, e.Module)
	case e.Namespace != "":
		return fmt.Sprintf("`%s` is in the symbol namespace %s: add MODULE_IMPORT_NS(%s) to the C shim", sym, e.Namespace, e.Namespace)
	default:
		return fmt.Sprintf("the kernel exports `%s` (%s), but not to this module", sym, e.Kind)
	}
}

// placeSymbols applies placeUnknownSymbols to a boot's findings: moduleOf
// gives the module (nil for a .ko outside one), kdir is the tree whose
// Module.symvers says who exports what. Both are read only when the kernel
// refused an unknown symbol.
func (b *bootOutcome) placeSymbols(moduleOf func() *module.Module, kdir string) {
	if !slices.ContainsFunc(b.findings, func(f diagnostics.Finding) bool {
		return f.Code == vm.CodeRunFailed && unknownSymbolRE.MatchString(f.Message)
	}) {
		return
	}
	var symvers *module.Symvers
	if kdir != "" {
		symvers, _ = module.ReadSymvers(filepath.Join(kdir, "Module.symvers"))
	}
	b.findings = placeUnknownSymbols(b.findings, moduleOf(), symvers)
}

// moduleOfKO reads the module a built .ko sits in (root from FindRoot),
// nil when it is not in one or the module cannot be read.
func moduleOfKO(ctx context.Context, root string) *module.Module {
	if _, err := module.FindRoot(root); err != nil {
		return nil
	}
	m, err := module.Load(ctx, root, nil)
	if err != nil {
		return nil
	}
	return m
}
