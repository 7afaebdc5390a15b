package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// The dispatcher's contract: help for every command, exit 2 for a command
// line the tool cannot act on, never a stack trace.
func TestDispatch(t *testing.T) {
	tty, err := os.Open(os.DevNull) // not a terminal: bare invocation would serve
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	for _, tc := range []struct {
		args     []string
		code     int
		contains string // in stdout+stderr
	}{
		{[]string{"help"}, exitOK, "commands:"},
		{[]string{"--help"}, exitOK, "check"},
		{[]string{"help", "nosuch"}, exitTool, `unknown command "nosuch"`},
		{[]string{"nosuch"}, exitTool, `unknown command "nosuch"`},
		{[]string{"version"}, exitOK, ""},
		{[]string{"check", "--no-such-flag"}, exitTool, "flag provided but not defined"},
		{[]string{"check", "-h"}, exitOK, "usage: rustko-lsp check"},
		{[]string{"build", "a", "b"}, exitTool, "expected at most one module folder, got 2 arguments"},
		{[]string{"dkms", "a", "b"}, exitTool, "expected at most one module folder, got 2 arguments"},
		{[]string{"migrate", "a", "b", "c"}, exitTool, "expected at most one folder, got 3 arguments"},
		{[]string{"run", "a", "b"}, exitTool, "expected at most one module folder or .ko file, got 2 arguments"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(tc.args, tty, &out, &errb)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr: %s", code, tc.code, errb.String())
			}
			if !strings.Contains(out.String()+errb.String(), tc.contains) {
				t.Errorf("output lacks %q:\n%s%s", tc.contains, out.String(), errb.String())
			}
		})
	}
	// Every command has help text naming its usage.
	for name := range commands {
		var out, errb bytes.Buffer
		if code := run([]string{"help", name}, tty, &out, &errb); code != exitOK {
			t.Errorf("help %s: exit %d", name, code)
		}
		if !strings.Contains(out.String()+errb.String(), "usage: rustko-lsp "+name) {
			t.Errorf("help %s lacks usage line:\n%s%s", name, out.String(), errb.String())
		}
	}
}
