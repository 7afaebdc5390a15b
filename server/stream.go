package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
)

// maxMessage bounds one message body the server reads into memory. The
// library accepts up to 1 GiB and allocates the declared length before
// reading; a corrupt header must not make the server allocate that much. A
// longer body is skipped without being buffered.
const maxMessage = 64 << 20

const (
	// readBufSize is the read buffer's resting size: many small messages per
	// read, and what the buffer shrinks back to after a large message.
	readBufSize = 64 << 10
	// maxHeaderLine is the longest line taken as a header line; a longer run
	// without a line feed is garbage to be scanned for the next header.
	maxHeaderLine = 4 << 10
	// freeOSAbove is the buffer size from which releasing it also returns the
	// memory to the system at once: a server lives as long as the editor, and
	// the runtime's background scavenger leaves a released 50 MiB buffer
	// resident for minutes.
	freeOSAbove = 8 << 20
	// maxGarbage bounds the bytes discarded in a row while looking for the
	// next frame. Past it the input is not LSP framing at all (a client
	// writing something else to the pipe): the stream fails, Run returns 1,
	// and the client restarts the server instead of talking to a deaf one.
	maxGarbage = maxMessage + 1<<20
)

// tolerantStream keeps the connection alive through bad input. jsonrpc2
// treats a frame that is not a JSON-RPC message as the end of the stream; a
// language server must instead answer it (ParseError or InvalidRequest,
// with the request's id when one can be read) and go on with the next frame.
//
// It also finds the next frame after a framing error, which a plain
// Content-Length reader cannot: with a length a few bytes short the rest of
// the body precedes the next header, with one a few bytes long the body
// swallows the start of the next header, and either way every later frame
// is misread. So the stream owns its buffer (bytes read too far can be put
// back), a header is recognised wherever it starts on a line, a body is
// checked for a header inside it (text no valid JSON body can contain), and
// a body that does not parse is re-cut where the neighbouring bytes make it
// parse. Only transport errors, end of input and maxGarbage end the stream.
// Writes and Close go to the library's header stream, which frames each
// message in one write.
type tolerantStream struct {
	jsonrpc2.Stream
	r        io.Reader
	buf      []byte
	off, end int   // buf[off:end] is read but not consumed
	rerr     error // the reader's error, returned once the buffer is drained
	garbage  int   // bytes discarded since the last frame
	log      *slog.Logger
}

func newTolerantStream(rwc io.ReadWriteCloser, log *slog.Logger) *tolerantStream {
	return &tolerantStream{r: rwc, buf: make([]byte, readBufSize), Stream: jsonrpc2.NewHeaderStream(rwc), log: log}
}

var (
	// errBadHeader marks a header block that was read completely but is
	// unusable.
	errBadHeader = errors.New("malformed header")
	// errLostFraming ends the stream: see maxGarbage.
	errLostFraming = errors.New("lost LSP framing: no Content-Length header")
)

// tooLarge is a frame whose body was over maxMessage and was skipped.
type tooLarge struct {
	length int
	id     jsonrpc2.ID
}

func (e *tooLarge) Error() string {
	return fmt.Sprintf("message of %d bytes is over the %d MiB limit", e.length, maxMessage>>20)
}

func (s *tolerantStream) Read(ctx context.Context) (jsonrpc2.Message, int64, error) {
	s.release()
	for {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		body, n, err := s.readFrame()
		var big *tooLarge
		switch {
		case errors.Is(err, errBadHeader):
			s.log.Warn("skipping a message with a malformed header (want `Content-Length: N`, then a blank line)", "error", err)
			continue
		case errors.As(err, &big):
			s.log.Warn("skipped a message over the size limit without reading it", "bytes", big.length, "limit", maxMessage)
			if !big.id.IsValid() {
				continue // a notification, or no body at all: nobody waits
			}
			msg := fmt.Sprintf("rustko-lsp: the message (%d bytes) is over the %d MiB limit; it was skipped", big.length, maxMessage>>20)
			if _, err := s.Write(ctx, jsonrpc2.NewResponse(big.id, nil, jsonrpc2.NewError(jsonrpc2.InvalidRequest, msg))); err != nil {
				return nil, 0, err
			}
			continue
		case err != nil:
			return nil, 0, err
		}
		if len(body) == 0 {
			continue // the declared body was the next frame's header
		}
		msg, err := jsonrpc2.DecodeMessage(body)
		if err != nil {
			if fixed, ok := s.recut(body); ok {
				body = fixed
				if len(bytes.TrimSpace(body)) == 0 {
					continue // the "body" was the next frame's header
				}
				msg, err = jsonrpc2.DecodeMessage(body)
			}
		}
		if err == nil {
			s.garbage = 0
			return msg, n, nil
		}
		var werr *jsonrpc2.Error
		if !errors.As(err, &werr) {
			werr = jsonrpc2.NewError(jsonrpc2.ParseError, err.Error())
		}
		id := requestID(body)
		s.log.Warn("answering a malformed message", "error", werr.Message, "code", int(werr.Code), "bytes", len(body))
		reply := jsonrpc2.NewError(werr.Code, describeBadMessage(werr, len(body)))
		if _, err := s.Write(ctx, jsonrpc2.NewResponse(id, nil, reply)); err != nil {
			return nil, 0, err
		}
	}
}

