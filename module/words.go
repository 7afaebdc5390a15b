package module

import "strings"

// shellWords splits a list variable (KERNEL_INCLUDE, KERNEL_HELPERS) into
// words the way rust.ko's build.rs did with shlex::split: blanks separate
// words, single quotes keep everything literally, double quotes keep all but
// a backslash before \ " $ ` or a newline, and a backslash outside quotes
// keeps the next character. rust.ko's Makefile documents the value as
// `"linux/delay.h"`, quotes included, so reading the value with
// strings.Fields would look for a header whose name starts with a quote.
//
// build.rs refused a value with an unterminated quote (it panicked); here
// the quote runs to the end of the value instead, so a typo costs one
// header rather than every binding, and ok is false so callers can say so.
func shellWords(s string) (words []string, ok bool) {
	var (
		w      strings.Builder
		inWord bool
		quote  byte // '\'' or '"' while inside quotes
	)
	end := func() {
		if inWord {
			words = append(words, w.String())
			w.Reset()
			inWord = false
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote == '\'':
			if c == '\'' {
				quote = 0
			} else {
				w.WriteByte(c)
			}
		case quote == '"':
			switch {
			case c == '"':
				quote = 0
			case c == '\\' && i+1 < len(s) && strings.IndexByte("\\\"$`\n", s[i+1]) >= 0:
				i++
				if s[i] != '\n' {
					w.WriteByte(s[i])
				}
			default:
				w.WriteByte(c)
			}
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			end()
		case c == '\'' || c == '"':
			quote, inWord = c, true
		case c == '\\':
			inWord = true
			if i+1 < len(s) {
				i++
				if s[i] != '\n' {
					w.WriteByte(s[i])
				}
			}
		default:
			inWord = true
			w.WriteByte(c)
		}
	}
	end()
	return words, quote == 0
}
