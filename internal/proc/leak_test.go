package proc

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a goroutine a test started (a process
// waiter, a pool worker) is still running after the tests.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
