package module

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"unicode"
)

// TextEdit is one change to one file, in both forms editors and tools use:
// byte offsets, and 1-based line with 1-based byte column (End exclusive).
// When Create is set the file does not exist yet and NewText is its whole
// content.
type TextEdit struct {
	File                             string
	Create                           bool
	Offset, End                      int
	Line, Column, EndLine, EndColumn int
	NewText                          string
}

// ErrAlreadyListed means the word is already in the variable: no edit.
var ErrAlreadyListed = errors.New("already listed")

// ListVarEdit returns the edit that adds word to the space-separated list
// variable name (KERNEL_HELPERS, KERNEL_INCLUDE ...) in configFile: appended
// to the last top-level `NAME := ...`, `NAME = ...` or `NAME += ...` line, or
// a new `NAME += word` line at the end (which also works when the Makefile
// set the variable before including config.mk). configFile is created when
// absent. A word that is already there gives ErrAlreadyListed.
func ListVarEdit(configFile, name, word string) (TextEdit, error) {
	src, err := os.ReadFile(configFile)
	exists := err == nil
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return TextEdit{}, fmt.Errorf("editing %s: %w", configFile, err)
	}
	return listVarEdit(configFile, string(src), exists, name, word)
}

// Names may hold a dash: kbuild's obj-m and foo-objs are read too.
var assignOpRE = regexp.MustCompile(`^[ \t]*((?:(?:override|export|private)[ \t]+)*)([A-Za-z_][A-Za-z0-9_-]*)[ \t]*(\+=|:::=|::=|:=|\?=|!=|=)`)

// logicalLine is a makefile line with its backslash continuations.
type logicalLine struct {
	start, end int    // bytes; end excludes the final newline
	text       string // continuations joined with a space
}

func logicalLines(src string) []logicalLine {
	var out []logicalLine
	start := 0
	var b strings.Builder
	for i := 0; i <= len(src); i++ {
		if i < len(src) && src[i] != '\n' {
			continue
		}
		phys := src[start:i]
		phys = strings.TrimSuffix(phys, "\r")
		if continued(phys) && i < len(src) {
			b.WriteString(phys[:len(phys)-1])
			b.WriteByte(' ')
			// the logical line goes on; remember where it began
			if len(out) == 0 || out[len(out)-1].end != -1 {
				out = append(out, logicalLine{start: start, end: -1})
			}
			start = i + 1
			continue
		}
		b.WriteString(phys)
		if len(out) > 0 && out[len(out)-1].end == -1 {
			out[len(out)-1].end = start + len(phys)
			out[len(out)-1].text = b.String()
		} else {
			out = append(out, logicalLine{start: start, end: start + len(phys), text: b.String()})
		}
		b.Reset()
		start = i + 1
	}
	return out
}

// continued says whether a line ends in an odd number of backslashes.
func continued(s string) bool {
	n := 0
	for i := len(s) - 1; i >= 0 && s[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

// commentStart is where an unescaped # starts a comment, or len(s).
func commentStart(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == '#' && (i == 0 || s[i-1] != '\\') {
			return i
		}
	}
	return len(s)
}

// assignment is one assignment to a variable in a makefile.
type assignment struct {
	line  logicalLine
	op    string // ":=", "+=", "?=" ...
	lhs   int    // where the value starts in line.text
	depth int    // how many ifeq/ifdef blocks it sits in (0: it always applies)
}

// assignmentsTo lists the assignments to name in src, in order, leaving out
// define bodies (text, not assignments). A block or define left open is an
// error: make refuses the file too, and an added line would land inside.
func assignmentsTo(file, src, name string) ([]assignment, error) {
	var out []assignment
	depth, inDefine := 0, false
	for _, l := range logicalLines(src) {
		trimmed := strings.TrimSpace(l.text[:commentStart(l.text)])
		if inDefine {
			inDefine = firstWord(trimmed) != "endef"
			continue
		}
		switch firstWord(strings.TrimPrefix(strings.TrimPrefix(trimmed, "override "), "export ")) {
		case "ifeq", "ifneq", "ifdef", "ifndef":
			depth++
			continue
		case "endif":
			depth--
			continue
		case "define":
			inDefine = true
			continue
		}
		if m := assignOpRE.FindStringSubmatch(l.text); m != nil && m[2] == name {
			out = append(out, assignment{line: l, op: m[3], lhs: len(m[0]), depth: depth})
		}
	}
	if inDefine || depth > 0 {
		what := "an ifeq/ifdef block has no endif"
		if inDefine {
			what = "a define has no endef"
		}
		return nil, fmt.Errorf("editing %s: %s; fix the file first (make reports it as well)", file, what)
	}
	return out, nil
}

// checkEdit refuses a name make would not read as a variable, and a word
// that is empty or that make would split, end at a comment or expand
// (blanks, control characters, #, $, a backslash): refused then says why,
// in the words of the edit being made.
func checkEdit(file, name, word, refused string) error {
	if !validVarName(name) {
		return fmt.Errorf("editing %s: %q is not a make variable name", file, name)
	}
	if word == "" || strings.IndexFunc(word, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune("#$\\", r)
	}) >= 0 {
		return fmt.Errorf("editing %s: %s", file, refused)
	}
	return nil
}

