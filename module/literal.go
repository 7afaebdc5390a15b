package module

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// literalLists are the variables an untrusted load still reads from the
// module's makefiles, without make: the headers the bindings come from and
// the inline functions wrapped as helpers. Both only steer what rustko
// parses and generates, never what it runs, and without them every
// KERNEL_INCLUDE header the module relies on would be reported as missing.
var literalLists = []string{"KERNEL_INCLUDE", "KERNEL_HELPERS"}

// literalAssignment reads name's value from root's Makefile and the files it
// includes by a literal name (config.mk), following make's order and its
// =, :=, ::=, ?= and += operators, but only as long as every assignment to it
// is plain text outside conditionals: one that mentions $ (a reference or a
// function, which only make can expand) or sits inside ifeq/ifdef/define
// makes the value unknown, and ok is false. where is file:line of the last
// assignment.
func literalAssignment(root, name string) (value, where string, ok bool) {
	return literalAssignmentIn(root, "Makefile", name)
}

// literalAssignmentIn is literalAssignment starting from file (relative to
// root) instead of the Makefile: Kbuild, which kbuild reads in its place.
func literalAssignmentIn(root, file, name string) (value, where string, ok bool) {
	r := &literalReader{root: root, name: name, seen: map[string]bool{}}
	r.read(file, 0)
	if r.unknown || !r.set {
		return "", "", false
	}
	return strings.Join(strings.Fields(r.value), " "), r.where, true
}

type literalReader struct {
	root, name string
	seen       map[string]bool
	value      string
	where      string
	set        bool
	unknown    bool
}

func (r *literalReader) read(rel string, depth int) {
	if depth > 8 || r.seen[rel] || r.unknown {
		return
	}
	r.seen[rel] = true
	src, err := os.ReadFile(filepath.Join(r.root, rel))
	if err != nil {
		return // make's -include would skip it too; a missing Makefile has no assignments
	}
	nest := 0 // inside ifeq/ifdef/define blocks
	for _, ll := range logicalLines(string(src)) {
		text := ll.text
		if strings.HasPrefix(text, "\t") {
			continue // a recipe line
		}
		line := strings.TrimSpace(text[:commentStart(text)])
		word := firstWord(line)
		switch word {
		case "ifeq", "ifneq", "ifdef", "ifndef", "define":
			nest++
			continue
		case "endif", "endef":
			nest = max(nest-1, 0)
			continue
		case "include", "-include", "sinclude":
			if nest == 0 {
				for _, f := range strings.Fields(line[len(word):]) {
					if !strings.Contains(f, "$") && !filepath.IsAbs(f) && !strings.HasPrefix(filepath.Clean(f), "..") {
						r.read(filepath.Clean(f), depth+1)
					}
				}
			}
			continue
		}
		m := assignOpRE.FindStringSubmatch(line)
		if m == nil || m[2] != r.name {
			continue
		}
		if nest > 0 {
			r.unknown = true
			return
		}
		val := strings.TrimSpace(line[len(m[0]):])
		if strings.Contains(val, "$") || m[3] == "!=" || m[3] == ":::=" {
			r.unknown = true
			return
		}
		switch m[3] {
		case "+=":
			r.value += " " + val
		case "?=":
			if r.set {
				continue
			}
			r.value = val
		default:
			r.value = val
		}
		r.set = true
		r.where = fmt.Sprintf("%s:%d", rel, 1+strings.Count(string(src[:ll.start]), "\n"))
	}
}
