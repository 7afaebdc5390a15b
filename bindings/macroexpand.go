package bindings

import (
	"errors"
	"strings"

	"github.com/rustko/rustko-lsp/bindings/clex"
)

// The front end keeps every macro's final definition but evaluates only the
// ones defined once, and evaluating all 14,000 of a kernel translation unit
// costs more than the whole parse. So rustko expands the macros it needs
// itself, from cc/v4's macro table, with the C standard's algorithm (hide
// sets, [0]6.10.3.4), and evaluates the result with cexpr.go.

type tkind uint8

const (
	tIdent tkind = iota
	tNumber
	tString
	tChar
	tPunct
	tPlacemarker // an empty argument next to ##, [0]6.10.3.3p2
)

// ptok is a preprocessing token.
type ptok struct {
	kind  tkind
	text  string
	space bool     // white space before it (for # stringizing)
	hide  *hideSet // macros that must not expand it again
}

// hideSet is an immutable set of macro names, shared between tokens.
type hideSet struct {
	name string
	next *hideSet
}

func (h *hideSet) has(name string) bool {
	for ; h != nil; h = h.next {
		if h.name == name {
			return true
		}
	}
	return false
}

func (h *hideSet) add(name string) *hideSet {
	if h.has(name) {
		return h
	}
	return &hideSet{name: name, next: h}
}

func (h *hideSet) union(o *hideSet) *hideSet {
	for ; o != nil; o = o.next {
		h = h.add(o.name)
	}
	return h
}

func (h *hideSet) intersect(o *hideSet) *hideSet {
	var r *hideSet
	for ; h != nil; h = h.next {
		if o.has(h.name) {
			r = &hideSet{name: h.name, next: r}
		}
	}
	return r
}

// macroDef is one macro definition in the expander's terms.
type macroDef struct {
	name     string
	fnLike   bool
	params   []string
	variadic bool // the last parameter takes the variable arguments
	body     []ptok
}

// macroTable looks macros up by name; nil means not a macro.
type macroTable func(name string) *macroDef

var (
	errExpansionLimit = errors.New("macro expansion too large")
	errUnbalanced     = errors.New("unterminated macro argument list")
)

// expander expands token lists. limit bounds the tokens it may produce, so
// a hostile or accidentally exponential macro set cannot hang the caller.
type expander struct {
	macros macroTable
	limit  int
	work   int
	// memo, when set, keeps the full expansion of object-like macros
	// across calls (see memoized).
	memo map[string]*memoEntry
	// used collects the names of the macros this expansion expanded.
	used map[string]bool
}

// memoEntry is an object-like macro's expansion on its own. Reusing it
// inside another expansion is exact when none of the macros it expanded is
// hidden there (the context would have stopped them) and no function-like
// macro name is left in it (the context could supply its arguments).
// The kernel's page-table constants expand to thousands of tokens each and
// share their sub-macros, so this turns seconds into milliseconds.
type memoEntry struct {
	toks   []ptok
	used   map[string]bool
	closed bool
}

func classify(text string) tkind {
	if text == "" {
		return tPunct
	}
	c := text[0]
	switch {
	case c == '"':
		return tString
	case c == '\'':
		return tChar
	case c >= '0' && c <= '9', c == '.' && len(text) > 1 && text[1] >= '0' && text[1] <= '9':
		return tNumber
	case c == 'L' || c == 'u' || c == 'U':
		rest := strings.TrimPrefix(strings.TrimPrefix(text[1:], "8"), "")
		if strings.HasPrefix(rest, `"`) {
			return tString
		}
		if strings.HasPrefix(rest, "'") {
			return tChar
		}
		return tIdent
	case c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		return tIdent
	}
	return tPunct
}

func (e *expander) charge(n int) error {
	e.work += n
	if e.limit > 0 && e.work > e.limit {
		return errExpansionLimit
	}
	return nil
}

