package proc

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestCancelKillsGrandchildren: a shell that started a background sleep
// and waits in another; cancelling must kill both, and Run must not return
// while either is alive.
func TestCancelKillsGrandchildren(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pids")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var res Result
	var err error
	go func() {
		defer close(done)
		res, err = Run(ctx, Cmd{Name: "sh", Args: []string{"-c", `sleep 100 & echo $$ $! > "$1"; sleep 100`, "sh", pidFile}})
	}()
	var pids []int
	for deadline := time.Now().Add(10 * time.Second); len(pids) < 2; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the shell did not start its sleeps")
		}
		pids = pids[:0]
		b, _ := os.ReadFile(pidFile)
		if !bytes.HasSuffix(b, []byte("\n")) {
			continue
		}
		for _, f := range strings.Fields(string(b)) {
			if p, err := strconv.Atoi(f); err == nil {
				pids = append(pids, p)
			}
		}
	}
	start := time.Now()
	cancel()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		t.Fatal("Run did not return after the cancel")
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("Run returned %v after the cancel", time.Since(start))
	}
	if err == nil || !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "sh stopped after") {
		t.Errorf("err = %v, want sh stopped ... context canceled", err)
	}
	if res.ExitCode != -1 {
		t.Errorf("exit code %d for a killed process, want -1", res.ExitCode)
	}
	for _, p := range pids {
		// The background sleep was reparented; once killed, whoever reaps
		// it does so soon, but a zombie still answers kill(0), so ask /proc.
		if alive(p) {
			t.Errorf("process %d survived the cancel", p)
		}
	}
}

// alive tells a running process from a gone or zombie one.
func alive(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil {
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// pid (comm) STATE ...
	i := bytes.LastIndexByte(b, ')')
	return i < 0 || i+2 >= len(b) || b[i+2] != 'Z'
}

func TestMissingTool(t *testing.T) {
	for _, tt := range []struct {
		c    Cmd
		want string
	}{
		{Cmd{Name: "rustko-no-such-tool"}, "cannot run rustko-no-such-tool: exec: \"rustko-no-such-tool\": executable file not found in $PATH (install it: apt-get install rustko-no-such-tool)"},
		{Cmd{Name: "/nonexistent/bin/rustc"}, "(install it: apt-get install rustc rust-src)"},
		{Cmd{Name: "/nonexistent/bin/rustc", Hint: "set RUST_ROOT"}, "no such file or directory (set RUST_ROOT)"},
	} {
		_, err := Run(context.Background(), tt.c)
		var me *MissingError
		if !errors.As(err, &me) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want a MissingError containing %q", tt.c.Name, err, tt.want)
		}
	}
	if _, err := Run(context.Background(), Cmd{Name: "gcc-99"}); !errors.Is(err, exec.ErrNotFound) || !strings.Contains(err.Error(), "apt-get install gcc)") {
		t.Errorf("gcc-99: %v, want exec.ErrNotFound and the gcc package", err)
	}
	// A directory that is not there is not a missing tool.
	_, err := Run(context.Background(), Cmd{Name: "true", Dir: "/nonexistent"})
	var me *MissingError
	if err == nil || errors.As(err, &me) || !strings.Contains(err.Error(), "cannot run true: stat /nonexistent: no such file") {
		t.Errorf("bad dir: %v", err)
	}
}

func TestRunCapturesAndStreams(t *testing.T) {
	var live bytes.Buffer
	dir := t.TempDir()
	res, err := Run(context.Background(), Cmd{
		Name: "sh", Args: []string{"-c", `cat; echo "$FOO $(pwd)"; echo oops >&2; exit 3`},
		Dir: dir, Env: []string{"FOO=bar", "PATH=" + os.Getenv("PATH")}, Stdin: strings.NewReader("in\n"), Stdout: &live,
	})
	var exit *exec.ExitError
	if !errors.As(err, &exit) || res.ExitCode != 3 {
		t.Fatalf("err = %v, exit %d; want an ExitError with status 3", err, res.ExitCode)
	}
	want := "in\nbar " + dir + "\n"
	if string(res.Stdout) != want || live.String() != want || string(res.Stderr) != "oops\n" {
		t.Errorf("stdout %q (streamed %q), stderr %q; want %q and oops", res.Stdout, live.String(), res.Stderr, want)
	}
	if res.Usage == nil || res.Elapsed <= 0 {
		t.Errorf("no resource use or time: %+v", res)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, Cmd{Name: "true"}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled before the start: %v", err)
	}
}

// TestShellQuote: sh must give every word back; plain words stay bare so
// that printed commands read as typed.
func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"make": "make", "O=/k/build-1.0": "O=/k/build-1.0", "": "''", "a b": "'a b'",
		"it's": `'it'\''s'`, "$(x)": "'$(x)'", "a\nb": "'a\nb'",
	} {
		got := ShellQuote(in)
		if got != want {
			t.Errorf("ShellQuote(%q) = %q, want %q", in, got, want)
		}
		out, err := exec.Command("/bin/sh", "-c", "printf %s "+got).Output()
		if err != nil || string(out) != in {
			t.Errorf("sh gave %q back for %q (%v)", out, got, err)
		}
	}
}

func TestTail(t *testing.T) {
	long := strings.Repeat("x", 400)
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"", 3, ""},
		{"a\nb\n", 3, "a\nb"},
		{"a\nb\nc\nd\n", 2, "...\nc\nd"},
		{"a\n" + long + "\n", 1, "...\n" + long[:300] + "..."},
	} {
		if got := Tail([]byte(tc.in), tc.n); got != tc.want {
			t.Errorf("Tail(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}
