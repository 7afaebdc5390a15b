package module

import (
	"errors"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// ShellWords splits a variable's value into words the way sh reads the
// arguments of a command, with mvdan.cc/sh's POSIX parser: blanks separate
// words, single quotes keep everything literally, double quotes keep all but
// a backslash before \ " $ ` or a newline, a backslash outside quotes keeps
// the next character, and # at the start of a word begins a comment.
// Expansions ($NAME, ${NAME}, $(cmd), `cmd`) are kept as written, never
// performed: rust.ko's build.rs read KERNEL_INCLUDE and KERNEL_HELPERS with
// shlex::split, which does not expand either. rust.ko's Makefile documents
// KERNEL_INCLUDE as `"linux/delay.h"`, quotes included, so reading the value
// with strings.Fields would look for a header whose name starts with a quote.
//
// ok is false when the value is not a plain list of words, so callers can
// say so: an unterminated quote runs to the end of the value (build.rs
// panicked; here a typo costs one header rather than every binding), and
// after a shell operator (; & | < > ( )) or an unclosed $( ${ ` the rest of
// the value is one word, as written. shlex kept those characters inside
// words; no header or function name has them.
func ShellWords(s string) (words []string, ok bool) {
	words, rest, err := parseWords(s)
	if err == nil {
		return words, true
	}
	var perr syntax.ParseError
	if errors.As(err, &perr) && perr.Incomplete && perr.Pos.Offset() < uint(len(s)) {
		if q := s[perr.Pos.Offset()]; q == '\'' || q == '"' {
			// Close the quote and read the rest again; a double quote after
			// a lone backslash would be escaped, so that one is doubled.
			for _, end := range []string{string(q), `\` + string(q)} {
				if more, _, err := parseWords(s[rest:] + end); err == nil {
					return append(words, more...), false
				}
			}
		}
	}
	if tail := strings.TrimLeft(s[rest:], " \t\r\n"); tail != "" {
		words = append(words, tail)
	}
	return words, false
}

// parseWords returns the words of s up to the first error and the offset
// where the words it could not read start.
func parseWords(s string) (words []string, rest int, err error) {
	p := syntax.NewParser(syntax.Variant(syntax.LangPOSIX))
	for w, err := range p.WordsSeq(strings.NewReader(s)) {
		if err != nil {
			return words, rest, err
		}
		words = append(words, wordText(s, w))
		rest = int(w.End().Offset())
	}
	return words, rest, nil
}

// wordText removes the quotes and backslashes of a parsed word the way sh
// does, keeping any expansion as the text it was written with (src is what
// w was parsed from).
func wordText(src string, w *syntax.Word) string {
	var b strings.Builder
	var add func(parts []syntax.WordPart, dquoted bool)
	add = func(parts []syntax.WordPart, dquoted bool) {
		for _, part := range parts {
			switch part := part.(type) {
			case *syntax.Lit:
				b.WriteString(unescape(part.Value, dquoted))
			case *syntax.SglQuoted:
				b.WriteString(part.Value)
			case *syntax.DblQuoted:
				add(part.Parts, true)
			default: // $NAME, ${...}, $(...), `...`, $((...))
				b.WriteString(src[part.Pos().Offset():part.End().Offset()])
			}
		}
	}
	add(w.Parts, false)
	return b.String()
}

// unescape removes the backslashes sh removes from literal text: before any
// character outside quotes, before \ " $ ` inside double quotes. The parser
// has already joined lines continued with a backslash.
func unescape(lit string, dquoted bool) string {
	if !strings.Contains(lit, `\`) {
		return lit
	}
	var b strings.Builder
	for i := 0; i < len(lit); i++ {
		if lit[i] == '\\' && i+1 < len(lit) && (!dquoted || strings.IndexByte("\\\"$`\n", lit[i+1]) >= 0) {
			i++
		}
		b.WriteByte(lit[i])
	}
	return b.String()
}
