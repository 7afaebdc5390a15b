package module

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"unicode"

	"github.com/rustko/rustko-lsp/internal/lines"
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
// to the last top-level `NAME := ...`, `NAME = ...` or `NAME += ...` line
// when no later line may replace the value, or a new `NAME += word` line at
// the end (which also works when the Makefile set the variable before
// including config.mk; `override NAME += word` when the file uses override).
// configFile is created when absent. A word make certainly lists gives
// ErrAlreadyListed; one in an assignment make may skip or replace does not.
func ListVarEdit(configFile, name, word string) (TextEdit, error) {
	src, err := os.ReadFile(configFile)
	exists := err == nil
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return TextEdit{}, fmt.Errorf("editing %s: %w", configFile, err)
	}
	return listVarEdit(configFile, string(src), exists, name, word)
}

// logicalLine is a makefile line with its backslash continuations.
type logicalLine struct {
	start, end int    // bytes; end excludes the final newline
	num        int    // 1-based number of the line start is on
	text       string // continuations joined with a space
}

func logicalLines(src string) []logicalLine {
	var out []logicalLine
	start, num := 0, 0      // the physical line's
	first, firstNum := 0, 1 // the logical line's: where its first physical line began
	var b strings.Builder
	for i := 0; i <= len(src); i++ {
		if i < len(src) && src[i] != '\n' {
			continue
		}
		num++
		phys := strings.TrimSuffix(src[start:i], "\r")
		if continued(phys) && i < len(src) {
			// make keeps half the backslashes before the one that
			// continues the line (n odd: (n-1)/2).
			body := strings.TrimRight(phys, `\`)
			b.WriteString(body)
			b.WriteString(strings.Repeat(`\`, (len(phys)-len(body))/2))
			b.WriteByte(' ')
		} else {
			b.WriteString(phys)
			out = append(out, logicalLine{start: first, end: start + len(phys), num: firstNum, text: b.String()})
			b.Reset()
			first, firstNum = i+1, num+1
		}
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

// commentStart is where an unescaped # starts a comment, or len(s): make
// takes a # after an odd number of backslashes as text (\# and \\\#), after
// an even number as a comment after backslashes (\\#).
func commentStart(s string) int {
	n := 0 // backslashes just before s[i]
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\':
			n++
			continue
		case s[i] == '#' && n%2 == 0:
			return i
		}
		n = 0
	}
	return len(s)
}

// assignmentsTo lists the statements that assign, define or undefine name
// in src, in order; define bodies and recipes are text, not assignments. A
// file make refuses (a block or define left open) is an error: an added
// line would land inside.
func assignmentsTo(file, src, name string) ([]makeStmt, error) {
	stmts, bad, _ := scanMakefile(src)
	if bad != "" {
		return nil, fmt.Errorf("editing %s: %s; fix the file first", file, bad)
	}
	var out []makeStmt
	for _, s := range stmts {
		if s.kind != makeInclude && s.name == name {
			out = append(out, s)
		}
	}
	return out, nil
}

// resets says whether the statement gives the variable a new value (or none)
// rather than adding to it or leaving it as it is.
func (s makeStmt) resets() bool {
	return s.kind == makeUndefine || (s.op != "+=" && s.op != "?=")
}

// listedWords are the words the assignments certainly put in the variable,
// whatever the conditionals decide, whatever the Makefile set before
// including the file: a word an assignment inside ifeq/ifdef adds, or one a
// conditional assignment may have replaced, or a ?= that an earlier
// definition makes do nothing, is not certain. A non-override assignment
// after an override one is ignored, as make does.
func listedWords(assigns []makeStmt) map[string]bool {
	words := map[string]bool{}
	defined, overridden, maybeOverridden := false, false, false
	for _, a := range assigns {
		if overridden && !a.override {
			continue
		}
		if a.depth > 0 {
			maybeOverridden = maybeOverridden || a.override
			if a.resets() {
				clear(words)
			}
			continue
		}
		uncertain := maybeOverridden && !a.override // make may ignore it
		overridden = overridden || a.override
		switch {
		case a.op == "?=":
			if !defined {
				clear(words) // the value before, or this one
			}
			defined = true
		case a.kind == makeUndefine, a.op == "!=":
			clear(words)
			defined = a.kind != makeUndefine
		case a.op == "+=":
			if !uncertain {
				for _, w := range strings.Fields(a.value()) {
					words[w] = true
				}
				defined = true
			}
		default:
			now := map[string]bool{}
			for _, w := range strings.Fields(a.value()) {
				if !uncertain || words[w] {
					now[w] = true
				}
			}
			words = now
			defined = defined || !uncertain
		}
	}
	return words
}

// hasOverride says whether an assignment uses the override directive: make
// then ignores every later assignment without it.
func hasOverride(assigns []makeStmt) bool {
	return slices.ContainsFunc(assigns, func(a makeStmt) bool { return a.override })
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
	if listedWords(assigns)[word] {
		return TextEdit{}, fmt.Errorf("editing %s: %s is %w in %s", file, word, ErrAlreadyListed, name)
	}
	// The line to append to: the last unconditional one that sets or adds
	// to the list, when nothing after it may replace the value. Under an
	// override directive a new `override NAME += word` line goes last.
	var target *makeStmt
	override := hasOverride(assigns)
	for i, a := range assigns {
		switch {
		case override:
		case a.depth > 0:
			if a.resets() {
				target = nil
			}
		case a.kind == makeAssign && (a.op == ":=" || a.op == "::=" || a.op == ":::=" || a.op == "=" || a.op == "+="):
			target = &assigns[i]
		default:
			// ?=, != or a define after this line would make an append
			// here conditional; add a fresh += line instead.
			target = nil
		}
	}
	starts := lines.New(src)
	at, ok := 0, false
	if target != nil {
		at, ok = appendAt(src, target.line)
	}
	if ok {
		edit.Offset, edit.NewText = at, " "+word
	} else {
		edit.Offset, edit.NewText = len(src), appendedLine(src, overridePrefix(override)+name+" += "+word)
	}
	edit.End = edit.Offset
	edit.Line, edit.Column = starts.Position(edit.Offset)
	edit.EndLine, edit.EndColumn = edit.Line, edit.Column
	return edit, nil
}

// appendAt is where a word added to the value of the assignment l goes: on
// its last physical line, before a comment and trailing blanks; but a
// comment that starts on an earlier physical line swallows the
// continuation lines after it (make continues comments with a trailing
// backslash too), so then just before that comment. ok is false when
// backslashes stand right before the comment: make halves them there only,
// so a word between would change them.
func appendAt(src string, l logicalLine) (at int, ok bool) {
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
	c := commentStart(phys)
	end := len(strings.TrimRight(phys[:c], " \t\r"))
	if end == c && c < len(phys) && c > 0 && phys[c-1] == '\\' {
		return 0, false
	}
	return lastStart + end, true
}

func overridePrefix(override bool) string {
	if override {
		return "override "
	}
	return ""
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
// unconditional `NAME := ...` or `NAME = ...` line, when that is one line
// and no conditional line follows it, is replaced; otherwise a
// `NAME := value` line is added at the end, which wins over the Makefile's
// `?=` default and an earlier line alike. When the file uses override, only
// an override line is replaced and the added line has it too (make ignores
// plain assignments after an override one). configFile is created when
// absent.
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
	// The line whose value is replaced: the last assignment, when it is
	// an unconditional one-line = or := (with override when any line has
	// it). Otherwise the new line goes last.
	var target *makeStmt
	override := hasOverride(assigns)
	for i, a := range assigns {
		target = nil
		if a.depth == 0 && a.kind == makeAssign && (a.op == ":=" || a.op == "::=" || a.op == "=") && a.override == override &&
			!strings.Contains(src[a.line.start:a.line.end], "\n") {
			target = &assigns[i]
		}
	}
	starts := lines.New(src)
	if target != nil {
		rest := target.line.text[target.lhs:]
		valueEnd := len(strings.TrimRight(rest[:commentStart(rest)], " \t\r"))
		edit.Offset = target.line.start + target.lhs
		edit.End = edit.Offset + valueEnd
		edit.NewText = " " + value
	} else {
		edit.Offset, edit.NewText = len(src), appendedLine(src, overridePrefix(override)+name+" := "+value)
		edit.End = edit.Offset
	}
	edit.Line, edit.Column = starts.Position(edit.Offset)
	edit.EndLine, edit.EndColumn = starts.Position(edit.End)
	return edit, nil
}

func firstWord(s string) string {
	if i := strings.IndexAny(s, " \t("); i >= 0 {
		return s[:i]
	}
	return s
}
