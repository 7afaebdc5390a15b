package server

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
)

// maxMessage bounds one message body. The library accepts up to 1 GiB and
// allocates the declared length before reading; a corrupt header must not
// make the server allocate that much.
const maxMessage = 64 << 20

// tolerantStream keeps the connection alive through bad input. jsonrpc2
// treats a frame that is not a JSON-RPC message as the end of the stream; a
// language server must instead answer it (ParseError or InvalidRequest,
// with the request's id when one can be read) and go on with the next frame.
// A malformed header block is skipped the same way. Only transport errors
// (and end of input) end the stream. Writes go through the library's header
// stream, which frames each message in one write.
type tolerantStream struct {
	in    *bufio.Reader
	inner jsonrpc2.Stream
	body  []byte
	log   *slog.Logger
}

func newTolerantStream(rwc io.ReadWriteCloser, log *slog.Logger) *tolerantStream {
	return &tolerantStream{in: bufio.NewReader(rwc), inner: jsonrpc2.NewHeaderStream(rwc), log: log}
}

// errBadHeader marks a header block that was read completely but is unusable.
var errBadHeader = errors.New("malformed header")

func (s *tolerantStream) Read(ctx context.Context) (jsonrpc2.Message, int64, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		body, n, err := s.readFrame()
		if errors.Is(err, errBadHeader) {
			s.log.Warn("skipping a message with a malformed header (want `Content-Length: N`, N at most 64 MiB, then a blank line)", "error", err)
			continue
		}
		if err != nil {
			return nil, 0, err
		}
		msg, err := jsonrpc2.DecodeMessage(body)
		if err == nil {
			return msg, n, nil
		}
		var werr *jsonrpc2.Error
		if !errors.As(err, &werr) {
			werr = jsonrpc2.NewError(jsonrpc2.ParseError, err.Error())
		}
		id := requestID(body)
		s.log.Warn("answering a malformed message", "error", werr.Message, "code", int(werr.Code), "bytes", len(body))
		reply := jsonrpc2.NewError(werr.Code, describeBadMessage(werr, len(body)))
		if _, err := s.inner.Write(ctx, jsonrpc2.NewResponse(id, nil, reply)); err != nil {
			return nil, 0, err
		}
	}
}

// readFrame reads one header block and its body. The body is valid until
// the next call, the same contract as the library's streams.
func (s *tolerantStream) readFrame() ([]byte, int64, error) {
	length, consumed, bad, started := -1, 0, "", false
	for {
		line, err := s.in.ReadSlice('\n')
		consumed += len(line)
		if errors.Is(err, bufio.ErrBufferFull) {
			bad = "header line longer than 4 KiB"
			continue
		}
		if err != nil {
			if err == io.EOF && consumed > 0 {
				err = io.ErrUnexpectedEOF
			}
			return nil, 0, err
		}
		l := strings.TrimRight(string(line), "\r\n")
		if l == "" {
			if !started {
				continue // blank lines between messages
			}
			break
		}
		started = true
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			bad = fmt.Sprintf("header line %q has no colon", truncate(l, 40))
			continue
		}
		if strings.EqualFold(strings.TrimSpace(name), "Content-Length") {
			n, err := strconv.Atoi(strings.TrimSpace(value))
			if err != nil || n <= 0 || n > maxMessage {
				bad = fmt.Sprintf("Content-Length %q", truncate(strings.TrimSpace(value), 20))
				continue
			}
			length = n
		}
	}
	// With a usable length the body is read even if another header line was
	// odd: skipping it would make the reader parse the body as headers.
	if length < 0 {
		if bad == "" {
			bad = "no Content-Length"
		}
		return nil, 0, fmt.Errorf("%w: %s", errBadHeader, bad)
	}
	if cap(s.body) < length {
		s.body = make([]byte, length)
	}
	body := s.body[:length]
	if _, err := io.ReadFull(s.in, body); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, 0, err
	}
	return body, int64(consumed + length), nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

func describeBadMessage(err *jsonrpc2.Error, size int) string {
	switch err.Code {
	case jsonrpc2.ParseError:
		return fmt.Sprintf("rustko-lsp: the message body (%d bytes) is not valid JSON; it was ignored", size)
	case jsonrpc2.InvalidRequest:
		return "rustko-lsp: the message is JSON but not a JSON-RPC 2.0 request or response (need \"jsonrpc\":\"2.0\" and a method or id); it was ignored"
	}
	return "rustko-lsp: " + err.Message
}

// requestID recovers the id of a message the library rejected, so the
// client's pending request is answered rather than left waiting forever.
func requestID(body []byte) jsonrpc2.ID {
	var probe struct {
		ID json.RawMessage `json:"id"`
	}
	if json.Unmarshal(body, &probe) != nil || len(probe.ID) == 0 {
		return jsonrpc2.ID{}
	}
	var n int64
	if json.Unmarshal(probe.ID, &n) == nil {
		return jsonrpc2.NewNumberID(n)
	}
	var s string
	if json.Unmarshal(probe.ID, &s) == nil {
		return jsonrpc2.NewStringID(s)
	}
	return jsonrpc2.ID{}
}

func (s *tolerantStream) Write(ctx context.Context, msg jsonrpc2.Message) (int64, error) {
	return s.inner.Write(ctx, msg)
}

func (s *tolerantStream) Close() error { return s.inner.Close() }

// lspCodec marshals payloads with the protocol package's union-aware codec,
// as protocol.NewServer does; the server builds its connection itself so it
// can choose its own handler chain.
type lspCodec struct{}

func (lspCodec) Marshal(v any) ([]byte, error) {
	switch m := v.(type) {
	case jsonrpc2.RawMessage:
		if m == nil {
			return []byte("null"), nil
		}
		return m, nil
	case *jsonrpc2.RawMessage:
		if m == nil || *m == nil {
			return []byte("null"), nil
		}
		return *m, nil
	}
	return protocol.Marshal(v)
}

// Unmarshal decodes from a private copy of data. jsonrpc2 hands the codec
// bytes borrowed from its reused frame buffer, and protocol v1.0.1 decodes
// union-typed roots (a []CommandOrCodeAction result, for one) without
// copying, so their strings would otherwise change under the caller when
// the next message arrives.
func (lspCodec) Unmarshal(data []byte, v any) error {
	owned := append([]byte(nil), data...)
	if p, ok := v.(*jsonrpc2.RawMessage); ok {
		*p = owned
		return nil
	}
	return protocol.Unmarshal(owned, v)
}
