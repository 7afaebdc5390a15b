package filecache

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// lockPoll is how often a waiting Lock retries. flock has no context-aware
// wait, and what a lock guards takes seconds (a kbuild probe, a sysroot, a
// build), so polling costs nothing.
const lockPoll = 50 * time.Millisecond

// Lock takes an exclusive lock on the file at path (created, with its
// folder, when missing), waiting until the holder releases it or ctx ends.
// It is an flock, so it serialises processes (a CLI build and the language
// server) as well as goroutines of one: each call opens its own file
// description. The kernel drops the lock when its holder dies, so a crashed
// process never leaves it taken. The file stays: removing a lock file while
// another process waits on it would let a third take a second lock.
func Lock(ctx context.Context, path string) (unlock func(), err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("creating %s: %w", filepath.Dir(path), err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening lock file %s: %w", path, err)
	}
	waited := false
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", path, err)
		}
		if !waited {
			slog.Info("waiting for another rustko process to finish", "lock", path)
			waited = true
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("waiting for the lock %s: %w", path, context.Cause(ctx))
		case <-time.After(lockPoll):
		}
	}
	// Closing the descriptor releases the flock.
	return func() { f.Close() }, nil
}
