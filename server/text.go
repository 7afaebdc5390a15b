package server

import (
	"fmt"
	"sort"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/rustko/rustko-lsp/diagnostics"
)

// text is an immutable document body with its line index, the one place
// positions are converted between LSP units and byte offsets.
type text struct {
	s     string
	lines []int // byte offset where each line starts
}

func newText(s string) *text {
	t := &text{s: s, lines: []int{0}}
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			t.lines = append(t.lines, i+1)
		}
	}
	return t
}

// line returns the text of 0-based line n without its terminator ("" past
// the end). LSP positions never point between \r and \n.
func (t *text) line(n int) string {
	if n < 0 || n >= len(t.lines) {
		return ""
	}
	start := t.lines[n]
	end := len(t.s)
	if n+1 < len(t.lines) {
		end = t.lines[n+1] - 1
	}
	l := t.s[start:end]
	return strings.TrimSuffix(l, "\r")
}

// offset converts an LSP position into a byte offset into the body. Lines
// past the end clamp to the end of the body, characters past the end of a
// line to the end of that line, as the specification asks.
func (t *text) offset(p protocol.Position, e encoding) int {
	if int64(p.Line) >= int64(len(t.lines)) {
		return len(t.s)
	}
	n := int(p.Line)
	return t.lines[n] + e.toByte(t.line(n), p.Character)
}

// position converts a byte offset into an LSP position.
func (t *text) position(off int, e encoding) protocol.Position {
	n, col := t.lineCol(off)
	return protocol.Position{Line: uint32(n), Character: e.fromByte(t.line(n), col)}
}

// lineCol is the 0-based line and byte column of a byte offset, clamped to
// the body.
func (t *text) lineCol(off int) (int, int) {
	off = min(max(off, 0), len(t.s))
	n := sort.Search(len(t.lines), func(i int) bool { return t.lines[i] > off }) - 1
	return n, off - t.lines[n]
}

// findingPos converts a finding's 1-based line and byte column. Column 0 (a
// tool that knows only the line) means the start of the line.
func (t *text) findingPos(p diagnostics.Position, e encoding) protocol.Position {
	line := max(p.Line-1, 0)
	col := max(p.Column-1, 0)
	return protocol.Position{Line: uint32(line), Character: e.fromByte(t.line(line), col)}
}

// findingRange converts a finding's range. An empty range at a line start
// (modpost, kbuild) widens to the whole line so editors show it.
func (t *text) findingRange(r diagnostics.Range, e encoding) protocol.Range {
	start := t.findingPos(r.Start, e)
	end := start
	if r.End.Line > 0 {
		end = t.findingPos(r.End, e)
	}
	if before(end, start) {
		end = start
	}
	if end == start && r.Start.Column <= 1 {
		end.Character = e.fromByte(t.line(int(start.Line)), len(t.line(int(start.Line))))
	}
	return protocol.Range{Start: start, End: end}
}

// apply returns the body after one incremental change. The range must be
// ordered; a reversed range is the client's bug and is reported, not guessed.
func (t *text) apply(r protocol.Range, repl string, e encoding) (*text, edit, error) {
	start := t.offset(r.Start, e)
	end := t.offset(r.End, e)
	if end < start {
		return nil, edit{}, fmt.Errorf("change range %d:%d-%d:%d ends before it starts",
			r.Start.Line, r.Start.Character, r.End.Line, r.End.Character)
	}
	return newText(t.s[:start] + repl + t.s[end:]), edit{start, end, len(repl)}, nil
}
