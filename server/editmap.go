package server

import (
	"os"
	"sync"

	"github.com/rustko/rustko-lsp/diagnostics"
)

// edit is one replacement in a document: bytes [start,end) of the text
// before it became n bytes.
type edit struct{ start, end, n int }

// maxEdits bounds an open document's edit log. Past it the oldest half goes;
// build findings made before them can no longer be placed and are dropped
// until the next build, which is better than placing them wrongly.
const maxEdits = 1 << 16

// editLog is the edits made to one open document since it was opened,
// shared by all its versions (document.seq says how many each has seen).
// Build findings are about the text the build read; mapping them through
// the edits made since keeps them on the code they are about.
type editLog struct {
	mu    sync.Mutex
	base  int // edits trimmed from the front
	edits []edit
}

func (l *editLog) add(e edit) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.edits) >= maxEdits {
		half := len(l.edits) / 2
		l.edits = append(l.edits[:0:0], l.edits[half:]...)
		l.base += half
	}
	l.edits = append(l.edits, e)
	return l.base + len(l.edits)
}

// between returns the edits after the from-th up to the to-th; false when
// some were trimmed.
func (l *editLog) between(from, to int) ([]edit, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if from < l.base || to > l.base+len(l.edits) || from > to {
		return nil, false
	}
	return l.edits[from-l.base : to-l.base], true
}

// trim drops the edits before the seq-th: no build findings need them.
func (l *editLog) trim(seq int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if n := seq - l.base; n > 0 && n <= len(l.edits) {
		l.edits = append(l.edits[:0:0], l.edits[n:]...)
		l.base = seq
	}
}

// diffEdit is one edit turning a into b: what lies between their common
// prefix and suffix. A client that sends whole documents, or a buffer that
// differed from the disk when a build started, gets its change this way.
func diffEdit(a, b string) edit {
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] {
		p++
	}
	s := 0
	for s < len(a)-p && s < len(b)-p && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	return edit{start: p, end: len(a) - s, n: len(b) - p - s}
}

// buildMark ties a build's findings for one open file to the document:
// base is the text the build read, pre the edits from it to the buffer as
// it was when the build started, seq that buffer's place in log.
type buildMark struct {
	log  *editLog
	seq  int
	base *text
	pre  []edit
}

// markOpenDocs records, before a build reads the disk, where each open
// buffer of the module stands relative to the file the build will read.
func (se *session) markOpenDocs() map[string]buildMark {
	marks := map[string]buildMark{}
	for _, d := range se.srv.docs.under(se.root) {
		if d.log == nil {
			continue
		}
		disk, err := os.ReadFile(d.path)
		if err != nil {
			continue
		}
		m := buildMark{log: d.log, seq: d.seq, base: d.text}
		if string(disk) != d.text.s {
			m.base = newText(string(disk))
			m.pre = []edit{diffEdit(m.base.s, d.text.s)}
		}
		marks[d.path] = m
	}
	return marks
}

// placeBuildFindings moves build findings made on m.base to where that code
// is in doc: through the edits since, a finding whose text was changed or
// deleted is dropped (it was about code that is no longer there), one
// before an edit stays, one after it moves. It also says which finding of
// list each one it returns is: from[i] is the index of out[i] in list, and
// from is nil when out is list itself.
func placeBuildFindings(list []diagnostics.Finding, m buildMark, doc *document) (out []diagnostics.Finding, from []int) {
	if doc == nil || doc.log != m.log {
		return list, nil
	}
	later, ok := m.log.between(m.seq, doc.seq)
	if !ok {
		return nil, nil
	}
	if len(later) == 0 && len(m.pre) == 0 {
		return list, nil
	}
	edits := append(append([]edit(nil), m.pre...), later...)
	out = make([]diagnostics.Finding, 0, len(list))
	for i, f := range list {
		a, b := findingOffsets(m.base, f.Range)
		if !mapRange(&a, &b, edits) {
			continue
		}
		g := f
		g.Range = diagnostics.Range{Start: doc.text.findingPosAt(a), End: doc.text.findingPosAt(b)}
		out = append(out, g)
		from = append(from, i)
	}
	return out, from
}

// mapRange moves [a,b) through edits; false when an edit touched it.
func mapRange(a, b *int, edits []edit) bool {
	for _, e := range edits {
		switch {
		case *b <= e.start:
		case *a >= e.end:
			d := e.n - (e.end - e.start)
			*a += d
			*b += d
		default:
			return false
		}
	}
	return true
}

// findingOffsets is the byte span in t a finding's range covers, as
// findingRange shows it (an empty range at a line start is the line).
func findingOffsets(t *text, r diagnostics.Range) (int, int) {
	at := func(p diagnostics.Position) int {
		line := max(p.Line-1, 0)
		if line >= len(t.lines) {
			return len(t.s)
		}
		return t.lines[line] + min(max(p.Column-1, 0), len(t.line(line)))
	}
	a := at(r.Start)
	b := a
	if r.End.Line > 0 {
		b = max(at(r.End), a)
	}
	if a == b && r.Start.Column <= 1 {
		line := max(r.Start.Line-1, 0)
		b = a + len(t.line(line))
	}
	return a, b
}

// findingPosAt is the 1-based line and byte column of a byte offset.
func (t *text) findingPosAt(off int) diagnostics.Position {
	n, col := t.lineCol(off)
	return diagnostics.Position{Line: n + 1, Column: col + 1}
}

// markOpened starts following the edits of a buffer opened after the build
// that found problems in it: the build read the file the editor just
// loaded, so the findings hold on the opened text.
func (se *session) markOpened(d *document) {
	se.mu.Lock()
	defer se.mu.Unlock()
	if len(se.build[d.path]) == 0 {
		return
	}
	if m, ok := se.buildMarks[d.path]; !ok || m.log != d.log {
		se.buildMarks[d.path] = buildMark{log: d.log, seq: d.seq, base: d.text}
	}
}
