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

// literalAssignment reads name's value from file (relative to root: the
// Makefile, or Kbuild, which kbuild reads in its place) and the files it
// includes by a literal name (config.mk), following make's order and its
// =, :=, ::=, ?= and += operators and the override directive, but only as
// long as every assignment to it is plain text outside conditionals: one
// that mentions $ (a reference or a function, which only make can expand),
// sits inside ifeq/ifdef, is a define or undefine, or a file make would
// refuse or misread, makes the value unknown, and ok is false. where is
// file:line of the last assignment.
func literalAssignment(root, file, name string) (value, where string, ok bool) {
	r := &literalReader{root: root, name: name, seen: map[string]bool{}}
	r.read(file, 0, false)
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
	overridden bool // an override assignment: make ignores the others after it
}

// read follows rel's statements; cond says an ifeq/ifdef block may have
// left the file out (read is still needed: an assignment in it makes the
// value unknown).
func (r *literalReader) read(rel string, depth int, cond bool) {
	if depth > 8 || r.seen[rel] || r.unknown {
		return
	}
	r.seen[rel] = true
	src, err := os.ReadFile(filepath.Join(r.root, rel))
	if err != nil {
		return // make's -include would skip it too; a missing Makefile has no assignments
	}
	stmts, bad, _ := scanMakefile(string(src))
	if bad != "" {
		r.unknown = true // make refuses the file
		return
	}
	for _, s := range stmts {
		if s.kind == makeInclude {
			for _, f := range s.files {
				if !strings.Contains(f, "$") && !filepath.IsAbs(f) && !strings.HasPrefix(filepath.Clean(f), "..") {
					r.read(filepath.Clean(f), depth+1, cond || s.depth > 0)
				}
			}
			continue
		}
		if strings.Contains(s.name, "$") {
			r.unknown = true // a computed name may be this one
			return
		}
		if s.name != r.name || (r.overridden && !s.override) {
			continue
		}
		val := strings.TrimSpace(s.value())
		if cond || s.depth > 0 || s.kind != makeAssign || strings.Contains(val, "$") || s.op == "!=" || s.op == ":::=" {
			r.unknown = true
			return
		}
		r.overridden = r.overridden || s.override
		switch s.op {
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
		r.where = fmt.Sprintf("%s:%d", rel, s.line.num)
	}
}
