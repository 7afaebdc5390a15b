package module

import (
	"slices"
	"strings"
)

// makeStmt is one statement of a makefile as GNU make reads it, for the
// readers that follow make without running it (literalAssignment) and the
// edits of config.mk (ListVarEdit, SetVarEdit). Recipe lines and define
// bodies are not statements.
type makeStmt struct {
	line     logicalLine
	kind     makeKind
	name     string // the variable assigned, defined or undefined
	op       string // "=", ":=", "+=" ...; a define's ("=" when it names none)
	override bool   // under the override directive
	lhs      int    // where the value starts in line.text (makeAssign)
	depth    int    // how many ifeq/ifdef blocks it sits in (0: it always applies)
	body     string // a define's text
	files    []string
}

type makeKind int

const (
	makeAssign makeKind = iota + 1
	makeDefine
	makeUndefine
	makeInclude
)

// value is an assignment's text after its operator, without the comment
// and with make's escapes of # undone, as make stores it (leading and
// trailing blanks aside).
func (s makeStmt) value() string {
	if s.kind == makeDefine {
		return s.body
	}
	if s.kind != makeAssign {
		return ""
	}
	rest := s.line.text[s.lhs:]
	c := commentStart(rest)
	return unescapeHash(rest[:c], c < len(rest))
}

// scanMakefile lists src's statements. bad says why make would refuse or
// misread the file ("" when it reads it as written): a conditional or
// define left open, an endif without its conditional (make stops there), a
// NUL byte (make 4.3 drops the rest of its line and the line break with
// it, joining the next line to the assignment); a bad file's statements
// are not all make reads. unclosed is the line of the innermost
// ifeq/ifneq/ifdef/ifndef left open at the end (0 when none is): the one
// make's "missing 'endif'" is about.
func scanMakefile(src string) (stmts []makeStmt, bad string, unclosed int) {
	var open []int // the lines of the conditionals open here, innermost last
	strayEndif := false
	inRule := false // tab-led lines are the last rule's recipe
	var def *makeStmt
	defNest, bodyStart := 0, 0
	for _, l := range logicalLines(src) {
		if def != nil {
			// make counts nested defines in a body; nothing else in
			// it is a directive.
			switch firstWord(strings.TrimSpace(l.text)) {
			case "define":
				defNest++
			case "endef":
				defNest--
			}
			if defNest == 0 {
				def.body = src[bodyStart:max(bodyStart, l.start-1)]
				stmts = append(stmts, *def)
				def = nil
			}
			continue
		}
		if inRule && strings.HasPrefix(l.text, "\t") {
			continue
		}
		text := l.text[:commentStart(l.text)]
		if s, ok := parseAssignment(text); ok {
			s.line, s.depth = l, len(open)
			inRule = false
			if s.kind == makeDefine {
				def, defNest, bodyStart = &s, 1, min(l.end+1, len(src))
				continue
			}
			stmts = append(stmts, s)
			continue
		}
		trimmed := strings.TrimSpace(text)
		if trimmed == "" {
			continue
		}
		switch word := firstWord(trimmed); word {
		case "ifeq", "ifneq", "ifdef", "ifndef":
			open = append(open, l.num)
		case "else":
		case "endif":
			if len(open) == 0 {
				strayEndif = true
				continue
			}
			open = open[:len(open)-1]
		case "include", "-include", "sinclude":
			stmts = append(stmts, makeStmt{line: l, kind: makeInclude, depth: len(open), files: strings.Fields(trimmed[len(word):])})
			inRule = false
		case "export", "unexport", "vpath", "override", "private", "load", "-load":
			inRule = false
		default:
			// A rule, unless the target-specific assignment after
			// its colon (which no recipe follows).
			if i := strings.IndexByte(trimmed, ':'); i >= 0 {
				_, tsv := parseAssignment(strings.TrimLeft(trimmed[i+1:], ":&"))
				inRule = !tsv
			}
		}
	}
	if len(open) > 0 {
		unclosed = open[len(open)-1]
	}
	switch {
	case strings.IndexByte(src, 0) >= 0:
		return nil, "it holds a NUL byte, which make misreads", unclosed
	case strayEndif:
		return stmts, "an endif has no ifeq/ifdef (make stops there)", unclosed
	case def != nil:
		return stmts, "a define has no endef (make stops there)", unclosed
	case len(open) > 0:
		return stmts, "an ifeq/ifdef block has no endif (make stops there)", unclosed
	}
	return stmts, "", 0
}

