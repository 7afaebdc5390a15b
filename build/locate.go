package build

import "github.com/rustko/rustko-lsp/diagnostics"

// LocateSymbol finds where the module names sym, as the build's own
// findings about undefined symbols do: a call in the module's Rust code
// first, then its declaration there, then a call in the C files, then the
// generated bindings (bindings may be ""). ok is false when no file names
// it. Others are the remaining places (at most eight), for related
// information.
func LocateSymbol(rustFiles, cFiles []string, bindings, sym string) (primary diagnostics.Related, others []diagnostics.Related, ok bool) {
	s := &symbolSearch{rustFiles: rustFiles, cFiles: cFiles, bindings: bindings}
	use := s.find(sym)
	return use.Primary, use.Related, use.Primary.File != ""
}
