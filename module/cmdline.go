package module

import (
	"fmt"
	"strings"
)

// splitShell splits one line of shell text, as kbuild prints it with V=1,
// into simple commands (split at ; && || | & and parentheses), each an argv
// with quotes and backslashes removed the way sh removes them. kbuild quotes
// defines for the shell (-DKBUILD_MODNAME='"x"', -D"KBUILD_BASENAME=KBUILD_STR(x)"),
// so a plain split on spaces would keep the quotes in the macro values.
// Redirections are dropped with their target. Expansions ($VAR, $(...),
// backquotes) are kept as text: kbuild's compiler commands contain none.
func splitShell(line string) ([][]string, error) {
	var (
		cmds    [][]string
		argv    []string
		word    strings.Builder
		inWord  bool
		redir   bool // the next word is a redirection target, not an argument
		endWord = func() {
			if inWord {
				if !redir {
					argv = append(argv, word.String())
				}
				redir = false
				word.Reset()
				inWord = false
			}
		}
		endCmd = func() {
			endWord()
			if len(argv) > 0 {
				cmds = append(cmds, argv)
				argv = nil
			}
		}
	)
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch c {
		case ' ', '\t', '\n', '\r':
			endWord()
		case ';', '&', '|', '(', ')':
			endCmd()
			redir = false
		case '<', '>':
			endWord()
			for i+1 < len(line) && (line[i+1] == '>' || line[i+1] == '&') {
				i++
			}
			redir = true
		case '#':
			if !inWord {
				// A comment runs to the end of the line.
				endCmd()
				return cmds, nil
			}
			word.WriteByte(c)
		case '\\':
			inWord = true
			if i+1 < len(line) {
				i++
				if line[i] != '\n' { // backslash-newline joins lines
					word.WriteByte(line[i])
				}
			}
		case '\'':
			inWord = true
			end := strings.IndexByte(line[i+1:], '\'')
			if end < 0 {
				return nil, fmt.Errorf("unterminated single quote at byte %d", i+1)
			}
			word.WriteString(line[i+1 : i+1+end])
			i += end + 1
		case '"':
			inWord = true
			j := i + 1
			for ; j < len(line) && line[j] != '"'; j++ {
				if line[j] == '\\' && j+1 < len(line) && strings.IndexByte("$`\"\\\n", line[j+1]) >= 0 {
					j++
					if line[j] == '\n' {
						continue
					}
				}
				word.WriteByte(line[j])
			}
			if j >= len(line) {
				return nil, fmt.Errorf("unterminated double quote at byte %d", i+1)
			}
			i = j
		default:
			inWord = true
			word.WriteByte(c)
		}
	}
	endCmd()
	return cmds, nil
}
