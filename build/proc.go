package build

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"

	"github.com/rustko/rustko-lsp/internal/proc"
)

// runner runs a build's processes. In verbose mode (V=1) it prints each
// command before running it and copies the tools' output as it arrives.
type runner struct {
	verbose bool
	stdout  io.Writer
	stderr  io.Writer
	mu      sync.Mutex // serialises writes to stdout and stderr: processes may run concurrently
}

// lockedWriter lets concurrent processes share one of the runner's writers.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// run runs c with proc.Run: in its own process group, the whole group
// killed when ctx is cancelled (make's compilers, cargo's rustc), so nothing
// outlives the build. A non-zero exit is not an error: the caller turns the
// output into findings. The error is for a process that could not start or
// was cancelled.
func (r *runner) run(ctx context.Context, c proc.Cmd) (proc.Result, error) {
	if r.verbose {
		if r.stdout != nil {
			c.Stdout = lockedWriter{&r.mu, r.stdout}
			fmt.Fprintln(c.Stdout, shellLine(c))
		}
		if r.stderr != nil {
			c.Stderr = lockedWriter{&r.mu, r.stderr}
		}
	}
	res, err := proc.Run(ctx, c)
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return res, nil
	}
	return res, err
}

// shellLine renders c as a command a person can paste into a shell, with the
// environment variables that differ from ours, which is what V=1 promises.
func shellLine(c proc.Cmd) string {
	var b strings.Builder
	if c.Dir != "" {
		b.WriteString("cd " + proc.ShellQuote(c.Dir) + " && ")
	}
	if c.Env != nil {
		ours := map[string]string{}
		for _, kv := range os.Environ() {
			k, v, _ := strings.Cut(kv, "=")
			ours[k] = v
		}
		var set []string
		for _, kv := range c.Env {
			k, v, _ := strings.Cut(kv, "=")
			if old, ok := ours[k]; !ok || old != v {
				set = append(set, proc.ShellQuote(kv))
			}
		}
		if len(set) > 0 {
			b.WriteString("env " + strings.Join(set, " ") + " ")
		}
	}
	b.WriteString(proc.ShellQuote(c.Name))
	for _, a := range c.Args {
		b.WriteString(" " + proc.ShellQuote(a))
	}
	return b.String()
}

// environ is os.Environ with overrides applied and an outer make's control
// variables removed: a jobserver Go did not pass on, or an outer make's
// command-line variables, must not leak into the make we run.
func environ(set map[string]string, drop ...string) []string {
	skip := map[string]bool{
		"MAKEFLAGS": true, "MFLAGS": true, "GNUMAKEFLAGS": true, "MAKELEVEL": true,
		"MAKEOVERRIDES": true, "MAKEFILES": true,
	}
	for _, d := range drop {
		skip[d] = true
	}
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if _, over := set[k]; over || skip[k] {
			continue
		}
		env = append(env, kv)
	}
	for _, k := range slices.Sorted(maps.Keys(set)) {
		env = append(env, k+"="+set[k])
	}
	return env
}
