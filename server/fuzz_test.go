package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"testing"
	"time"
)

// fuzzConn feeds fixed input and swallows output.
type fuzzConn struct{ r *bytes.Reader }

func (c fuzzConn) Read(p []byte) (int, error)  { return c.r.Read(p) }
func (c fuzzConn) Write(p []byte) (int, error) { return len(p), nil }
func (c fuzzConn) Close() error                { return nil }

func frame(bodies ...string) []byte {
	var b strings.Builder
	for _, body := range bodies {
		fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n%s", len(body), body)
	}
	return []byte(b.String())
}

// FuzzServerInput feeds arbitrary bytes to the message layer: framing,
// JSON-RPC decoding, dispatch and every handler behind it. The server must
// never panic and must stop promptly at the end of input.
func FuzzServerInput(f *testing.F) {
	const doc = "file:///fuzz/m/src/lib.rs"
	f.Add(frame(
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{"general":{"positionEncodings":["utf-8"]}},"workspaceFolders":[{"uri":"file:///fuzz/m","name":"m"}]}}`,
		`{"jsonrpc":"2.0","method":"initialized","params":{}}`,
		`{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"`+doc+`","languageId":"rust","version":1,"text":"fn f() { kmalloc(1); }\n"}}}`,
		`{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"`+doc+`","version":2},"contentChanges":[{"range":{"start":{"line":0,"character":3},"end":{"line":0,"character":4}},"text":"g"}]}}`,
		`{"jsonrpc":"2.0","id":2,"method":"textDocument/hover","params":{"textDocument":{"uri":"`+doc+`"},"position":{"line":0,"character":10}}}`,
		`{"jsonrpc":"2.0","id":3,"method":"textDocument/codeAction","params":{"textDocument":{"uri":"`+doc+`"},"range":{"start":{"line":0,"character":0},"end":{"line":0,"character":20}},"context":{"diagnostics":[]}}}`,
		`{"jsonrpc":"2.0","method":"textDocument/didSave","params":{"textDocument":{"uri":"`+doc+`"}}}`,
		`{"jsonrpc":"2.0","id":4,"method":"workspace/executeCommand","params":{"command":"rustko.showBinding","arguments":["file_operations"]}}`,
		`{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":4}}`,
		`{"jsonrpc":"2.0","id":5,"method":"shutdown"}`,
		`{"jsonrpc":"2.0","method":"exit"}`,
	))
	f.Add(frame(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}`, `{"jsonrpc":"2.0","id":`))
	f.Add([]byte("Content-Length: 5\r\n\r\n{}}}}Content-Length: 2\r\n\r\n[]"))
	f.Add([]byte("Content-Length: -1\r\n\r\nContent-Length: 99999999999999999999\r\n\r\n"))
	f.Add([]byte("\r\n\r\n\r\nGarbage without a colon\r\n\r\n"))

	f.Fuzz(func(t *testing.T, data []byte) {
		fake := newFake("/fuzz/m")
		opts := testOptions(fake, io.Discard)
		opts.Logger = slog.New(slog.DiscardHandler)
		srv := New(opts)
		done := make(chan int, 1)
		go func() { done <- srv.Run(context.Background(), fuzzConn{bytes.NewReader(data)}) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("server did not stop within 10 s after the end of %d bytes of input", len(data))
		}
	})
}

// Every goroutine the server starts ends when Run returns: readers,
// handlers, timers, builds and analyses.
func TestRunLeavesNoGoroutines(t *testing.T) {
	const doc = "file:///fuzz/m/src/lib.rs"
	input := frame(
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{"window":{"workDoneProgress":true}},"workspaceFolders":[{"uri":"file:///fuzz/m","name":"m"}]}}`,
		`{"jsonrpc":"2.0","method":"initialized","params":{}}`,
		`{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"`+doc+`","languageId":"rust","version":1,"text":"fn f() { kmalloc(1); }\n"}}}`,
		`{"jsonrpc":"2.0","method":"textDocument/didSave","params":{"textDocument":{"uri":"`+doc+`"}}}`,
		`{"jsonrpc":"2.0","id":2,"method":"textDocument/hover","params":{"textDocument":{"uri":"`+doc+`"},"position":{"line":0,"character":10}}}`,
	)
	before := runtime.NumGoroutine()
	for range 50 {
		opts := testOptions(newFake("/fuzz/m"), io.Discard)
		opts.Logger = slog.New(slog.DiscardHandler)
		New(opts).Run(context.Background(), fuzzConn{bytes.NewReader(input)})
	}
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<20)
		t.Fatalf("%d goroutines before, %d after 50 runs:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}