// expand fully macro-expands ts. The input is a stack with its next token
// last, so pushing an expansion back for rescanning costs its length, not
// the length of everything after it.
func (e *expander) expand(ts []ptok) ([]ptok, error) {
	var out []ptok
	in := make([]ptok, len(ts))
	for i, t := range ts {
		in[len(ts)-1-i] = t
	}
	for len(in) > 0 {
		if err := e.charge(1); err != nil {
			return nil, err
		}
		t := in[len(in)-1]
		in = in[:len(in)-1]
		if t.kind != tIdent || t.hide.has(t.text) {
			out = append(out, t)
			continue
		}
		m := e.macros(t.text)
		if m == nil {
			out = append(out, t)
			continue
		}
		var body []ptok
		var err error
		if !m.fnLike && e.memo != nil {
			if me := e.memoized(m); me != nil && me.closed && !hiddenIn(me.used, t.hide) {
				if err := e.charge(len(me.toks)); err != nil {
					return nil, err
				}
				for name := range me.used {
					e.used[name] = true
				}
				// A closed expansion needs no hide set from the context:
				// every macro name left in it is hidden by its own.
				n := len(out)
				out = append(out, me.toks...)
				if len(me.toks) > 0 {
					out[n].space = t.space
				}
				continue
			}
		}
		if e.used != nil {
			e.used[m.name] = true
		}
		if !m.fnLike {
			body, err = e.subst(m, nil, t.hide.add(m.name))
		} else {
			if len(in) == 0 || in[len(in)-1].text != "(" || in[len(in)-1].kind != tPunct {
				// A function-like macro name without arguments is just a name.
				out = append(out, t)
				continue
			}
			var args [][]ptok
			var rparen ptok
			args, in, rparen, err = collectArgs(in[:len(in)-1], m)
			if err != nil {
				return nil, err
			}
			body, err = e.subst(m, args, t.hide.intersect(rparen.hide).add(m.name))
		}
		if err != nil {
			return nil, err
		}
		if len(body) > 0 {
			body[0].space = t.space
		}
		for i := len(body) - 1; i >= 0; i-- {
			in = append(in, body[i])
		}
	}
	return out, nil
}

// collectArgs splits the arguments of a macro call off the stack in (the
// next token last), which starts after '('; it returns the rest of in.
func collectArgs(in []ptok, m *macroDef) (args [][]ptok, rest []ptok, rparen ptok, err error) {
	depth := 0
	var cur []ptok
	for i := len(in) - 1; i >= 0; i-- {
		t := in[i]
		if t.kind == tPunct {
			switch t.text {
			case "(":
				depth++
			case ")":
				if depth == 0 {
					args = append(args, cur)
					// f() has one empty argument; a macro of no
					// parameters takes none.
					if len(m.params) == 0 && len(args) == 1 && len(args[0]) == 0 {
						args = nil
					}
					return args, in[:i], t, nil
				}
				depth--
			case ",":
				if depth == 0 && !(m.variadic && len(args) >= len(m.params)-1) {
					args = append(args, cur)
					cur = nil
					continue
				}
			}
		}
		cur = append(cur, t)
	}
	return nil, nil, ptok{}, errUnbalanced
}

