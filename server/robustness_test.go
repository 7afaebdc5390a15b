package server

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

// raw drives the server with hand-written bytes, for input a typed client
// cannot produce.
type raw struct {
	t    *testing.T
	conn net.Conn
	in   *bufio.Reader
	exit chan int
	logs *syncBuffer
}

func startRaw(t *testing.T, b Backend) *raw {
	srvEnd, cliEnd := net.Pipe()
	logs := &syncBuffer{}
	srv := New(testOptions(b, logs))
	r := &raw{t: t, conn: cliEnd, in: bufio.NewReader(cliEnd), exit: make(chan int, 1), logs: logs}
	go func() { r.exit <- srv.Run(context.Background(), srvEnd) }()
	t.Cleanup(func() {
		_ = cliEnd.Close()
		select {
		case <-r.exit:
		case <-time.After(5 * time.Second):
			t.Errorf("server did not stop after the client hung up")
		}
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	return r
}

func (r *raw) send(body string) {
	r.t.Helper()
	r.sendBytes(fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body))
}

func (r *raw) sendBytes(b string) {
	r.t.Helper()
	_ = r.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(r.conn, b); err != nil {
		r.t.Fatalf("writing to the server: %v", err)
	}
}

type message struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	Params json.RawMessage `json:"params"`
}

// next reads the next message the server sends.
func (r *raw) next() message {
	r.t.Helper()
	_ = r.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	hdr, err := textproto.NewReader(r.in).ReadMIMEHeader()
	if err != nil {
		r.t.Fatalf("reading a header from the server: %v", err)
	}
	n, err := strconv.Atoi(hdr.Get("Content-Length"))
	if err != nil {
		r.t.Fatalf("bad Content-Length from the server: %v", err)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r.in, body); err != nil {
		r.t.Fatalf("reading a body from the server: %v", err)
	}
	var m message
	if err := json.Unmarshal(body, &m); err != nil {
		r.t.Fatalf("server sent invalid JSON %q: %v", body, err)
	}
	return m
}

// reply reads messages until the response with id arrives, skipping the
// server's own notifications and requests.
func (r *raw) reply(id string) message {
	r.t.Helper()
	for {
		m := r.next()
		if m.Method == "" && string(m.ID) == id {
			return m
		}
	}
}