func listVarEdit(file, src string, exists bool, name, word string) (TextEdit, error) {
	if err := checkEdit(file, name, word, fmt.Sprintf("cannot add %q to %s: a list entry has no blanks, #, $ or backslash", word, name)); err != nil {
		return TextEdit{}, err
	}
	edit := TextEdit{File: file, Create: !exists}
	assigns, err := assignmentsTo(file, src, name)
	if err != nil {
		return TextEdit{}, err
	}
	var target *assignment // the line to append to
	for i, a := range assigns {
		value := a.line.text[a.lhs:]
		for _, w := range strings.Fields(value[:commentStart(value)]) {
			if w == word {
				return TextEdit{}, fmt.Errorf("editing %s: %s is %w in %s", file, word, ErrAlreadyListed, name)
			}
		}
		if a.depth > 0 {
			continue
		}
		switch a.op {
		case ":=", "::=", ":::=", "=", "+=":
			target = &assigns[i]
		default:
			// ?= or != after this line would make an append here
			// conditional; add a fresh += line instead.
			target = nil
		}
	}
	starts := lineStarts(src)
	if target != nil {
		l := target.line
		// Insert on the last physical line, before a comment and
		// trailing blanks; but a comment that starts on an earlier
		// physical line swallows the continuation lines after it (make
		// continues comments with a trailing backslash too), so then
		// insert just before that comment.
		lastStart := strings.LastIndexByte(src[l.start:l.end], '\n') + 1 + l.start
		for ps := l.start; ps < l.end; {
			pe := strings.IndexByte(src[ps:l.end], '\n')
			if pe < 0 {
				break
			}
			if phys := src[ps : ps+pe]; commentStart(phys) < len(phys) {
				lastStart = ps
				break
			}
			ps += pe + 1
		}
		phys := src[lastStart:l.end]
		if i := strings.IndexByte(phys, '\n'); i >= 0 {
			phys = phys[:i]
		}
		at := len(strings.TrimRight(phys[:commentStart(phys)], " \t\r"))
		edit.Offset = lastStart + at
		edit.NewText = " " + word
	} else {
		edit.Offset, edit.NewText = len(src), appendedLine(src, name+" += "+word)
	}
	edit.End = edit.Offset
	edit.Line, edit.Column = lineCol(starts, edit.Offset)
	edit.EndLine, edit.EndColumn = edit.Line, edit.Column
	return edit, nil
}

// appendedLine is the text that adds line at the end of src as a line of
// its own.
func appendedLine(src, line string) string {
	text := line + "\n"
	body := strings.TrimSuffix(src, "\n")
	last := strings.TrimSuffix(body[strings.LastIndexByte(body, '\n')+1:], "\r")
	if continued(last) {
		// A blank line ends the backslash continuation, which would
		// otherwise swallow the new line.
		text = "\n" + text
	}
	if len(src) > 0 && !strings.HasSuffix(src, "\n") {
		text = "\n" + text
	}
	return text
}

// SetVarEdit returns the edit that makes configFile set the make variable
// name to value (RUST_ROOT to a toolchain): the value of its last
// unconditional `NAME := ...` or `NAME = ...` line, when that is one line,
// is replaced; otherwise a `NAME := value` line is added at the end, which
// wins over the Makefile's `?=` default and an earlier line alike.
// configFile is created when absent.
func SetVarEdit(configFile, name, value string) (TextEdit, error) {
	src, err := os.ReadFile(configFile)
	exists := err == nil
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return TextEdit{}, fmt.Errorf("editing %s: %w", configFile, err)
	}
	return setVarEdit(configFile, string(src), exists, name, value)
}

func setVarEdit(file, src string, exists bool, name, value string) (TextEdit, error) {
	if err := checkEdit(file, name, value, fmt.Sprintf("cannot set %s to %q: the value has blanks, #, $ or a backslash", name, value)); err != nil {
		return TextEdit{}, err
	}
	edit := TextEdit{File: file, Create: !exists}
	assigns, err := assignmentsTo(file, src, name)
	if err != nil {
		return TextEdit{}, err
	}
	var target *assignment
	for i, a := range assigns {
		if a.depth > 0 {
			continue
		}
		target = nil // a later +=, ?= or != line: the new line goes last
		if (a.op == ":=" || a.op == "::=" || a.op == "=") && !strings.Contains(src[a.line.start:a.line.end], "\n") {
			target = &assigns[i]
		}
	}
	starts := lineStarts(src)
	if target != nil {
		rest := target.line.text[target.lhs:]
		valueEnd := len(strings.TrimRight(rest[:commentStart(rest)], " \t\r"))
		edit.Offset = target.line.start + target.lhs
		edit.End = edit.Offset + valueEnd
		edit.NewText = " " + value
	} else {
		edit.Offset, edit.NewText = len(src), appendedLine(src, name+" := "+value)
		edit.End = edit.Offset
	}
	edit.Line, edit.Column = lineCol(starts, edit.Offset)
	edit.EndLine, edit.EndColumn = lineCol(starts, edit.End)
	return edit, nil
}

func firstWord(s string) string {
	if i := strings.IndexAny(s, " \t("); i >= 0 {
		return s[:i]
	}
	return s
}
