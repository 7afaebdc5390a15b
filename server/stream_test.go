package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func hoverReq(id int) string {
	return fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"textDocument/hover","params":{"textDocument":{"uri":"untitled:Untitled-1"},"position":{"line":0,"character":0}}}`, id)
}

// framed frames body with a Content-Length off by delta bytes.
func framed(body string, delta int) string {
	return fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body)+delta, body)
}

// oversized is a request of n bytes (over maxMessage) whose id comes first.
func oversized(id, n int) string {
	start := fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"textDocument/hover","params":{"pad":"`, id)
	end := `"}}`
	return start + strings.Repeat("a", n-len(start)-len(end)) + end
}

// framingCase is bytes that break the framing, then a valid request: the
// request after the damage must be answered, and so must the damaged one
// when its id can still be read (want lists the replies, in order, with
// the error code each must carry; 0 is a success).
type framingCase struct {
	name   string
	damage string
	want   []reply
}

type reply struct {
	id   int
	code int
}

func framingCases() []framingCase {
	return []framingCase{
		{"Content-Length 5 bytes short", framed(hoverReq(20), -5), []reply{{20, 0}}},
		{"Content-Length 5 bytes long", framed(hoverReq(21), +5), []reply{{21, 0}}},
		{"Content-Length 1 byte long", framed(hoverReq(22), +1), []reply{{22, 0}}},
		{"Content-Length far too long", framed(hoverReq(23), +400), []reply{{23, 0}}},
		{"Content-Length 100 bytes short", framed(hoverReq(24), -100), []reply{{24, 0}}},
		{"header without a body", "Content-Length: 60\r\n\r\n", nil},
		{"absurd Content-Length, no body", "Content-Length: 99999999999\r\n\r\n", nil},
		{"header lines without Content-Length", "Garbage\r\nX-Thing: 1\r\n\r\n", nil},
		{"bytes without a line feed", "\x00\xff{{}}garbage", nil},
		{"a body without a header", hoverReq(25), nil},
		{"an unfinished header", "Content-Length: 3", nil},
		{"a line longer than any header", strings.Repeat("x", 10000), nil},
		{"a frame cut short", "Content-Length: 40\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":26", []reply{{26, -32700}}},
		{"over-cap body, skipped", framed(oversized(27, maxMessage+1000), 0), []reply{{27, -32600}}},
	}
}

// TestFramingErrorsResynchronise: after each kind of framing damage, the
// next valid request is answered (in-process, over a pipe).
func TestFramingErrorsResynchronise(t *testing.T) {
	for i, tc := range framingCases() {
		t.Run(tc.name, func(t *testing.T) {
			r := startRaw(t, newFake())
			r.initialize()
			next := 1000 + i
			r.sendBytes(tc.damage + framed(hoverReq(next), 0))
			for _, w := range append(tc.want, reply{next, 0}) {
				m := r.next()
				for m.Method != "" {
					m = r.next()
				}
				checkReply(t, m, w)
			}
			// And the server is still in step for a normal exchange.
			r.send(`{"jsonrpc":"2.0","id":5000,"method":"shutdown"}`)
			if m := r.reply("5000"); m.Error != nil {
				t.Fatalf("shutdown: %+v", m.Error)
			}
		})
	}
}

func checkReply(t *testing.T, m message, w reply) {
	t.Helper()
	wantID := strconv.Itoa(w.id)
	if w.id < 0 {
		wantID = "null"
	}
	if string(m.ID) != wantID {
		t.Fatalf("got a reply to %s (%s %+v), want the reply to %s", m.ID, m.Result, m.Error, wantID)
	}
	switch {
	case w.code == 0 && m.Error != nil:
		t.Errorf("reply %s: error %+v, want success", wantID, m.Error)
	case w.code != 0 && (m.Error == nil || m.Error.Code != w.code):
		t.Errorf("reply %s: %s %+v, want error code %d", wantID, m.Result, m.Error, w.code)
	}
}

// Garbage that never holds a header is not LSP: past maxGarbage the server
// gives up with exit code 1, so the client restarts it, instead of reading
// forever while the editor waits.
func TestUnrecoverableInputExitsNonZero(t *testing.T) {
	r := startRaw(t, newFake())
	r.initialize()
	chunk := strings.Repeat("garbage ", 1<<16)
	go func() {
		for sent := 0; sent <= maxGarbage; sent += len(chunk) {
			if _, err := io.WriteString(r.conn, chunk); err != nil {
				return
			}
		}
	}()
	select {
	case code := <-r.exit:
		r.exit <- code
		if code != 1 {
			t.Errorf("exit code %d, want 1", code)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the server still reads garbage after more than maxGarbage bytes")
	}
}

// A large message grows the read buffer; the next read gives it back.
func TestReadBufferShrinksAfterLargeMessage(t *testing.T) {
	big := `{"jsonrpc":"2.0","method":"rustko/unknown","params":{"pad":"` + strings.Repeat("a", 8<<20) + `"}}`
	in := framed(big, 0) + framed(hoverReq(1), 0)
	s := newTolerantStream(rwc{strings.NewReader(in)}, slog.New(slog.DiscardHandler))
	ctx := context.Background()
	if _, _, err := s.Read(ctx); err != nil {
		t.Fatal(err)
	}
	if len(s.buf) < len(big) {
		t.Fatalf("buffer %d bytes after reading %d", len(s.buf), len(big))
	}
	if _, _, err := s.Read(ctx); err != nil {
		t.Fatal(err)
	}
	if len(s.buf) > readBufSize {
		t.Errorf("buffer still %d bytes after the next message, want at most %d", len(s.buf), readBufSize)
	}
}

type rwc struct{ io.Reader }

func (rwc) Write(p []byte) (int, error) { return len(p), nil }
func (rwc) Close() error                { return nil }

// blockingConn serves fixed input, then blocks until released, and collects
// the frames the server writes.
type blockingConn struct {
	r       *bytes.Reader
	release chan struct{}
	once    sync.Once
	mu      sync.Mutex
	out     bytes.Buffer
	ids     map[string]bool
	want    map[string]bool
}

func (c *blockingConn) Read(p []byte) (int, error) {
	if c.r.Len() > 0 {
		return c.r.Read(p)
	}
	<-c.release
	return 0, io.EOF
}

func (c *blockingConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.out.Write(p)
	in := bufio.NewReader(bytes.NewReader(c.out.Bytes()))
	used := 0
	for {
		body, err := readFrame(in)
		if err != nil {
			break
		}
		used = c.out.Len() - in.Buffered()
		var m message
		if json.Unmarshal(body, &m) == nil && m.Method == "" {
			c.ids[string(m.ID)] = true
		}
	}
	c.out.Next(used)
	for id := range c.want {
		if !c.ids[id] {
			return len(p), nil
		}
	}
	c.once.Do(func() { close(c.release) })
	return len(p), nil
}

func (c *blockingConn) Close() error {
	c.once.Do(func() { close(c.release) })
	return nil
}

// FuzzFramingResync puts arbitrary bytes between valid frames: every valid
// request after the damage must get its reply.
func FuzzFramingResync(f *testing.F) {
	for _, tc := range framingCases() {
		if len(tc.damage) < 1<<16 {
			f.Add([]byte(tc.damage))
		}
	}
	f.Add([]byte("Content-Length: 5\r\n\r\n{}}}}"))
	f.Add([]byte("content-length: 10\r\ncontent-length: x\r\n\r"))
	f.Add([]byte("Content-Length: 70000000\r\n\r\n{\"id\":3,"))
	f.Fuzz(func(t *testing.T, damage []byte) {
		low := bytes.ToLower(damage)
		if bytes.Contains(low, []byte("exit")) || bytes.Contains(low, []byte("shutdown")) {
			return // a valid exit in the damage ends the session by design
		}
		valid := []int{9001, 9002, 9003}
		var in bytes.Buffer
		in.WriteString(framed(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}`, 0))
		in.WriteString(framed(`{"jsonrpc":"2.0","method":"initialized","params":{}}`, 0))
		in.Write(damage)
		want := map[string]bool{}
		for _, id := range valid {
			in.WriteString(framed(hoverReq(id), 0))
			want[strconv.Itoa(id)] = true
		}
		conn := &blockingConn{r: bytes.NewReader(in.Bytes()), release: make(chan struct{}), ids: map[string]bool{}, want: want}
		opts := testOptions(newFake(), io.Discard)
		opts.Logger = slog.New(slog.DiscardHandler)
		done := make(chan int, 1)
		go func() { done <- New(opts).Run(context.Background(), conn) }()
		select {
		case <-conn.release:
		case <-time.After(10 * time.Second):
			conn.Close()
			<-done
			conn.mu.Lock()
			defer conn.mu.Unlock()
			t.Fatalf("replies after %q: got %v, want all of %v", damage, conn.ids, want)
		}
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("server did not stop at the end of input")
		}
	})
}

// The framing cases through the real binary over a pipe, and memory: an
// over-cap body is skipped without being buffered, and the buffer of a
// large message is given back.
func TestServeBinaryResynchronises(t *testing.T) {
	bin := rustkoBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "serve")
	cmd.Dir = t.TempDir()
	stdin, err := cmd.StdinPipe()
	must(t, err)
	stdout, err := cmd.StdoutPipe()
	must(t, err)
	var stderr syncBuffer
	cmd.Stderr = &stderr
	must(t, cmd.Start())
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	in := bufio.NewReader(stdout)
	write := func(s string) {
		t.Helper()
		if _, err := io.WriteString(stdin, s); err != nil {
			t.Fatalf("writing to the server: %v\nstderr:\n%s", err, tail(stderr.String(), 20))
		}
	}
	// Large writes go on their own goroutine: the server answers while it
	// reads, and a pipe holds only 64 KiB.
	writeAsync := func(s string) {
		go func() {
			if _, err := io.WriteString(stdin, s); err != nil {
				t.Errorf("writing to the server: %v", err)
			}
		}()
	}
	next := func() message {
		t.Helper()
		for {
			body, err := readFrame(in)
			if err != nil {
				t.Fatalf("reading from the server: %v\nstderr:\n%s", err, tail(stderr.String(), 20))
			}
			var m message
			must(t, json.Unmarshal(body, &m))
			if m.Method == "" {
				return m
			}
		}
	}
	write(framed(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}`, 0) +
		framed(`{"jsonrpc":"2.0","method":"initialized","params":{}}`, 0))
	checkReply(t, next(), reply{1, 0})
	for i, tc := range framingCases() {
		t.Run(tc.name, func(t *testing.T) {
			id := 2000 + i
			writeAsync(tc.damage + framed(hoverReq(id), 0))
			// Requests run concurrently, so their replies may come in
			// any order: match them by id.
			wants := append(tc.want, reply{id, 0})
			got := map[string]message{}
			for range wants {
				m := next()
				got[string(m.ID)] = m
			}
			for _, w := range wants {
				key := strconv.Itoa(w.id)
				if w.id < 0 {
					key = "null"
				}
				m, ok := got[key]
				if !ok {
					t.Fatalf("no reply to %s among %d replies", key, len(wants))
				}
				checkReply(t, m, w)
			}
		})
	}
	if hwm := procKiB(t, cmd.Process.Pid, "VmHWM"); hwm > 48<<10 {
		t.Errorf("peak RSS %d KiB after skipping a %d MiB body: it was buffered", hwm, maxMessage>>20)
	}
	// A 50 MiB message within the cap is read, then its buffer given back.
	big := `{"jsonrpc":"2.0","method":"rustko/unknown","params":{"pad":"` + strings.Repeat("a", 50<<20) + `"}}`
	writeAsync(framed(big, 0) + framed(hoverReq(3000), 0))
	checkReply(t, next(), reply{3000, 0})
	if rss := procKiB(t, cmd.Process.Pid, "VmRSS"); rss > 48<<10 {
		t.Errorf("RSS %d KiB after a 50 MiB message was handled: the read buffer is still held", rss)
	}
	write(framed(`{"jsonrpc":"2.0","id":4000,"method":"shutdown"}`, 0) + framed(`{"jsonrpc":"2.0","method":"exit"}`, 0))
	checkReply(t, next(), reply{4000, 0})
	err = cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) || err != nil {
		t.Errorf("server exit: %v, want 0", err)
	}

	// Input that is not LSP at all: the process exits 1 so the client
	// restarts it.
	cmd2 := exec.CommandContext(ctx, bin, "serve")
	cmd2.Dir = t.TempDir()
	stdin2, err := cmd2.StdinPipe()
	must(t, err)
	must(t, cmd2.Start())
	go func() {
		chunk := strings.Repeat("garbage ", 1<<16)
		for sent := 0; sent <= maxGarbage; sent += len(chunk) {
			if _, err := io.WriteString(stdin2, chunk); err != nil {
				return
			}
		}
	}()
	err = cmd2.Wait()
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Errorf("server fed %d MiB without a header: %v, want exit code 1", maxGarbage>>20, err)
	}
}

// procKiB reads one "Vm...: N kB" line of /proc/PID/status.
func procKiB(t *testing.T, pid int, field string) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	must(t, err)
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, field+":"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			must(t, err)
			return n
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}