func (r *raw) initialize() {
	r.t.Helper()
	r.send(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}`)
	if m := r.reply("1"); m.Error != nil {
		r.t.Fatalf("initialize failed: %+v", m.Error)
	}
	r.send(`{"jsonrpc":"2.0","method":"initialized","params":{}}`)
}

func TestMalformedInputIsAnsweredAndSurvived(t *testing.T) {
	root := tempModule(t, "fn main() {}\n")
	fake := newFake(root)
	fake.panicOn = "boom"
	r := startRaw(t, fake)
	r.initialize()

	lib := string(uri.File(filepath.Join(root, "src", "lib.rs")))
	boom := string(uri.File(filepath.Join(root, "src", "boom.rs")))
	tests := []struct {
		name     string
		send     string // a body, framed by the test
		rawBytes string // sent verbatim instead of send
		id       string // the id the error reply must carry ("null" for none)
		code     int    // 0: a success reply
	}{
		{name: "not JSON", send: `{"jsonrpc":"2.0","id":`, id: "null", code: -32700},
		{name: "JSON but not JSON-RPC, id recovered", send: `{"jsonrpc":"1.0","id":7,"method":"textDocument/hover"}`, id: "7", code: -32600},
		{name: "an array (batches are not LSP)", send: `[1,2]`, id: "null", code: -32600},
		{name: "unknown request", send: `{"jsonrpc":"2.0","id":8,"method":"textDocument/frobnicate","params":{}}`, id: "8", code: -32601},
		{name: "unknown request without params", send: `{"jsonrpc":"2.0","id":9,"method":"rustko/unknown"}`, id: "9", code: -32601},
		{name: "params of the wrong shape", send: `{"jsonrpc":"2.0","id":10,"method":"textDocument/hover","params":{"textDocument":{"uri":"` + lib + `"},"position":"top"}}`, id: "10", code: -32602},
		{name: "params not an object", send: `{"jsonrpc":"2.0","id":11,"method":"textDocument/definition","params":[1]}`, id: "11", code: -32602},
		{name: "panic in a handler", send: `{"jsonrpc":"2.0","id":12,"method":"textDocument/hover","params":{"textDocument":{"uri":"` + boom + `"},"position":{"line":0,"character":0}}}`, id: "12", code: -32603},
		{name: "string id", send: `{"jsonrpc":"2.0","id":"abc","method":"textDocument/hover","params":{"textDocument":{"uri":"untitled:Untitled-1"},"position":{"line":0,"character":0}}}`, id: `"abc"`},
		{name: "header without Content-Length is skipped", rawBytes: "X-Nothing: 1\r\n\r\n", id: ""},
		{name: "absurd Content-Length is skipped", rawBytes: "Content-Length: 99999999999\r\n\r\n", id: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r.t = t
			if tc.rawBytes != "" {
				r.sendBytes(tc.rawBytes)
			} else {
				r.send(tc.send)
			}
			if tc.id == "" {
				return
			}
			m := r.reply(tc.id)
			switch {
			case tc.code == 0 && m.Error != nil:
				t.Errorf("got error %+v, want success", m.Error)
			case tc.code != 0 && m.Error == nil:
				t.Errorf("got result %s, want error code %d", m.Result, tc.code)
			case tc.code != 0 && m.Error.Code != tc.code:
				t.Errorf("got error code %d (%s), want %d", m.Error.Code, m.Error.Message, tc.code)
			}
		})
	}
	r.t = t

	// Notifications that are bad in every way get no reply and break nothing.
	for _, n := range []string{
		`{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":7}}`,
		`{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"` + lib + `","version":2},"contentChanges":[{"text":"x"}]}}`,
		`{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":{"nested":true}}}`,
		`{"jsonrpc":"2.0","method":"$/cancelRequest"}`,
		`{"jsonrpc":"2.0","method":"workspace/didChangeConfiguration","params":{"settings":{"rustko":{"kernelDir":5}}}}`,
		`{"jsonrpc":"2.0","method":"rustko/somethingElse","params":{}}`,
		`{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"untitled:Untitled-1","languageId":"rust","version":1,"text":"kmalloc(1)"}}}`,
		`{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///nowhere/at/all.rs","languageId":"rust","version":1,"text":"kmalloc(1)"}}}`,
	} {
		r.send(n)
	}
	// The server is still alive and in order: a request after all that is
	// answered, and nothing was answered for the notifications.
	r.send(`{"jsonrpc":"2.0","id":99,"method":"textDocument/hover","params":{"textDocument":{"uri":"untitled:Untitled-1"},"position":{"line":0,"character":0}}}`)
	for {
		m := r.next()
		if m.Method != "" {
			if m.Method == "window/showMessage" {
				continue // the bad configuration is reported to the user
			}
			t.Fatalf("unexpected message from the server: %s %s", m.Method, m.Params)
		}
		if string(m.ID) != "99" {
			t.Fatalf("got a reply to %s, want only the reply to 99 (notifications get no reply)", m.ID)
		}
		if m.Error != nil || string(m.Result) != "null" {
			t.Fatalf("hover on an untitled buffer = %s %+v, want null", m.Result, m.Error)
		}
		break
	}

	r.send(`{"jsonrpc":"2.0","id":100,"method":"shutdown"}`)
	if m := r.reply("100"); m.Error != nil {
		t.Fatalf("shutdown: %+v", m.Error)
	}
	r.send(`{"jsonrpc":"2.0","method":"exit"}`)
	select {
	case code := <-r.exit:
		r.exit <- code
		if code != 0 {
			t.Errorf("exit code %d, want 0", code)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("server did not exit")
	}
	if logs := r.logs.String(); !strings.Contains(logs, "panicked") {
		t.Errorf("the handler panic was not logged:\n%s", logs)
	}
}

// A notification must never receive a reply, even when its handler fails;
// and a malformed notification must not end the connection (the library's
// default for a failing notification handler).
func TestPanicInHandlerKeepsServing(t *testing.T) {
	root := tempModule(t, "")
	fake := newFake(root)
	fake.panicOn = "boom"
	h := start(t, fake)
	h.initialize(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for i := range 3 {
		_, err := h.server.Hover(ctx, &protocol.HoverParams{TextDocumentPositionParams: protocol.TextDocumentPositionParams{
			TextDocument: protocol.TextDocumentIdentifier{URI: uri.File(filepath.Join(root, "boom.rs"))},
		}})
		if codeOf(err) != -32603 {
			t.Fatalf("hover %d: %v, want InternalError", i, err)
		}
	}
	// didOpen of the same file panics inside a notification: logged, no reply.
	h.open(t, filepath.Join(root, "boom.rs"), "x")
	if code := h.shutdown(t); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
}
