package module

import (
	"errors"
	"fmt"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// splitShell parses one line of shell text, as kbuild prints it with V=1,
// with mvdan.cc/sh's POSIX parser (kbuild runs its commands with make's
// /bin/sh) and returns its simple commands in order, each an argv with
// quotes and backslashes removed the way sh removes them. kbuild quotes
// defines for the shell (-DKBUILD_MODNAME='"x"', -D"KBUILD_BASENAME=KBUILD_STR(x)"),
// so a plain split on spaces would keep the quotes in the macro values, and
// it wraps commands in `if ...; then ...; fi` and pipes, which the parser
// takes apart. Redirections, comments and a command's leading NAME=value
// assignments (its environment) are left out. Expansions ($VAR, ${VAR},
// $(...), backquotes) are kept as the text they were written with, never
// performed, and the commands inside a $(...) are not listed: kbuild's
// compiler commands contain none, and rustko does not run the shell.
func splitShell(line string) ([][]string, error) {
	f, err := syntax.NewParser(syntax.Variant(syntax.LangPOSIX)).Parse(strings.NewReader(line), "")
	if err != nil {
		var perr syntax.ParseError
		if errors.As(err, &perr) && perr.Incomplete && perr.Pos.Offset() < uint(len(line)) {
			switch line[perr.Pos.Offset()] {
			case '\'':
				return nil, fmt.Errorf("unterminated single quote at byte %d", perr.Pos.Offset()+1)
			case '"':
				return nil, fmt.Errorf("unterminated double quote at byte %d", perr.Pos.Offset()+1)
			}
		}
		return nil, fmt.Errorf("not a shell command line: %w", err)
	}
	var cmds [][]string
	syntax.Walk(f, func(n syntax.Node) bool {
		call, ok := n.(*syntax.CallExpr)
		if !ok {
			return true
		}
		if len(call.Args) > 0 {
			argv := make([]string, len(call.Args))
			for i, w := range call.Args {
				argv[i] = wordText(line, w)
			}
			cmds = append(cmds, argv)
		}
		return false // its words: a $(...) in them is kept as text
	})
	return cmds, nil
}
