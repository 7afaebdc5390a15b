package server

import (
	"context"
	"sync"
	"time"
)

// latest runs a job so that only the most recent request counts, the way
// rust-analyzer's flycheck does: each trigger bumps a generation number,
// cancels the run in flight (its processes are killed through its context)
// and restarts the debounce timer; when the timer fires, a run starts with
// the generation it was triggered for. A run may commit its results only
// while its generation is still current, so a superseded run's results are
// never published.
type latest struct {
	name  string
	base  context.Context
	spawn func(name string, f func())
	run   func(ctx context.Context, gen uint64)

	mu      sync.Mutex
	gen     uint64
	last    time.Time // of the latest trigger
	timer   *time.Timer
	cancel  context.CancelFunc // of the run in flight
	stopped bool
}

func newLatest(name string, base context.Context, spawn func(string, func()), run func(context.Context, uint64)) *latest {
	return &latest{name: name, base: base, spawn: spawn, run: run}
}

// leadingBelow is the longest delay that runs on the leading edge: a
// trigger after at least delay of quiet runs at once, and only the triggers
// that follow it within delay wait for the quiet. A delay this short cannot
// span two keystrokes (people type under 20 keys a second), so it only ever
// coalesced notifications that arrive together; waiting it out before every
// keystroke's analysis cost more than the delay itself, because the
// process's threads went idle and, on a loaded machine, waited for the OS
// to run them again (BenchmarkAnalysisOnChange, 2,000 lines, load 2.1-2.3:
// p50 5.4-6.1 -> 3.0-3.4 ms, p95 6.8-9.2 -> 4.8-5.7 ms). Longer
// delays (a build after saves, a reload after file events) stay trailing
// only: their first event is usually one of a burst.
const leadingBelow = 20 * time.Millisecond

// trigger supersedes everything before it and schedules a run after delay
// (at once when 0 < delay < leadingBelow and the last trigger was at
// least delay ago).
func (l *latest) trigger(delay time.Duration) uint64 {
	l.mu.Lock()
	if l.stopped {
		defer l.mu.Unlock()
		return l.gen
	}
	now := time.Now()
	quiet := delay > 0 && delay < leadingBelow && now.Sub(l.last) >= delay
	l.last = now
	g := l.supersedeLocked()
	if !quiet {
		l.timer = time.AfterFunc(delay, func() { l.fire(g) })
		l.mu.Unlock()
		return g
	}
	l.mu.Unlock()
	// fire checks the generation again: a trigger that came in between
	// supersedes this one, as an expired timer would have been.
	l.fire(g)
	return g
}

func (l *latest) fire(g uint64) {
	l.mu.Lock()
	if l.stopped || g != l.gen {
		l.mu.Unlock()
		return
	}
	ctx, cancel := context.WithCancel(l.base)
	l.cancel = cancel
	l.mu.Unlock()
	l.spawn(l.name, func() {
		defer cancel()
		l.run(ctx, g)
	})
}

// current reports whether gen is still the newest request.
func (l *latest) current(gen uint64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return !l.stopped && gen == l.gen
}

// supersede cancels the run in flight and any scheduled run without
// scheduling another: what they would commit is no longer wanted. Later
// triggers work as usual.
func (l *latest) supersede() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.supersedeLocked()
}

// supersedeLocked bumps the generation, stops the pending timer and cancels
// the run in flight; it returns the new generation. l.mu is held.
func (l *latest) supersedeLocked() uint64 {
	l.gen++
	if l.timer != nil {
		l.timer.Stop()
	}
	if l.cancel != nil {
		l.cancel()
		l.cancel = nil
	}
	return l.gen
}

// stop cancels the run in flight and any scheduled run, for good.
func (l *latest) stop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stopped = true
	l.supersedeLocked()
}
