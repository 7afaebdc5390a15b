package module

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/rustko/rustko-lsp/internal/proc"
)

// printGoal is the only goal make is given, so a Makefile whose default goal
// builds the module builds nothing here.
const printGoal = "rustko-print-vars"

// varMarker starts every line our rule prints; nothing a Makefile prints by
// itself starts with it.
const varMarker = "@@rustko-var@@ "

type makeVar struct {
	origin, value string
}

type makeOutput struct {
	vars  map[string]*makeVar // by name
	where map[string]string   // name -> "file:line" relative to root
}

// printVarsMakefile is read after the module's own makefiles. It includes
// config.mk when the Makefile did not (rust.ko's precedence puts config.mk
// over the Makefile either way) and defines the rule that prints each
// variable with its origin. The rule is written on one line after `;` so a
// Makefile that changes .RECIPEPREFIX cannot break it.
func printVarsMakefile(configMk string) string {
	var b strings.Builder
	b.WriteString("# Written by rustko-lsp: prints the rust.ko variables; builds nothing.\n")
	// The path goes through a variable: a comma in it would split
	// $(filter)'s arguments (config.mk read twice, its += applied twice),
	// a $ would expand and a # would start a comment.
	b.WriteString("rustko__comma := ,\n")
	fmt.Fprintf(&b, "rustko__config_mk := %s\n", makeLiteral(configMk))
	b.WriteString("ifeq ($(filter $(rustko__config_mk),$(abspath $(MAKEFILE_LIST))),)\n-include $(rustko__config_mk)\nendif\n")
	fmt.Fprintf(&b, ".PHONY: %s\n%s: ;", printGoal, printGoal)
	for _, n := range evaluated {
		fmt.Fprintf(&b, "$(info %s%s|$(origin %s)|$(%s))", varMarker, n, n, n)
	}
	b.WriteString(":\n")
	return b.String()
}

// makeLiteral writes s so that a make assignment gives back s itself.
func makeLiteral(s string) string {
	return strings.NewReplacer("$", "$$", ",", "$(rustko__comma)", "#", "\\#").Replace(s)
}

// evalMake runs make on root's makefiles with -p, which adds make's database
// to the output: for each variable, the file and line of the assignment that
// last changed it.
func evalMake(ctx context.Context, root string, cli, env []string) (*makeOutput, error) {
	if _, err := exec.LookPath("make"); err != nil {
		return nil, fmt.Errorf("%w: make is not on PATH (install it: apt-get install make)", errNoMake)
	}
	tmp, err := os.CreateTemp("", "rustko-printvars-*.mk")
	if err != nil {
		return nil, fmt.Errorf("loading module %s: writing make's helper file: %w", root, err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(printVarsMakefile(filepath.Join(root, "config.mk")))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("loading module %s: writing make's helper file: %w", root, err)
	}

	args := []string{"-p", "-s", "--no-print-directory"}
	if mf := filepath.Join(root, "Makefile"); isFile(mf) {
		args = append(args, "-f", mf)
	}
	args = append(args, "-f", tmp.Name(), printGoal)
	args = append(args, cli...)
	env = append(env, "PWD="+root) // rust.ko's Makefile uses $(PWD)

	ctx, cancel := context.WithTimeout(ctx, loadTimeout)
	defer cancel()
	res, err := proc.Run(ctx, proc.Cmd{Name: "make", Args: args, Dir: root, Env: env})
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("loading module %s: make did not finish within %s; a $(shell ...) in the Makefile or config.mk probably hangs: %w",
				root, loadTimeout, err)
		}
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return nil, makeError(root, res.Stderr)
		}
		return nil, fmt.Errorf("loading module %s: %w", root, err)
	}
	return parseMakeOutput(root, res.Stdout)
}

var makeErrRE = regexp.MustCompile(`^(.+?):(\d+): \*\*\* (.*)$`)

// makeError turns make's stderr into a MakeError naming the file and line
// make blamed.
func makeError(root string, stderr []byte) error {
	e := &MakeError{Stderr: string(stderr)}
	for _, line := range strings.Split(string(stderr), "\n") {
		m := makeErrRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		e.File = absPath(root, m[1])
		e.Line, _ = strconv.Atoi(m[2])
		e.Message = m[3]
		break
	}
	if strings.HasPrefix(e.Message, "missing 'endif'") {
		// make blames the end of the file; the mistake is the block it
		// found open there.
		if src, err := os.ReadFile(e.File); err == nil {
			if _, _, line := scanMakefile(string(src)); line > 0 {
				e.Message = fmt.Sprintf("missing 'endif': the conditional opened at line %d is never closed.  Stop.", line)
				e.Line = line
			}
		}
	}
	return e
}

// makeDBLocRE matches the comment make -p prints above each variable. Make
// 4.3 quotes the file name with a plain apostrophe on both sides, older
// versions open it with a backquote.
var makeDBLocRE = regexp.MustCompile("^# makefile \\(from [`']([^']*)', line (\\d+)\\)$")

func parseMakeOutput(root string, out []byte) (*makeOutput, error) {
	res := &makeOutput{vars: map[string]*makeVar{}, where: map[string]string{}}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	var loc string // location comment seen on the previous line
	var cur *makeVar
	inDB := false
	for sc.Scan() {
		line := sc.Text()
		if !inDB && strings.HasPrefix(line, "# GNU Make ") {
			inDB = true
		}
		if rest, ok := strings.CutPrefix(line, varMarker); ok && !inDB {
			parts := strings.SplitN(rest, "|", 3)
			if len(parts) != 3 {
				return nil, fmt.Errorf("loading module %s: cannot read make's output line %q; this is a rustko bug", root, line)
			}
			cur = &makeVar{origin: parts[1], value: parts[2]}
			res.vars[parts[0]] = cur
			continue
		}
		if !inDB {
			if cur != nil {
				// A value holding newlines (define ... endef) spans lines.
				cur.value += "\n" + line
			}
			continue
		}
		if m := makeDBLocRE.FindStringSubmatch(line); m != nil {
			loc = relTo(root, m[1]) + ":" + m[2]
			continue
		}
		if loc != "" {
			if name := dbVarName(line); slices.Contains(evaluated, name) {
				res.where[name] = loc
			}
			loc = ""
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("loading module %s: reading make's output: %w", root, err)
	}
	for _, v := range res.vars {
		// The blank line make prints before its database is not a value.
		v.value = strings.TrimRight(v.value, "\n")
	}
	return res, nil
}

// dbVarName extracts NAME from a make -p line such as "NAME := value",
// "NAME = value" or "define NAME".
func dbVarName(line string) string {
	if rest, ok := strings.CutPrefix(line, "define "); ok {
		return strings.TrimSpace(rest)
	}
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case ' ', ':', '=', '?', '+', '!':
			return line[:i]
		}
	}
	return ""
}

// relTo shows p (a makefile make named, or an absolute path of Vars)
// relative to root when it lies inside it.
func relTo(root, p string) string {
	abs := absPath(root, p)
	if rel, err := filepath.Rel(root, abs); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return abs
}