// release shrinks the buffer after a large message. The previous message's
// bytes are dead by now (the stream's contract: valid until the next Read).
func (s *tolerantStream) release() {
	if len(s.buf) <= readBufSize || s.end-s.off > readBufSize/2 {
		return
	}
	old := len(s.buf)
	nb := make([]byte, readBufSize)
	s.end = copy(nb, s.buf[s.off:s.end])
	s.off, s.buf = 0, nb
	if old >= freeOSAbove {
		debug.FreeOSMemory()
	}
}

// fill reads once more from the input, making room for at least want
// unread bytes (the buffer grows only for that).
func (s *tolerantStream) fill(want int) error {
	if s.rerr != nil {
		return s.rerr
	}
	if s.off > 0 && (s.end == len(s.buf) || want > len(s.buf)-s.off) {
		s.end = copy(s.buf, s.buf[s.off:s.end])
		s.off = 0
	}
	if want > len(s.buf) {
		nb := make([]byte, max(want, 2*len(s.buf)))
		if want > readBufSize {
			nb = make([]byte, want) // a large body: exactly its size
		}
		s.end = copy(nb, s.buf[s.off:s.end])
		s.off, s.buf = 0, nb
	}
	if s.end == len(s.buf) {
		return nil // full: the caller consumes before asking again
	}
	n, err := s.r.Read(s.buf[s.end:])
	s.end += n
	if err != nil {
		s.rerr = err
		if n == 0 {
			return err
		}
	}
	return nil
}

// discard drops n unread bytes that are not part of any frame.
func (s *tolerantStream) discard(n int) error {
	s.off += n
	s.garbage += n
	if s.garbage > maxGarbage {
		return fmt.Errorf("%w in %d bytes", errLostFraming, s.garbage)
	}
	return nil
}

// line returns the next header line without its line ending. A run longer
// than any header line is garbage: it is dropped, except from the last
// "Content-Length:" in it, where the next frame may start.
func (s *tolerantStream) line() (string, error) {
	for {
		unread := s.buf[s.off:s.end]
		i := bytes.IndexByte(unread, '\n')
		if i >= 0 && i < maxHeaderLine {
			s.off += i + 1
			return strings.TrimRight(string(unread[:i]), "\r"), nil
		}
		if len(unread) >= maxHeaderLine {
			// Only up to the first line feed: a header found past it
			// would skip the frames before it.
			seg := unread
			if i >= 0 {
				seg = unread[:i]
			}
			drop := len(seg) - (len(headerName) - 1) // a name cut by the end stays
			if j := lastIndexFold(seg, headerName); j > 0 {
				drop = j
			}
			if err := s.discard(drop); err != nil {
				return "", err
			}
			continue
		}
		if err := s.fill(0); err != nil {
			if err == io.EOF && s.end > s.off {
				s.off = s.end
				err = io.ErrUnexpectedEOF
			}
			return "", err
		}
	}
}

var headerName = []byte("Content-Length:")

