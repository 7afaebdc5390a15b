package server

import (
	"math"
	"runtime/debug"
	"testing"
)

// gcSettings reads the collector's GOGC and memory limit without changing them.
func gcSettings() (int, int64) {
	gc := debug.SetGCPercent(-1)
	debug.SetGCPercent(gc)
	return gc, debug.SetMemoryLimit(-1) // a negative limit only reads
}

func TestTuneMemory(t *testing.T) {
	gc0, limit0 := gcSettings()
	t.Cleanup(func() {
		debug.SetGCPercent(gc0)
		debug.SetMemoryLimit(limit0)
	})
	for _, tc := range []struct {
		name, gogc, gomemlimit string
		wantGC                 int
		wantLimit              int64
	}{
		{"defaults", "", "", ServeGCPercent, ServeMemoryLimit},
		{"user GOGC", "150", "", 150, ServeMemoryLimit},
		{"user GOMEMLIMIT", "", "1GiB", ServeGCPercent, 1 << 30},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// What the runtime would have read from the environment.
			debug.SetGCPercent(100)
			debug.SetMemoryLimit(math.MaxInt64)
			if tc.gogc != "" {
				debug.SetGCPercent(150)
			}
			if tc.gomemlimit != "" {
				debug.SetMemoryLimit(1 << 30)
			}
			t.Setenv("GOGC", tc.gogc)
			t.Setenv("GOMEMLIMIT", tc.gomemlimit)
			restore := TuneMemory()
			if gc, limit := gcSettings(); gc != tc.wantGC || limit != tc.wantLimit {
				t.Errorf("after TuneMemory: GOGC %d, limit %d; want %d, %d", gc, limit, tc.wantGC, tc.wantLimit)
			}
			restore()
			wantGC := 100
			if tc.gogc != "" {
				wantGC = 150
			}
			wantLimit := int64(math.MaxInt64)
			if tc.gomemlimit != "" {
				wantLimit = 1 << 30
			}
			if gc, limit := gcSettings(); gc != wantGC || limit != wantLimit {
				t.Errorf("after restore: GOGC %d, limit %d; want %d, %d", gc, limit, wantGC, wantLimit)
			}
		})
	}
}
