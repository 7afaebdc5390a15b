package module

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// ExportKind is the macro a kernel symbol was exported with.
type ExportKind string

const (
	ExportSymbol    ExportKind = "EXPORT_SYMBOL"
	ExportSymbolGPL ExportKind = "EXPORT_SYMBOL_GPL"
	// Kinds older kernels (before 5.x) still wrote.
	ExportSymbolGPLFuture ExportKind = "EXPORT_SYMBOL_GPL_FUTURE"
	ExportUnused          ExportKind = "EXPORT_UNUSED_SYMBOL"
	ExportUnusedGPL       ExportKind = "EXPORT_UNUSED_SYMBOL_GPL"
)

func knownKind(k string) bool {
	switch ExportKind(k) {
	case ExportSymbol, ExportSymbolGPL, ExportSymbolGPLFuture, ExportUnused, ExportUnusedGPL:
		return true
	}
	return false
}

// Export is one line of Module.symvers: a symbol modules may link.
type Export struct {
	Symbol    string
	CRC       uint32 // modversions checksum; 0 when the kernel has no CONFIG_MODVERSIONS
	Module    string // vmlinux, or the module path that exports it
	Kind      ExportKind
	Namespace string // "" outside a symbol namespace; else MODULE_IMPORT_NS is needed
	Line      int    // 1-based line in the file
}

// GPLOnly says whether only modules with a GPL-compatible licence may link
// the symbol.
func (e Export) GPLOnly() bool {
	return e.Kind == ExportSymbolGPL || e.Kind == ExportUnusedGPL
}

// Symvers is a parsed Module.symvers.
type Symvers struct {
	Path    string
	exports map[string]Export
}

// ReadSymvers parses a Module.symvers file.
func ReadSymvers(path string) (*Symvers, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading exported symbols: %w (the kernel tree needs a Module.symvers; on Debian it comes with linux-headers-<version>-<flavour>)", err)
	}
	return parseSymvers(path, string(b))
}

// parseSymvers works on one string so every field is a substring of it: the
// ~25k lines of a distribution kernel's file cost one allocation for text.
//
// Column layouts: since 5.10 CRC, symbol, module, kind, namespace; from 5.4
// to 5.9 CRC, symbol, namespace, module, kind; before 5.4 CRC, symbol,
// module, kind. The position of the EXPORT_* column tells them apart.
func parseSymvers(name, text string) (*Symvers, error) {
	s := &Symvers{Path: name, exports: make(map[string]Export, strings.Count(text, "\n")+1)}
	var cols [5]string
	lineNo := 0
	for line := range strings.Lines(text) {
		lineNo++
		line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		n := strings.Count(line, "\t") + 1
		if n <= len(cols) {
			for i := range n - 1 {
				cols[i], line, _ = strings.Cut(line, "\t")
			}
			cols[n-1] = line
		}
		e, err := symversLine(cols[:min(n, len(cols))], n)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v; a Module.symvers line is CRC<TAB>symbol<TAB>module<TAB>EXPORT_SYMBOL or EXPORT_SYMBOL_GPL<TAB>namespace "+
				"(regenerate the file by rebuilding the kernel or reinstalling its headers package)", name, lineNo, err)
		}
		e.Line = lineNo
		if _, dup := s.exports[e.Symbol]; !dup {
			s.exports[e.Symbol] = e
		}
	}
	return s, nil
}

func symversLine(c []string, n int) (Export, error) {
	var e Export
	switch {
	case n == 5 && knownKind(c[3]):
		e = Export{Symbol: c[1], Module: c[2], Kind: ExportKind(c[3]), Namespace: c[4]}
	case n == 5 && knownKind(c[4]):
		e = Export{Symbol: c[1], Namespace: c[2], Module: c[3], Kind: ExportKind(c[4])}
	case n == 4 && knownKind(c[3]):
		e = Export{Symbol: c[1], Module: c[2], Kind: ExportKind(c[3])}
	case n < 4:
		return e, fmt.Errorf("%d tab-separated columns, want 4 or 5", n)
	case n > 5:
		return e, fmt.Errorf("more than 5 tab-separated columns")
	default:
		return e, fmt.Errorf("no export kind (EXPORT_SYMBOL, EXPORT_SYMBOL_GPL) in column 4 or 5")
	}
	crc := c[0]
	if !strings.HasPrefix(crc, "0x") || len(crc) < 3 || len(crc) > 10 {
		return e, fmt.Errorf("CRC %q is not 0x followed by up to 8 hex digits", crc)
	}
	v, err := strconv.ParseUint(crc[2:], 16, 32)
	if err != nil {
		return e, fmt.Errorf("CRC %q is not 0x followed by up to 8 hex digits", crc)
	}
	e.CRC = uint32(v)
	if e.Symbol == "" || strings.ContainsAny(e.Symbol, " \t") {
		return e, fmt.Errorf("symbol name %q is empty or holds spaces", e.Symbol)
	}
	if e.Module == "" {
		return e, fmt.Errorf("no module for symbol %s", e.Symbol)
	}
	return e, nil
}

// Lookup returns the export of a symbol, and whether it is exported at all:
// a module calling a symbol that is not there fails at modpost
// ("undefined!").
func (s *Symvers) Lookup(name string) (Export, bool) {
	e, ok := s.exports[name]
	return e, ok
}

// Len is the number of distinct exported symbols.
func (s *Symvers) Len() int { return len(s.exports) }
