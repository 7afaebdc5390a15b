package main

import (
	"fmt"
	"io"
	"time"

	"github.com/rustko/rustko-lsp/vm"
)

// printBoot writes a boot's log lines and decoded backtraces.
func printBoot(w io.Writer, b *vm.Outcome, root string) {
	if b.Console {
		fmt.Fprintf(w, "rustko: last lines of the VM's console:\n")
	}
	for _, l := range b.Lines {
		fmt.Fprintln(w, l)
	}
	for _, d := range b.Decoded {
		fmt.Fprintf(w, "rustko: decoded: %s", d.Text(root))
	}
}

// printVerdict writes where the VM's files are and PASS or FAIL with the
// problems.
func printVerdict(w io.Writer, b *vm.Outcome, serialLog string) {
	res := b.Result
	if res.WorkDir != "" {
		fmt.Fprintf(w, "rustko: VM files kept in %s\n", res.WorkDir)
	} else if serialLog != "" {
		fmt.Fprintf(w, "rustko: serial log in %s\n", serialLog)
	}
	secs := res.Elapsed.Round(100 * time.Millisecond)
	if len(b.Problems) > 0 {
		for _, p := range b.Problems {
			fmt.Fprintf(w, "rustko: FAIL: %s\n", p)
		}
		fmt.Fprintf(w, "rustko: %s failed on %s (%s, %s)\n", res.Module, res.Release, res.Accel, secs)
		return
	}
	fmt.Fprintf(w, "rustko: PASS: %s loaded and unloaded on %s (%s, %s)\n", res.Module, res.Release, res.Accel, secs)
}
