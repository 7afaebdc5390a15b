package filecache

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestGetSet(t *testing.T) {
	c := Open(t.TempDir())
	k := KeyOf("a")
	if _, err := c.Get("kind", k); !errors.Is(err, ErrNotFound) {
		t.Fatalf("empty cache: err %v, want ErrNotFound", err)
	}
	for _, v := range []string{"first", "", "a longer second value"} {
		if err := c.Set("kind", k, []byte(v)); err != nil {
			t.Fatal(err)
		}
		got, err := c.Get("kind", k)
		if err != nil || string(got) != v {
			t.Errorf("after Set(%q): Get = %q, %v", v, got, err)
		}
	}
	if _, err := c.Get("other-kind", k); !errors.Is(err, ErrNotFound) {
		t.Errorf("another kind, same key: err %v, want ErrNotFound", err)
	}
	if _, err := c.Get("kind", KeyOf("b")); !errors.Is(err, ErrNotFound) {
		t.Errorf("another key: err %v, want ErrNotFound", err)
	}
	for _, bad := range []string{"", "Upper", "a/b", "..", ".locks"} {
		if err := c.Set(bad, k, nil); err == nil || errors.Is(err, ErrNotFound) {
			t.Errorf("Set with kind %q: err %v, want a bad-kind error", bad, err)
		}
	}
}

func TestKeyOf(t *testing.T) {
	if KeyOf("ab", "c") == KeyOf("a", "bc") || KeyOf("a") == KeyOf("a", "") || KeyOf() == KeyOf("") {
		t.Error("KeyOf confuses where its parts end")
	}
	// Keys are stored: they must not change between rustko releases
	// without a reason.
	if got := KeyOf("x", "y"); got != sha256.Sum256([]byte("x\x00y\x00")) {
		t.Errorf("KeyOf(x, y) = %s", got)
	}
}

// TestDamagedEntryIsMiss: whatever is wrong with an entry file, Get says
// ErrNotFound and never returns part of it; a new Set repairs it.
func TestDamagedEntryIsMiss(t *testing.T) {
	value := bytes.Repeat([]byte("0123456789abcdef"), 1000)
	cases := []struct {
		name   string
		damage func(b []byte) []byte
	}{
		{"truncated value", func(b []byte) []byte { return b[:len(b)-1] }},
		{"truncated header", func(b []byte) []byte { return b[:headerLen-1] }},
		{"empty file", func([]byte) []byte { return nil }},
		{"flipped byte", func(b []byte) []byte { b[len(b)/2] ^= 1; return b }},
		{"extra byte", func(b []byte) []byte { return append(b, 0) }},
		{"wrong magic", func(b []byte) []byte { b[0] = 'X'; return b }},
		{"length field too large", func(b []byte) []byte { b[len(magic)]++; return b }},
		{"old format", func([]byte) []byte { return []byte(`{"version":3}`) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := Open(t.TempDir())
			k := KeyOf(tc.name)
			if err := c.Set("kind", k, value); err != nil {
				t.Fatal(err)
			}
			p, _ := c.path("kind", k)
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, tc.damage(b), 0o644); err != nil {
				t.Fatal(err)
			}
			if got, err := c.Get("kind", k); !errors.Is(err, ErrNotFound) || got != nil {
				t.Errorf("Get = %d bytes, %v; want nil, ErrNotFound", len(got), err)
			}
			if err := c.Set("kind", k, value); err != nil {
				t.Fatal(err)
			}
			if got, err := c.Get("kind", k); err != nil || !bytes.Equal(got, value) {
				t.Errorf("after a new Set: %d bytes, %v", len(got), err)
			}
		})
	}
}

// TestUnreadableEntryIsMiss: a folder where the entry should be (or any
// read error) is a miss, not a failure.
func TestUnreadableEntryIsMiss(t *testing.T) {
	c := Open(t.TempDir())
	k := KeyOf("x")
	p, _ := c.path("kind", k)
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get("kind", k); !errors.Is(err, ErrNotFound) {
		t.Errorf("err %v, want ErrNotFound", err)
	}
}

// values are what the concurrent writers store under one key: large, so
// that writes take long enough to overlap, and each made of one repeated
// byte, so that a mix of two is seen.
func concurrentValue(i int) []byte { return bytes.Repeat([]byte{byte('a' + i)}, 1<<20+i) }

func checkWhole(v []byte) error {
	if len(v) == 0 {
		return errors.New("empty value")
	}
	i := int(v[0] - 'a')
	if i < 0 || i >= 8 || !bytes.Equal(v, concurrentValue(i)) {
		return fmt.Errorf("a value of %d bytes that no writer wrote (starts %q)", len(v), v[:min(len(v), 8)])
	}
	return nil
}

