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
	timer   *time.Timer
	cancel  context.CancelFunc // of the run in flight
	stopped bool
}

func newLatest(name string, base context.Context, spawn func(string, func()), run func(context.Context, uint64)) *latest {
	return &latest{name: name, base: base, spawn: spawn, run: run}
}

// trigger supersedes everything before it and schedules a run after delay.
func (l *latest) trigger(delay time.Duration) uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.stopped {
		return l.gen
	}
	g := l.supersedeLocked()
	l.timer = time.AfterFunc(delay, func() { l.fire(g) })
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
