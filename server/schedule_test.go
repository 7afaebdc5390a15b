package server

import (
	"context"
	"sync"
	"testing"
	"time"
)

// spawnLog is a latest's spawn that runs the job on the caller's goroutine
// and records which generation ran, so a test sees whether trigger started
// the run itself or left it to a timer.
type spawnLog struct {
	mu   sync.Mutex
	runs []uint64
	l    *latest
}

func newSpawnLog() *spawnLog {
	s := &spawnLog{}
	s.l = newLatest("test", context.Background(), func(_ string, f func()) { f() }, func(_ context.Context, gen uint64) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.runs = append(s.runs, gen)
	})
	return s
}

func (s *spawnLog) ran() []uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]uint64(nil), s.runs...)
}

// TestLatestLeadingEdge: a short delay after quiet runs at once; triggers
// within the delay after it wait for the quiet and run once, with the
// newest generation; long delays and 0 never run on trigger's goroutine.
func TestLatestLeadingEdge(t *testing.T) {
	t.Run("short delay", func(t *testing.T) {
		s := newSpawnLog()
		defer s.l.stop()
		const delay = 10 * time.Millisecond
		g1 := s.l.trigger(delay)
		if got := s.ran(); len(got) != 1 || got[0] != g1 {
			t.Fatalf("after the first trigger: runs %v, want [%d] at once", got, g1)
		}
		// A burst: none of these may run before the quiet delay.
		var g uint64
		for range 3 {
			g = s.l.trigger(delay)
		}
		if got := s.ran(); len(got) != 1 {
			t.Fatalf("a burst right after a run started %v: want it to wait for %v of quiet", got, delay)
		}
		deadline := time.Now().Add(5 * time.Second)
		for len(s.ran()) < 2 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(3 * delay) // a second timer run would show by now
		if got := s.ran(); len(got) != 2 || got[1] != g {
			t.Fatalf("after the burst: runs %v, want [%d %d]", got, g1, g)
		}
		// Quiet again: the next trigger runs at once.
		g = s.l.trigger(delay)
		if got := s.ran(); len(got) != 3 || got[2] != g {
			t.Fatalf("after quiet: runs %v, want generation %d at once", got, g)
		}
	})
	// 0 keeps its timer (AfterFunc(0)); a run from a timer cannot start
	// before its delay, one started by trigger itself does.
	for _, delay := range []time.Duration{leadingBelow, 300 * time.Millisecond} {
		t.Run("delay "+delay.String(), func(t *testing.T) {
			var mu sync.Mutex
			var at []time.Time
			l := newLatest("test", context.Background(), func(_ string, f func()) { f() }, func(context.Context, uint64) {
				mu.Lock()
				defer mu.Unlock()
				at = append(at, time.Now())
			})
			defer l.stop()
			t0 := time.Now()
			l.trigger(delay)
			deadline := time.Now().Add(5 * time.Second)
			for {
				mu.Lock()
				n := len(at)
				mu.Unlock()
				if n > 0 || time.Now().After(deadline) {
					break
				}
				time.Sleep(time.Millisecond)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(at) != 1 {
				t.Fatalf("trigger(%v): %d runs, want 1", delay, len(at))
			}
			if d := at[0].Sub(t0); d < delay {
				t.Errorf("trigger(%v) ran after %v: want it to wait for the delay", delay, d)
			}
		})
	}
}
