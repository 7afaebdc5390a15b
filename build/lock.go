package build

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

// lockPoll is how often a waiting build retries the lock. flock has no
// context-aware wait, and a build is seconds long, so polling costs nothing.
const lockPoll = 50 * time.Millisecond

// lockDir takes an exclusive lock on dir/name, waiting until the holder
// releases it or ctx ends. It is an flock, so it serialises builds of one
// module across processes (a CLI build and the language server) as well as
// within one: each call opens its own file description.
func lockDir(ctx context.Context, dir, name string) (unlock func(), err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating %s: %w", dir, err)
	}
	path := filepath.Join(dir, name)
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
			slog.Info("waiting for another build to finish", "lock", path)
			waited = true
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("waiting for another build of this module (lock %s): %w", path, context.Cause(ctx))
		case <-time.After(lockPoll):
		}
	}
	return func() {
		// Closing the descriptor releases the flock.
		f.Close()
	}, nil
}