var assignOps = []string{":::=", "::=", ":=", "+=", "?=", "!=", "="}

// parseAssignment reads text (comment removed) as make's variable
// assignment: modifiers (override, export, private, define, undefine)
// before the name, and the first operator; a colon before any = makes it
// a rule instead. A word that is a modifier is the name when an operator
// follows it (make assigns "override := 1").
func parseAssignment(text string) (makeStmt, bool) {
	s := makeStmt{kind: makeAssign}
	rest := strings.TrimLeft(text, " \t")
	for {
		w := firstBlankWord(rest)
		after := strings.TrimLeft(rest[len(w):], " \t")
		if w == "" || startsWithOp(after) {
			break
		}
		switch w {
		case "override":
			s.override = true
		case "export", "private", "unexport":
		case "define", "undefine":
			if w == "define" {
				s.kind = makeDefine
			} else {
				s.kind = makeUndefine
			}
			s.name = firstBlankWord(after)
			if s.name == "" {
				return s, false
			}
			s.op = "="
			if op := strings.TrimSpace(after[len(s.name):]); op != "" {
				if !slices.Contains(assignOps, op) {
					return s, false
				}
				s.op = op
			}
			return s, true
		default:
			goto plain
		}
		rest = after
	}
plain:
	// The name is one word ($(...) references may hold anything); blanks
	// after it must lead to the operator, or it is no assignment.
	off := len(text) - len(rest)
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		switch {
		case c == '$' && i+1 < len(rest) && (rest[i+1] == '(' || rest[i+1] == '{'):
			i = closingParen(rest, i+1)
			continue
		case c == ' ' || c == '\t':
			after := strings.TrimLeft(rest[i:], " \t")
			if !startsWithOp(after) {
				return s, false
			}
			i = len(rest) - len(after)
			c = rest[i]
		}
		if !strings.ContainsRune(":=+?!", rune(c)) {
			continue
		}
		for _, op := range assignOps {
			if strings.HasPrefix(rest[i:], op) {
				s.name, s.op = strings.TrimRight(rest[:i], " \t"), op
				s.lhs = off + i + len(op)
				return s, s.name != ""
			}
		}
		if c == ':' {
			return s, false // a rule
		}
	}
	return s, false
}

// closingParen is the index of the bracket closing the one at open, or
// the last index of s when it is never closed.
func closingParen(s string, open int) int {
	o, c := s[open], byte(')')
	if o == '{' {
		c = '}'
	}
	n := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case o:
			n++
		case c:
			if n--; n == 0 {
				return i
			}
		}
	}
	return len(s) - 1
}

func startsWithOp(s string) bool {
	return slices.ContainsFunc(assignOps, func(op string) bool { return strings.HasPrefix(s, op) })
}

func firstBlankWord(s string) string {
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		return s[:i]
	}
	return s
}

// unescapeHash undoes make's escaping of # in a line it has taken the
// comment off: each run of backslashes before a # is halved, the run at
// the end too when a comment followed it.
func unescapeHash(s string, commented bool) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			n++
			continue
		}
		if s[i] == '#' {
			n /= 2
		}
		b.WriteString(strings.Repeat("\\", n))
		n = 0
		b.WriteByte(s[i])
	}
	if commented {
		n /= 2
	}
	b.WriteString(strings.Repeat(`\`, n))
	return b.String()
}
