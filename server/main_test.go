package server

import (
	"os"
	"testing"

	"github.com/rustko/rustko-lsp/internal/testkernel"
)

// The real-backend tests load modules through make and start rustko-lsp
// processes: they all run against the pinned kernel tree, whatever else the
// machine has installed.
func TestMain(m *testing.M) {
	testkernel.PinForMake()
	os.Exit(m.Run())
}
