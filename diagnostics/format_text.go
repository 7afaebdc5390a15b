package diagnostics

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"
)

// TextOptions controls WriteText.
type TextOptions struct {
	// Root: files inside it are shown relative to it.
	Root string
	// Color adds ANSI colours the way gcc and rustc use them on a terminal.
	Color bool
	// ReadFile reads the source shown under each finding; nil means
	// os.ReadFile. The server passes one that sees unsaved editor buffers.
	ReadFile func(path string) ([]byte, error)
}

const (
	ansiReset   = "\x1b[0m"
	ansiBold    = "\x1b[1m"
	ansiRed     = "\x1b[1;31m"
	ansiMagenta = "\x1b[1;35m"
	ansiCyan    = "\x1b[1;36m"
	ansiGreen   = "\x1b[1;32m"
	ansiBlue    = "\x1b[1;34m"
)

// WriteText prints findings the way compilers do, so editors' and CI's
// "file:line:col:" matchers pick them up:
//
//	src/lib.rs:12:5: error: message [code]
//	   12 |     let p = kmalloc(64, 0x90);
//	      |             ^~~~~~~
//	src/lib.rs:3:1: note: related message
//	   = help: fix title
func WriteText(w io.Writer, fs []Finding, opt TextOptions) error {
	tw := newTextWriter(opt)
	bw := bufio.NewWriter(w)
	for _, f := range sorted(fs, opt.Root) {
		tw.finding(bw, f)
	}
	return bw.Flush()
}

type textWriter struct {
	opt   TextOptions
	files fileLines
}

func newTextWriter(opt TextOptions) *textWriter {
	if opt.ReadFile == nil {
		opt.ReadFile = os.ReadFile
	}
	return &textWriter{opt: opt, files: fileLines{read: opt.ReadFile, lines: map[string][][]byte{}}}
}

// fileLines reads each file once, split into lines, for the formats that
// show or measure source lines.
type fileLines struct {
	read  func(path string) ([]byte, error)
	lines map[string][][]byte // file -> lines, nil when unreadable
}

func (fl fileLines) of(file string) [][]byte {
	if l, ok := fl.lines[file]; ok {
		return l
	}
	var lines [][]byte
	if data, err := fl.read(file); err == nil {
		lines = bytes.Split(data, []byte("\n"))
	}
	fl.lines[file] = lines
	return lines
}

func (tw *textWriter) paint(code, s string) string {
	if !tw.opt.Color || s == "" {
		return s
	}
	return code + s + ansiReset
}

func (tw *textWriter) severity(s Severity) string {
	color := map[Severity]string{Error: ansiRed, Warning: ansiMagenta, Info: ansiCyan, Hint: ansiCyan}[s]
	return tw.paint(color, s.String()+":")
}

// location is "file:line:col:" with as much as is known.
func (tw *textWriter) location(file string, p Position) string {
	var b strings.Builder
	b.WriteString(relPath(tw.opt.Root, file))
	if p.Line > 0 {
		b.WriteString(":" + strconv.Itoa(p.Line))
		if p.Column > 0 {
			b.WriteString(":" + strconv.Itoa(p.Column))
		}
	}
	if b.Len() == 0 {
		return ""
	}
	return tw.paint(ansiBold, b.String()+":") + " "
}

func (tw *textWriter) finding(w *bufio.Writer, f Finding) {
	code := ""
	if f.Code != "" {
		code = " [" + f.Code + "]"
	}
	loc := tw.location(f.File, f.Range.Start)
	if loc == "" && f.Source != "" {
		loc = tw.paint(ansiBold, f.Source+":") + " " // modpost and kbuild name no file
	}
	first, rest, _ := strings.Cut(strings.TrimRight(f.Message, "\n"), "\n")
	fmt.Fprintf(w, "%s%s %s%s\n", loc, tw.severity(f.Severity), tw.paint(ansiBold, first), code)
	if rest != "" {
		fmt.Fprintf(w, "    %s\n", indent(rest))
	}
	tw.snippet(w, f.File, f.Range)
	for _, r := range f.Related {
		fmt.Fprintf(w, "%s%s %s\n", tw.location(r.File, r.Range.Start), tw.paint(ansiCyan, "note:"), indent(r.Message))
	}
	for _, fix := range f.Fixes {
		fmt.Fprintf(w, "   %s %s\n", tw.paint(ansiBlue, "= help:"), indent(fix.Title))
	}
}

// indent keeps continuation lines of a message indented, so that
// line-oriented matchers do not read them as new findings.
func indent(s string) string {
	return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}

// snippet prints the start line of r and marks the range under it: '^' at
// the start, '~' to the end of the range (or of the line, when the range
// spans lines). The marker line copies the source's tabs so the caret sits
// under the right character whatever the tab width.
func (tw *textWriter) snippet(w *bufio.Writer, file string, r Range) {
	if file == "" || r.Start.Line < 1 {
		return
	}
	lines := tw.files.of(file)
	if r.Start.Line > len(lines) {
		return
	}
	line := bytes.TrimRight(lines[r.Start.Line-1], "\r")
	start := min(max(r.Start.Column-1, 0), len(line))
	end := len(line)
	if r.End.Line == r.Start.Line {
		end = min(end, r.End.Column-1)
	}
	end = max(end, start)
	var pad strings.Builder
	for _, c := range string(line[:start]) {
		if c == '\t' {
			pad.WriteByte('\t')
		} else {
			pad.WriteByte(' ')
		}
	}
	marks := "^"
	if n := utf8.RuneCount(line[start:end]); n > 1 {
		marks += strings.Repeat("~", n-1)
	}
	num := strconv.Itoa(r.Start.Line)
	gutter := strings.Repeat(" ", len(num)+1)
	fmt.Fprintf(w, " %s %s %s\n", num, tw.paint(ansiBlue, "|"), line)
	fmt.Fprintf(w, " %s %s %s%s\n", gutter[1:], tw.paint(ansiBlue, "|"), pad.String(), tw.paint(ansiGreen, marks))
}
