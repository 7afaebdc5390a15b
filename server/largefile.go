package server

import (
	"fmt"

	"github.com/rustko/rustko-lsp/diagnostics"
)

// maxAnalysedBytes is the largest Rust file rustko's own checks, hover and
// definition look at. Parsing and resolving a file costs memory and CPU in
// proportion to its size (syntax trees in C and in Go, references, the
// checks' walks on every keystroke): a file just under this bound takes
// the server from about 109 to 136 MiB (BenchmarkServeRSSAtBound), and the
// CPU per keystroke grows with it (23 ms for 10,000 lines, 220 KB). A
// hand-written kernel module's file is a few thousand lines (100-200 KB);
// 1 MiB is about 40,000 lines. rustc still checks a larger file at build
// time; docs/BENCHMARKS.md has the figures.
const maxAnalysedBytes = 1 << 20

// tooLargeFinding is what an over-size file shows: one note on its first
// line, published once and kept (unchanged lists are not sent again) while
// the file stays over the bound.
func tooLargeFinding(path string, size int) diagnostics.Finding {
	return diagnostics.Finding{
		File:     path,
		Range:    diagnostics.Point(1, 1),
		Severity: diagnostics.Info,
		Source:   diagnostics.SourceRustko,
		Code:     diagnostics.CodeFileTooLarge,
		Message: fmt.Sprintf("rustko does not analyse this file: it is %s, over the %s its checks, hover and definition read "+
			"(the bound keeps the language server's memory in check). rustc still checks it when the module is built; "+
			"split it into smaller modules to get rustko's checks here.", sizeText(size), sizeText(maxAnalysedBytes)),
	}
}

// sizeText is a size as people read it: KiB below a MiB, MiB with one
// decimal above.
func sizeText(n int) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d KiB", (n+1023)>>10)
	}
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

// parseForgetter is a backend that keeps each file's last parse for the
// next keystroke's incremental reparse, and can drop it.
type parseForgetter interface {
	ForgetParse(path string)
}

// forgetParse releases the backend's parse of path: a closed buffer's,
// a file on disk analysed once, or an over-size file's. The next analysis
// of it parses from scratch.
func (s *Server) forgetParse(path string) {
	if f, ok := s.backend.(parseForgetter); ok {
		f.ForgetParse(path)
	}
}
