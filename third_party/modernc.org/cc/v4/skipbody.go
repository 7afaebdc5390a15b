// Copyright 2021 The CC Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package cc // import "modernc.org/cc/v4"

// macroBraces returns the number of '{' minus the number of '}' the
// replacement list l adds when expanded, counting the macros it names as
// currently defined. A name defined later is not seen; in Linux 6.1 headers
// no macro has unbalanced braces that way.
func (c *cpp) macroBraces(l []cppToken) (r int) {
	for _, t := range l {
		switch t.Ch {
		case '{':
			r++
		case '}':
			r--
		case rune(IDENTIFIER):
			if m := c.macros[string(t.Src())]; m != nil {
				r += m.braces
			}
		}
	}
	return r
}

// skipFunctionBody implements Config.SkipFunctionBodies. The parser has just
// shifted lbrace, the '{' of a function body. skipFunctionBody consumes the
// rest of the body, up to and including its matching '}', which it returns.
//
// Tokens already macro expanded, in the parser's lookahead, the current token
// of the preprocessor and its output, are counted as they are. The rest is
// taken from the preprocessor's input without expansion, until a macro whose
// expansion has unbalanced braces: from there on, tokens are expanded.
func (p *parser) skipFunctionBody(lbrace Token) (rbrace Token) {
	c := p.cpp
	depth := 1
	count := func(ch rune) bool {
		switch ch {
		case '{':
			depth++
		case '}':
			depth--
		}
		return depth == 0
	}
	done := func(t Token) Token {
		p.seq++
		t.seq = p.seq
		return t
	}

	for i, t := range p.toks {
		if count(t.Ch) {
			p.toks = p.toks[i+1:]
			return done(t)
		}
	}
	p.toks = p.toks[:0]

	if c.closed {
		return p.unterminatedBody(lbrace)
	}

	if c.tok.Ch != eof {
		t := c.shift()
		if count(t.Ch) {
			return done(t)
		}
	}

	tz := c.tokenizer
	for i, t := range tz.out {
		if t.Ch == pragmaMarker {
			delete(c.pragmas, t.off)
			continue
		}

		if t.Ch == eof {
			tz.out = tz.out[i:]
			return p.unterminatedBody(lbrace)
		}

		if count(t.Ch) {
			tz.out = tz.out[i+1:]
			return done(t.Token)
		}
	}
	tz.out = tz.out[:0]

	for {
		t := tz.q.shift()
		switch t.Ch {
		case eof:
			// The tokenizer keeps returning eof, the parser gets it
			// next.
			tz.out = append(tz.out, t)
			return p.unterminatedBody(lbrace)
		case rune(IDENTIFIER):
			if m := c.macros[string(t.Src())]; m != nil && m.braces != 0 && !t.hs.has(string(t.Src())) {
				// A macro with unbalanced braces, like a
				// do_each/while_each pair. The rest of the
				// body is expanded to count right.
				s := cppTokens{t}
				tz.q.prepend(&s)
				return p.skipExpandedBody(lbrace, depth)
			}
		default:
			if count(t.Ch) {
				return done(t.Token)
			}
		}
	}
}

// skipExpandedBody consumes macro expanded tokens until depth, the number of
// unclosed braces of a function body, drops to zero and returns the '}' that
// closes it.
func (p *parser) skipExpandedBody(lbrace Token, depth int) (rbrace Token) {
	for {
		t := p.cpp.tokenizer.token()
		switch t.Ch {
		case eof:
			return p.unterminatedBody(lbrace)
		case '{':
			depth++
		case '}':
			if depth--; depth == 0 {
				p.seq++
				t.seq = p.seq
				return t
			}
		}
	}
}

func (p *parser) unterminatedBody(lbrace Token) Token {
	p.cpp.eh("%v: unterminated function body", lbrace.Position())
	t := lbrace
	t.Ch = '}'
	return t
}
