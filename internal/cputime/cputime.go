// Package cputime reads the process's CPU time for the benchmarks: on a
// shared machine the CPU spent per operation moves much less with other
// people's load than the wall time does, so every benchmark reports both.
package cputime

import (
	"syscall"
	"time"
)

// Process is this process's user plus system time, every thread (the
// collector's too). It is 0 if the kernel will not say.
func Process() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
