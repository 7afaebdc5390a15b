package main

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a goroutine a command started (a kernel
// of a --kernels run, an in-process LSP session, a process waiter) is still
// running after the tests.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
