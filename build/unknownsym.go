package build

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"

	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/diagnostics/rustsrc"
	"github.com/rustko/rustko-lsp/module"
)

// unknownSymbolRE is the kernel's reason for refusing a module whose
// undefined symbol nothing loaded exports: "Unknown symbol crc32c (err -2)".
var unknownSymbolRE = regexp.MustCompile(`Unknown symbol (\S+)(?: \(err -?\d+\))?`)

// PlaceUnknownSymbols turns a failed load's "Unknown symbol X" (a
// module-run-failed finding at the crate root: the kernel names no line)
// into one finding per symbol at the place the module uses it, found as
// modpost's undefined symbols are, and says who exports it according to
// kdir's Module.symvers: the usual cause under `run` is a symbol of another
// module, which the VM does not load. moduleOf gives the module (nil: the
// findings stay as they are); it and Module.symvers are read only when the
// kernel did refuse an unknown symbol.
func PlaceUnknownSymbols(findings []diagnostics.Finding, moduleOf func() *module.Module, kdir string) []diagnostics.Finding {
	unknown := func(f diagnostics.Finding) bool {
		return f.Code == diagnostics.CodeModuleRunFailed && unknownSymbolRE.MatchString(f.Message)
	}
	if !slices.ContainsFunc(findings, unknown) {
		return findings
	}
	m := moduleOf()
	if m == nil {
		return findings
	}
	srcs, err := rustsrc.ModuleSources(m)
	if err != nil {
		return findings // the crate root stays the place
	}
	var symvers *module.Symvers
	if kdir != "" {
		symvers, _ = module.ReadSymvers(filepath.Join(kdir, "Module.symvers"))
	}
	search := &symbolSearch{rustFiles: srcs.Rust, cFiles: srcs.C, bindings: m.Vars.Bindings}
	var out []diagnostics.Finding
	for _, f := range findings {
		if !unknown(f) {
			out = append(out, f)
			continue
		}
		for _, h := range unknownSymbolRE.FindAllStringSubmatch(f.Message, -1) {
			g := f
			g.Related = nil
			g.Message = "insmod failed: " + h[0] + ": " + exporterNote(h[1], symvers)
			if use := search.find(h[1]); use.Primary.File != "" {
				g.File, g.Range, g.Related = use.Primary.File, use.Primary.Range, use.Related
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
