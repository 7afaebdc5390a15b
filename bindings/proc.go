package bindings

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"

	"github.com/rustko/rustko-lsp/internal/proc"
)

// runTool runs name with args (proc.Run: its own process group, killed with
// whatever it started when ctx ends) in the C locale, and returns stdout. A
// non-zero exit is an error carrying the command and the tail of stderr.
func runTool(ctx context.Context, stdin []byte, name string, args ...string) ([]byte, error) {
	c := proc.Cmd{Name: name, Args: args, Env: append(os.Environ(), "LC_ALL=C")}
	if stdin != nil {
		c.Stdin = bytes.NewReader(stdin)
	}
	res, err := proc.Run(ctx, c)
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return res.Stdout, fmt.Errorf("%s failed: %w\n%s", name, err, proc.Tail(res.Stderr, 20))
	}
	if err != nil {
		return nil, err
	}
	return res.Stdout, nil
}