// subst substitutes arguments into m's body ([0]6.10.3.1-3) and adds hs to
// every resulting token's hide set.
func (e *expander) subst(m *macroDef, args [][]ptok, hs *hideSet) ([]ptok, error) {
	if len(args) < len(m.params) {
		// Missing trailing arguments are empty (GNU allows omitting the
		// variable ones entirely).
		args = append(args, make([][]ptok, len(m.params)-len(args))...)
	}
	param := func(t ptok) int {
		if t.kind != tIdent {
			return -1
		}
		for i, p := range m.params {
			if p == t.text {
				return i
			}
		}
		return -1
	}
	var out []ptok
	body := m.body
	for i := 0; i < len(body); i++ {
		t := body[i]
		if err := e.charge(1); err != nil {
			return nil, err
		}
		// # param: stringize the unexpanded argument.
		if t.text == "#" && t.kind == tPunct && m.fnLike && i+1 < len(body) {
			if p := param(body[i+1]); p >= 0 {
				out = append(out, ptok{kind: tString, text: stringize(args[p]), space: t.space})
				i++
				continue
			}
		}
		// x ## y: paste; a parameter next to ## is not expanded.
		if i+1 < len(body) && body[i+1].text == "##" && body[i+1].kind == tPunct {
			if p := param(t); p >= 0 {
				if len(args[p]) == 0 {
					out = append(out, ptok{kind: tPlacemarker})
				} else {
					out = append(out, args[p]...)
				}
			} else {
				out = append(out, t)
			}
			continue
		}
		if t.text == "##" && t.kind == tPunct && i+1 < len(body) {
			next := body[i+1]
			i++
			var right []ptok
			if p := param(next); p >= 0 {
				right = args[p]
				// GNU: , ## __VA_ARGS__ drops the comma when the
				// variable arguments are empty.
				if m.variadic && p == len(m.params)-1 && len(right) == 0 &&
					len(out) > 0 && out[len(out)-1].text == "," {
					out = out[:len(out)-1]
					continue
				}
				if m.variadic && p == len(m.params)-1 && len(out) > 0 && out[len(out)-1].text == "," {
					// GNU: the comma stays, the arguments follow unpasted
					// (the rescan expands them).
					out = append(out, right...)
					continue
				}
			} else {
				right = []ptok{next}
			}
			if len(right) == 0 {
				continue
			}
			if len(out) == 0 || out[len(out)-1].kind == tPlacemarker {
				if len(out) > 0 {
					out = out[:len(out)-1]
				}
				out = append(out, right...)
				continue
			}
			l := out[len(out)-1]
			pasted := l.text + right[0].text
			out[len(out)-1] = ptok{kind: classify(pasted), text: pasted, space: l.space}
			out = append(out, right[1:]...)
			continue
		}
		if p := param(t); p >= 0 {
			exp, err := e.expand(args[p])
			if err != nil {
				return nil, err
			}
			if len(exp) > 0 {
				exp = append([]ptok(nil), exp...)
				exp[0].space = t.space
			}
			out = append(out, exp...)
			continue
		}
		out = append(out, t)
	}
	w := 0
	for _, t := range out {
		if t.kind == tPlacemarker {
			continue
		}
		t.hide = t.hide.union(hs)
		out[w] = t
		w++
	}
	return out[:w], nil
}

func stringize(ts []ptok) string {
	var b strings.Builder
	b.WriteByte('"')
	for i, t := range ts {
		if i > 0 && t.space {
			b.WriteByte(' ')
		}
		if t.kind == tString || t.kind == tChar {
			for _, c := range []byte(t.text) {
				if c == '"' || c == '\\' {
					b.WriteByte('\\')
				}
				b.WriteByte(c)
			}
			continue
		}
		b.WriteString(t.text)
	}
	b.WriteByte('"')
	return b.String()
}

// lexC splits C source text into preprocessing tokens. It is used for
// macro text given as text (tests, fuzzing); the front end's tokens are
// converted with classify.
func lexC(src string) []ptok {
	ts := clex.Lex(src)
	out := make([]ptok, len(ts))
	for i, t := range ts {
		out[i] = ptok{kind: classify(t.Text), text: t.Text, space: t.Space}
	}
	return out
}

// memoized returns m's expansion on its own, computing it once.
func (e *expander) memoized(m *macroDef) *memoEntry {
	if me, ok := e.memo[m.name]; ok {
		return me
	}
	// A placeholder stops a macro that reaches itself from recursing here;
	// such a macro is hidden from itself and simply not memoized.
	e.memo[m.name] = nil
	sub := &expander{macros: e.macros, limit: e.limit, work: e.work, memo: e.memo, used: map[string]bool{}}
	toks, err := sub.expand([]ptok{{kind: tIdent, text: m.name}})
	e.work = sub.work
	if err != nil {
		delete(e.memo, m.name)
		return nil
	}
	me := &memoEntry{toks: toks, used: sub.used, closed: true}
	for _, t := range toks {
		if t.kind == tIdent && !t.hide.has(t.text) {
			if d := e.macros(t.text); d != nil && d.fnLike {
				me.closed = false
				break
			}
		}
	}
	e.memo[m.name] = me
	return me
}

func hiddenIn(used map[string]bool, hs *hideSet) bool {
	for ; hs != nil; hs = hs.next {
		if used[hs.name] {
			return true
		}
	}
	return false
}
