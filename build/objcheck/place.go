package objcheck

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"

	"github.com/rustko/rustko-lsp/diagnostics"
)

// place is where a finding points: the user's source line for a machine
// code address, plus where the code really came from when it was inlined
// from core.
type place struct {
	file    string
	rng     diagnostics.Range
	related []diagnostics.Related
	// via names the toolchain line the code came from when that file is
	// not on disk (rustup's /rustc/<hash>/ paths), for the message.
	via string
	// exact is false when no line was found and file is the fallback.
	exact bool
}

// placeOf maps offset off of section sec to a source place.
func (c *checker) placeOf(sec int, off uint64) place {
	addr, ok := c.lay.addr(sec, off)
	var chain []srcLoc
	if ok {
		chain = c.lines.locate(addr)
	}
	if len(chain) == 0 {
		file, rg := c.fallback()
		return place{file: file, rng: rg}
	}
	pick := 0
	for i, l := range chain {
		if c.roots.isUser(l.File) {
			pick = i
			break
		}
	}
	l := chain[pick]
	p := place{file: c.roots.abs(l.File), exact: true}
	p.rng = SourceRange(p.file, l.Line, l.Col)
	if pick > 0 {
		inner := chain[0]
		f := c.roots.abs(inner.File)
		if _, err := os.Stat(f); err == nil {
			p.related = append(p.related, diagnostics.Related{
				File: f, Range: SourceRange(f, inner.Line, inner.Col), Message: "the instruction comes from this code, inlined here",
			})
		} else {
			p.via = fmt.Sprintf("%s:%d", shortToolchainPath(inner.File), inner.Line)
		}
	}
	return p
}

// fallback is where findings without a source line go.
func (c *checker) fallback() (string, diagnostics.Range) {
	f := c.opts.Crate
	if f == "" {
		f = c.o.path
	}
	if abs, err := filepath.Abs(c.roots.abs(f)); err == nil {
		f = abs
	}
	return f, diagnostics.Point(1, 1)
}

// SourceRange is the range a finding at file:line:col underlines: line from
// col (or its first non-blank byte) to its end, so an editor underlines the
// statement, as the object checks' findings do; without the file it is a
// point.
func SourceRange(file string, line, col int) diagnostics.Range {
	if col < 1 {
		col = 0
	}
	text, ok := readLine(file, line)
	if !ok {
		return diagnostics.Point(line, max(col, 1))
	}
	if col == 0 || col > len(text)+1 {
		col = 1
		for col <= len(text) && (text[col-1] == ' ' || text[col-1] == '\t') {
			col++
		}
	}
	end := len(text) + 1
	for end > col && (text[end-2] == ' ' || text[end-2] == '\t' || text[end-2] == '\r') {
		end--
	}
	return diagnostics.Range{Start: diagnostics.Position{Line: line, Column: col}, End: diagnostics.Position{Line: line, Column: end}}
}

func readLine(file string, line int) (string, bool) {
	if line < 1 {
		return "", false
	}
	f, err := os.Open(file)
	if err != nil {
		return "", false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		if n == line {
			return sc.Text(), true
		}
	}
	return "", false
}

// shortToolchainPath trims rustup's /rustc/<commit>/ so messages show
// library/core/src/... as people know it.
func shortToolchainPath(p string) string {
	const prefix = "/rustc/"
	if len(p) > len(prefix) && p[:len(prefix)] == prefix {
		rest := p[len(prefix):]
		for i := 0; i < len(rest); i++ {
			if rest[i] == '/' {
				return rest[i+1:]
			}
		}
	}
	return p
}