// hammer sets and gets one key n times with writer's value, checking that
// every hit is some writer's whole value.
func hammer(c *Cache, writer, n int) error {
	k := KeyOf("shared")
	for range n {
		if err := c.Set("kind", k, concurrentValue(writer)); err != nil {
			return err
		}
		v, err := c.Get("kind", k)
		if errors.Is(err, ErrNotFound) {
			return fmt.Errorf("miss right after a Set: %w", err)
		}
		if err != nil {
			return err
		}
		if err := checkWhole(v); err != nil {
			return err
		}
	}
	return nil
}

func TestConcurrentGoroutines(t *testing.T) {
	c := Open(t.TempDir())
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for w := range 2 {
		wg.Go(func() { errs[w] = hammer(c, w, 50) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Error(err)
	}
}

// The test binary runs itself as the second process: with childEnv set,
// TestMain does the child's part instead of running the tests.
const childEnv = "RUSTKO_FILECACHE_TEST_CHILD"

func TestMain(m *testing.M) {
	if spec := os.Getenv(childEnv); spec != "" {
		if err := child(spec); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// child runs "hammer DIR WRITER N" or "do DIR COUNTFILE".
func child(spec string) error {
	f := strings.Fields(spec)
	c := Open(f[1])
	switch f[0] {
	case "hammer":
		w, _ := strconv.Atoi(f[2])
		n, _ := strconv.Atoi(f[3])
		return hammer(c, w, n)
	case "do":
		_, err := c.Do(context.Background(), "kind", KeyOf("once"), slowCompute(f[2]))
		return err
	}
	return fmt.Errorf("unknown child %q", spec)
}

// slowCompute appends a line to countFile each time it runs, slowly enough
// that a second process arrives while the first computes.
func slowCompute(countFile string) func(context.Context) ([]byte, error) {
	return func(context.Context) ([]byte, error) {
		f, err := os.OpenFile(countFile, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return nil, err
		}
		fmt.Fprintln(f, os.Getpid())
		f.Close()
		time.Sleep(300 * time.Millisecond)
		return []byte("computed"), nil
	}
}

func startChild(t *testing.T, spec string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+spec)
	cmd.Stderr = &bytes.Buffer{}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

func waitChild(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if err := cmd.Wait(); err != nil {
		t.Errorf("second process: %v: %s", err, cmd.Stderr)
	}
}

func TestConcurrentProcesses(t *testing.T) {
	dir := t.TempDir()
	cmd := startChild(t, fmt.Sprintf("hammer %s 1 50", dir))
	if err := hammer(Open(dir), 0, 50); err != nil {
		t.Error(err)
	}
	waitChild(t, cmd)
}

// TestDoOnceAcrossProcesses: two processes asking for one missing key
// compute it once; the second waits and reads the first's value.
func TestDoOnceAcrossProcesses(t *testing.T) {
	dir := t.TempDir()
	count := filepath.Join(t.TempDir(), "count")
	cmd := startChild(t, fmt.Sprintf("do %s %s", dir, count))
	// Let the child take the lock first half of the time; either order
	// must compute once.
	time.Sleep(50 * time.Millisecond)
	v, err := Open(dir).Do(context.Background(), "kind", KeyOf("once"), slowCompute(count))
	if err != nil || string(v) != "computed" {
		t.Errorf("Do = %q, %v", v, err)
	}
	waitChild(t, cmd)
	b, _ := os.ReadFile(count)
	if n := strings.Count(string(b), "\n"); n != 1 {
		t.Errorf("computed %d times, want once (pids %q)", n, b)
	}
}

// TestDoCancel: a Do that waits for another's computation ends with its
// context and computes nothing; a computation cancelled midway stores
// nothing.
func TestDoCancel(t *testing.T) {
	c := Open(t.TempDir())
	k := KeyOf("slow")
	started, release := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		_, err := c.Do(context.Background(), "kind", k, func(context.Context) ([]byte, error) {
			close(started)
			<-release
			return []byte("first"), nil
		})
		first <- err
	}()
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	var ran atomic.Bool
	_, err := c.Do(ctx, "kind", k, func(context.Context) ([]byte, error) { ran.Store(true); return []byte("second"), nil })
	if !errors.Is(err, context.DeadlineExceeded) || ran.Load() {
		t.Errorf("waiting Do: err %v, computed %v; want DeadlineExceeded without computing", err, ran.Load())
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if v, err := c.Get("kind", k); err != nil || string(v) != "first" {
		t.Errorf("after the first Do: %q, %v", v, err)
	}

	ctx, cancel = context.WithCancel(context.Background())
	k2 := KeyOf("cancelled")
	_, err = c.Do(ctx, "kind", k2, func(context.Context) ([]byte, error) { cancel(); return []byte("partial"), nil })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled computation: err %v, want Canceled", err)
	}
	if _, err := c.Get("kind", k2); !errors.Is(err, ErrNotFound) {
		t.Errorf("a cancelled computation was stored (err %v)", err)
	}
	wantErr := errors.New("compute failed")
	if _, err := c.Do(context.Background(), "kind", k2, func(context.Context) ([]byte, error) { return nil, wantErr }); !errors.Is(err, wantErr) {
		t.Errorf("failed computation: err %v", err)
	}
	if _, err := c.Get("kind", k2); !errors.Is(err, ErrNotFound) {
		t.Errorf("a failed computation was stored (err %v)", err)
	}
}

func TestLockCancel(t *testing.T) {
	p := filepath.Join(t.TempDir(), "sub", "l")
	unlock, err := Lock(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := Lock(ctx, p); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("second Lock: err %v, want DeadlineExceeded", err)
	}
	got := make(chan error, 1)
	go func() {
		u, err := Lock(context.Background(), p)
		if err == nil {
			u()
		}
		got <- err
	}()
	time.Sleep(100 * time.Millisecond)
	unlock()
	select {
	case err := <-got:
		if err != nil {
			t.Error(err)
		}
	case <-time.After(5 * time.Second):
		t.Error("Lock did not return after the holder unlocked")
	}
}

// TestEvict: over the budget, Set removes the least recently used entries
// (a Get counts as a use) until the rest fit, never the one it wrote, and
// removes temporary files crashed writers left.
func TestEvict(t *testing.T) {
	dir := t.TempDir()
	c := Open(dir)
	value := bytes.Repeat([]byte("v"), 1000)
	size := int64(headerLen + len(value))
	c.Budget = 4 * size
	base := time.Now().Add(-time.Hour)
	for i := range 4 {
		k := KeyOf(strconv.Itoa(i))
		kind := []string{"one", "two"}[i%2] // the budget spans kinds
		if err := c.Set(kind, k, value); err != nil {
			t.Fatal(err)
		}
		p, _ := c.path(kind, k)
		at := base.Add(time.Duration(i) * time.Minute)
		if err := os.Chtimes(p, at, at); err != nil {
			t.Fatal(err)
		}
	}
	stale := filepath.Join(c.dir, "one", ".entry.tmp123")
	fresh := filepath.Join(c.dir, "one", ".other.tmp456")
	for _, p := range []string{stale, fresh} {
		if err := os.WriteFile(p, value, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-2 * staleTemp)
	os.Chtimes(stale, old, old)
	// Entry 0 is the oldest but used now: 1 and 2 go for the two new ones.
	if _, err := c.Get("one", KeyOf("0")); err != nil {
		t.Fatal(err)
	}
	for i := 4; i < 6; i++ {
		if err := c.Set("one", KeyOf(strconv.Itoa(i)), value); err != nil {
			t.Fatal(err)
		}
	}
	for i, want := range []bool{true, false, false, true, true, true} {
		kind := []string{"one", "two"}[i%2]
		if i >= 4 {
			kind = "one"
		}
		_, err := c.Get(kind, KeyOf(strconv.Itoa(i)))
		if got := err == nil; got != want {
			t.Errorf("entry %d kept = %v, want %v", i, got, want)
		}
	}
	if _, err := os.Stat(stale); err == nil {
		t.Error("a stale temporary file survived")
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Error("a temporary file being written was removed")
	}

	// An entry over the whole budget stays, alone.
	big := bytes.Repeat([]byte("b"), int(c.Budget))
	if err := c.Set("two", KeyOf("big"), big); err != nil {
		t.Fatal(err)
	}
	if v, err := c.Get("two", KeyOf("big")); err != nil || !bytes.Equal(v, big) {
		t.Errorf("the entry over the budget was not kept: %v", err)
	}
	for i := range 6 {
		for _, kind := range []string{"one", "two"} {
			if _, err := c.Get(kind, KeyOf(strconv.Itoa(i))); err == nil {
				t.Errorf("entry %d (%s) survived an entry that fills the budget", i, kind)
			}
		}
	}
}

func TestDir(t *testing.T) {
	want := filepath.Join(t.TempDir(), "c")
	t.Setenv("RUSTKO_CACHE_DIR", want)
	d, err := Dir()
	if err != nil || d != want {
		t.Fatalf("Dir = %q, %v; want %q", d, err, want)
	}
	if st, err := os.Stat(d); err != nil || !st.IsDir() {
		t.Errorf("Dir did not create %s", d)
	}
	t.Setenv("RUSTKO_CACHE_DIR", "")
	xdg := filepath.Join(t.TempDir(), "xdg")
	t.Setenv("XDG_CACHE_HOME", xdg)
	if d, err := Dir(); err != nil || d != filepath.Join(xdg, "rustko-lsp") {
		t.Errorf("Dir without RUSTKO_CACHE_DIR = %q, %v; want $XDG_CACHE_HOME/rustko-lsp", d, err)
	}
}
