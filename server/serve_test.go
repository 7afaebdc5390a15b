package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/textproto"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"go.lsp.dev/uri"
)

// The built binary, as an editor starts it: stdout must carry nothing but
// protocol frames (every package logs to stderr), and the process must end
// with LSP's exit code even though nothing closes its stdin.
func TestServeBinary(t *testing.T) {
	requireRealTools(t)
	bin := rustkoBinary(t)
	root := copyModule(t, "")
	lib := filepath.Join(root, "src", "lib.rs")
	libURI := string(uri.File(lib))

	frame := func(body string) string { return fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body) }
	initialize := frame(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"rootUri":"`+string(uri.File(root))+
		`","capabilities":{"window":{"workDoneProgress":true}},"initializationOptions":{"buildOnSave":false}}}`) +
		frame(`{"jsonrpc":"2.0","method":"initialized","params":{}}`) +
		frame(`{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"`+libURI+`","languageId":"rust","version":1,"text":"fn f() { unsafe { bindings::kmalloc(8, bindings::GFP_KERNEL); } }\n"}}}`)

	tests := []struct {
		name     string
		bare     bool   // start without "serve": a pipe on stdin dispatches to it
		end      string // what follows once the analysis is published
		wantCode int
	}{
		{"shutdown then exit is 0", false, frame(`{"jsonrpc":"2.0","id":2,"method":"shutdown"}`) + frame(`{"jsonrpc":"2.0","method":"exit"}`), 0},
		{"exit without shutdown is 1", true, frame(`{"jsonrpc":"2.0","method":"exit"}`), 1},
		{"input closed without exit is 1", false, "", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), realTimeout)
			defer cancel()
			args := []string{"serve", "--log-level", "debug"}
			if tc.bare {
				args = nil
			}
			cmd := exec.CommandContext(ctx, bin, args...)
			cmd.Dir = root
			stdin, err := cmd.StdinPipe()
			must(t, err)
			stdout, err := cmd.StdoutPipe()
			must(t, err)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			must(t, cmd.Start())
			_, err = io.WriteString(stdin, initialize)
			must(t, err)

			// Read frames until the analysis of lib.rs is published; every
			// byte must belong to a frame holding one JSON-RPC message.
			in := bufio.NewReader(stdout)
			for published := false; !published; {
				body, err := readFrame(in)
				if err != nil {
					t.Fatalf("stdout is not pure protocol: %v\nstderr:\n%s", err, tail(stderr.String(), 40))
				}
				var m struct {
					Method string `json:"method"`
					Params struct {
						URI         string            `json:"uri"`
						Diagnostics []json.RawMessage `json:"diagnostics"`
					} `json:"params"`
				}
				if err := json.Unmarshal(body, &m); err != nil {
					t.Fatalf("a frame on stdout is not JSON (%v): %q", err, body)
				}
				published = m.Method == "textDocument/publishDiagnostics" && m.Params.URI == libURI && len(m.Params.Diagnostics) > 0
			}
			if tc.end != "" {
				_, err = io.WriteString(stdin, tc.end)
				must(t, err)
			} else {
				must(t, stdin.Close())
			}
			// Drain what remains (the shutdown reply) and check it too.
			for {
				if _, err := readFrame(in); err != nil {
					if !errors.Is(err, io.EOF) {
						t.Errorf("stdout after the end is not pure protocol: %v", err)
					}
					break
				}
			}
			err = cmd.Wait()
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatalf("waiting for the server: %v", err)
			}
			if code != tc.wantCode {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, tc.wantCode, tail(stderr.String(), 20))
			}
			if strings.Contains(stderr.String(), "goroutine ") && strings.Contains(stderr.String(), "panic") {
				t.Errorf("a Go stack trace on stderr:\n%s", stderr.String())
			}
		})
	}
}

// readFrame reads one Content-Length frame; io.EOF only at a clean boundary.
func readFrame(r *bufio.Reader) ([]byte, error) {
	if _, err := r.Peek(1); err != nil {
		return nil, err
	}
	hdr, err := textproto.NewReader(r).ReadMIMEHeader()
	if err != nil {
		return nil, fmt.Errorf("reading a header: %w", err)
	}
	n, err := strconv.Atoi(hdr.Get("Content-Length"))
	if err != nil || n <= 0 || len(hdr) != 1 {
		return nil, fmt.Errorf("bad header %v", hdr)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, fmt.Errorf("reading a %d-byte body: %w", n, err)
	}
	return body, nil
}
