package module

import (
	"reflect"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/internal/proc"
	"mvdan.cc/sh/v3/syntax"
)

// FuzzShellWords checks that splitting a list value never panics and that
// the words of a plain value, quoted again by the library (or as rustko
// quotes for kbuild where POSIX sh has no quoting), split back unchanged.
func FuzzShellWords(f *testing.F) {
	f.Add(`"linux/delay.h" 'linux/fs.h' linux/slab.h`)
	f.Add(`a\ b "c\"d" 'e'\''f' g#h # i`)
	f.Add(`--config $HOME/x.toml -C 'link-arg=a b' "$(pwd)" ~/x *.o`)
	f.Add(`a "b\`)
	f.Fuzz(func(t *testing.T, s string) {
		words, ok := ShellWords(s)
		if !ok {
			return
		}
		var quoted []string
		for _, w := range words {
			if strings.Contains(w, "\x00") || strings.Contains(w, "\r\n") {
				return // see FuzzSplitShell
			}
			q, err := syntax.Quote(w, syntax.LangPOSIX)
			if err != nil {
				q = proc.ShellQuote(w)
			}
			quoted = append(quoted, q)
		}
		again, ok := ShellWords(strings.Join(quoted, " "))
		if !ok || !reflect.DeepEqual(again, words) && len(words)+len(again) > 0 {
			t.Fatalf("%q gave %q; quoted %q gave %q, %v", s, words, quoted, again, ok)
		}
	})
}