// lastIndexFold is bytes.LastIndex ignoring ASCII case.
func lastIndexFold(b, sub []byte) int {
	for i := len(b) - len(sub); i >= 0; i-- {
		if bytes.EqualFold(b[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

// findHeader returns the offset of the first "Content-Length: N" line in b,
// or -1. No valid JSON body contains one: a JSON string holds no raw line
// feed, and the name is not JSON outside a string. So inside a declared
// body it is the next frame, and the declared length was wrong.
func findHeader(b []byte) int {
	if loc := headerLine.FindIndex(b); loc != nil {
		return loc[0]
	}
	return -1
}

// headerLine is a whole "Content-Length: N" line, for findHeader.
var headerLine = regexp.MustCompile("Content-Length:[ \t]*[0-9]+[ \t\r]*\n")

// readFrame reads one header block and its body. The body is valid until
// the next call, the same contract as the library's streams.
func (s *tolerantStream) readFrame() ([]byte, int64, error) {
	length, consumed, bad, started := -1, 0, "", false
	for {
		l, err := s.line()
		if err != nil {
			return nil, 0, err
		}
		consumed += len(l) + 2
		if l == "" {
			if !started {
				continue // blank lines between messages
			}
			break
		}
		// Bytes left over from a body whose length was too short run into
		// the next header: the frame starts at the header name.
		if j := lastIndexFold([]byte(l), headerName); j > 0 {
			s.log.Warn("skipped bytes before a header", "bytes", j)
			if s.garbage += j; s.garbage > maxGarbage {
				return nil, 0, fmt.Errorf("%w in %d bytes", errLostFraming, s.garbage)
			}
			l, length, bad = l[j:], -1, ""
		}
		started = true
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			bad = fmt.Sprintf("header line %q has no colon", truncate(l, 40))
			continue
		}
		if strings.EqualFold(strings.TrimSpace(name), "Content-Length") {
			n, err := strconv.Atoi(strings.TrimSpace(value))
			if err != nil || n <= 0 {
				bad = fmt.Sprintf("Content-Length %q", truncate(strings.TrimSpace(value), 20))
				length = -1
				continue
			}
			length, bad = n, ""
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
	if length > maxMessage {
		return nil, 0, s.skip(length)
	}
	body, err := s.body(length)
	if err != nil {
		return nil, 0, err
	}
	return body, int64(consumed + len(body)), nil
}

// body reads a declared body of length bytes, or less when the next frame's
// header shows up inside it.
func (s *tolerantStream) body(length int) ([]byte, error) {
	scanned := 0
	for {
		unread := s.buf[s.off:s.end]
		from := max(0, scanned-64)
		if p := findHeader(unread[from:]); p >= 0 && from+p < length {
			s.log.Warn("a message body holds the next message's header; its Content-Length was too long", "declared", length, "actual", from+p)
			s.off += from + p
			return unread[:from+p], nil
		}
		scanned = len(unread)
		if len(unread) >= length {
			s.off += length
			return unread[:length], nil
		}
		if err := s.fill(length); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
	}
}

// skip drops a body over maxMessage without buffering it, keeping only its
// start to find the request's id. A header line inside it ends it early,
// as in body.
func (s *tolerantStream) skip(length int) error {
	big := &tooLarge{length: length}
	var head []byte
	keep := func(b []byte) {
		if len(head) < 4<<10 {
			head = append(head, b[:min(len(b), 4<<10-len(head))]...)
		}
	}
	for left := length; left > 0; {
		unread := s.buf[s.off:s.end]
		if p := findHeader(unread); p >= 0 && p < left {
			s.log.Warn("an oversized message body holds the next message's header; its Content-Length was wrong", "declared", length)
			keep(unread[:p])
			s.off += p
			big.id = idPrefix(head)
			return big
		}
		n := min(len(unread), left)
		if n < left {
			// Keep a tail: a header cut by the end of what was read is
			// seen whole after the next read.
			n = max(0, n-64)
		}
		keep(unread[:n])
		s.off += n
		left -= n
		if left == 0 {
			break
		}
		if err := s.fill(0); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
	}
	big.id = idPrefix(head)
	return big
}

// recut re-cuts a body that did not parse, where its Content-Length was off
// by a little: when the bytes up to the next header complete it (too
// short), or when the next header starts inside it (too long; the header's
// bytes are put back). It uses only bytes already read, except to finish a
// header name the body ends in.
func (s *tolerantStream) recut(body []byte) ([]byte, bool) {
	size := len(body)
	if size > s.off || !bytes.Equal(s.buf[s.off-size:s.off], body) {
		return nil, false
	}
	// The body counts as unread again, so that a fill keeps it.
	s.off -= size
	both := s.buf[s.off:s.end]
	e := bytes.Index(both[size:], headerName)
	if e < 0 {
		e = len(both) - size
	}
	if c := both[:size+e]; e > 0 && json.Valid(c) {
		s.log.Warn("a message body continued past its Content-Length; the next header starts after it", "declared", size, "actual", len(c))
		s.off += len(c)
		return c, true
	}
	for range len(headerName) {
		both = s.buf[s.off:s.end]
		if p := bytes.Index(both, headerName); p >= 0 && p < size {
			s.log.Warn("a message body ran into the next header; its Content-Length was too long", "declared", size, "actual", p)
			s.off += p
			return both[:p], true
		}
		// A body ending in the start of a header name: read the rest of it.
		k := partialSuffix(both, headerName)
		if k < 4 || len(both)-k >= size || s.fill(0) != nil {
			break
		}
	}
	s.off += size
	return nil, false
}

// partialSuffix is the length of the longest end of b that begins sub.
func partialSuffix(b, sub []byte) int {
	for k := min(len(b), len(sub)-1); k > 0; k-- {
		if bytes.Equal(b[len(b)-k:], sub[:k]) {
			return k
		}
	}
	return 0
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
// A body that is not JSON (cut short by a wrong Content-Length) still
// names its id near the start.
func requestID(body []byte) jsonrpc2.ID {
	var probe struct {
		ID json.RawMessage `json:"id"`
	}
	if json.Unmarshal(body, &probe) != nil {
		return idPrefix(body)
	}
	return idValue(probe.ID)
}

func idValue(raw []byte) jsonrpc2.ID {
	if len(raw) == 0 {
		return jsonrpc2.ID{}
	}
	var n int64
	if json.Unmarshal(raw, &n) == nil {
		return jsonrpc2.NewNumberID(n)
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return jsonrpc2.NewStringID(s)
	}
	return jsonrpc2.ID{}
}

// idPrefix finds the top-level "id" member in the start of a JSON object,
// tracking strings and nesting so that an "id" inside params (that of
// $/cancelRequest) is never taken for the message's.
func idPrefix(b []byte) jsonrpc2.ID {
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return jsonrpc2.ID{}
	}
	for {
		t, err := dec.Token()
		if err != nil {
			return jsonrpc2.ID{}
		}
		key, ok := t.(string)
		if !ok {
			return jsonrpc2.ID{}
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return jsonrpc2.ID{}
		}
		if key == "id" {
			return idValue(v)
		}
	}
}

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
