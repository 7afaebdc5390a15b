package server

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/rustko/rustko-lsp/internal/testkernel"
)

// The real-backend tests load modules through make and start rustko-lsp
// processes: they all run against the pinned kernel tree, whatever else the
// machine has installed. Every session, build, reload and analysis a test
// starts must have ended by the time the tests do: a goroutine still
// running then fails the package.
func TestMain(m *testing.M) {
	testkernel.PinForMake()
	goleak.VerifyTestMain(m)
}
