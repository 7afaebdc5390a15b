package server

import (
	"os"
	"runtime/debug"
)

// ServeMemoryLimit is the soft heap limit of a language server process.
// The server lives as long as the editor; its steady state with the
// 20-header index is about 100 MiB, but a cold bindings generation allocates
// hundreds of MiB of short-lived C tokens, and with the default GOGC the
// process would peak near 370 MiB. A soft limit makes the collector work
// harder in that burst instead (peak about 260 MiB, same duration).
const ServeMemoryLimit = 256 << 20

// ServeGCPercent is the collector's GOGC for a language server process.
// Every keystroke re-analyses the buffer and allocates its new tree (about
// 1.5 MB on 2,000 lines, 7.5 MB on 10,000), and each collection marks the
// whole index, so at GOGC=100 the collector was about a fifth of the CPU
// of an edit and the mark worker took one of two cores from the analysis
// in flight: at 400 there are a quarter as many collections. The soft
// limit above still bounds the heap; a bindings generation sets its own
// GOGC while it runs (bindings.Generate).
const ServeGCPercent = 400

// TuneMemory applies ServeMemoryLimit and ServeGCPercent, each unless the
// user set GOMEMLIMIT or GOGC, and returns a function that restores the
// previous settings (for tests that run a server in their own process).
func TuneMemory() (restore func()) {
	limit, gc := int64(-1), -1
	if os.Getenv("GOMEMLIMIT") == "" {
		limit = debug.SetMemoryLimit(ServeMemoryLimit)
	}
	if os.Getenv("GOGC") == "" {
		gc = debug.SetGCPercent(ServeGCPercent)
	}
	return func() {
		if limit >= 0 {
			debug.SetMemoryLimit(limit)
		}
		if gc >= 0 {
			debug.SetGCPercent(gc)
		}
	}
}
