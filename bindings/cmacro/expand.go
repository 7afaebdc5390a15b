package cmacro

import (
	"errors"
	"maps"
	"slices"
	"strings"

	"github.com/rustko/rustko-lsp/bindings/clex"
)

// The errors of Expand.
var (
	ErrLimit      = errors.New("macro expansion too large")
	ErrUnbalanced = errors.New("unterminated macro argument list")
)

// placemarker stands for an empty argument next to ## ([0]6.10.3.3p2); it
// never leaves subst.
const placemarker clex.Kind = 255

// Expander expands token lists with the definitions Lookup gives (nil: not
// a macro).
type Expander struct {
	Lookup func(name string) *Def
	// Limit bounds the tokens the Expander reads and produces over its
	// Expand calls, and in each level of Levels, so a hostile or
	// accidentally exponential macro set cannot hang the caller; 0 is no
	// bound.
	Limit int
	// Memo, when set, keeps the expansions of object-like macros across
	// Expand calls and Expanders.
	Memo Memo
	// Used, when set, collects the names of the macros expanded.
	Used map[string]bool
	work int
}

// Memo holds object-like macros' expansions on their own. Reusing one
// inside another expansion is exact when none of the macros it expanded is
// hidden there (the context would have stopped them) and no function-like
// macro name is left in it (the context could supply its arguments). The
// kernel's page-table constants expand to thousands of tokens each and
// share their sub-macros, so this turns seconds into milliseconds.
type Memo map[string]*memoEntry

type memoEntry struct {
	toks   []clex.Token
	used   map[string]bool
	closed bool
}

// Expand fully macro-expands ts, as the C preprocessor does.
func (e *Expander) Expand(ts []clex.Token) ([]clex.Token, error) {
	out, _, err := e.run(ts, true)
	return out, err
}

// Levels returns the successive expansions of ts: ts itself, then ts with
// every macro invocation in it replaced once (arguments as written: the
// next level expands them), and so on, ending with the first form that no
// longer changes, after maxLevels levels, or before a level that passes
// Limit. A caller reads the intermediate forms (a call that a later level
// turns into something else); the last one is the expansion.
func (e *Expander) Levels(ts []clex.Token, maxLevels int) [][]clex.Token {
	out := [][]clex.Token{ts}
	for range maxLevels {
		e.work = 0
		next, changed, err := e.run(ts, false)
		if err != nil || !changed {
			break
		}
		out = append(out, next)
		ts = next
	}
	return out
}

func (e *Expander) charge(n int) error {
	e.work += n
	if e.Limit > 0 && e.work > e.Limit {
		return ErrLimit
	}
	return nil
}

// run replaces the macro invocations in ts. With rescan each replacement is
// read again, after its arguments were expanded on their own, which is C's
// full expansion; without, replacements and arguments are left as they
// are, which is one level. The input is a stack with its next token last,
// so pushing a replacement back costs its length, not the length of
// everything after it.
func (e *Expander) run(ts []clex.Token, rescan bool) (out []clex.Token, changed bool, err error) {
	in := make([]clex.Token, len(ts))
	for i, t := range ts {
		in[len(ts)-1-i] = t
	}
	for len(in) > 0 {
		if err := e.charge(1); err != nil {
			return nil, changed, err
		}
		t := in[len(in)-1]
		in = in[:len(in)-1]
		m := (*Def)(nil)
		if t.Kind == clex.Ident && !slices.Contains(t.Hide, t.Text) {
			m = e.Lookup(t.Text)
		}
		if m == nil || m.FuncLike && (len(in) == 0 || in[len(in)-1].Text != "(" || in[len(in)-1].Kind != clex.Punct) {
			// A function-like macro name without arguments is just a name.
			out = append(out, t)
			continue
		}
		if rescan && !m.FuncLike && e.Memo != nil {
			if me := e.memoized(m); me != nil && me.closed && !hiddenIn(me.used, t.Hide) {
				if err := e.charge(len(me.toks)); err != nil {
					return nil, changed, err
				}
				if e.Used != nil {
					maps.Copy(e.Used, me.used)
				}
				// A closed expansion needs no hide set from the context:
				// every macro name left in it is hidden by its own.
				n := len(out)
				out = append(out, me.toks...)
				if len(me.toks) > 0 {
					out[n].Space = t.Space
				}
				continue
			}
		}
		if e.Used != nil {
			e.Used[m.Name] = true
		}
		var args [][]clex.Token
		hs := hideAdd(t.Hide, m.Name)
		if m.FuncLike {
			var rest []clex.Token
			var rparen clex.Token
			args, rest, rparen, err = collectArgs(in[:len(in)-1], m)
			if err != nil && rescan {
				return nil, changed, err
			}
			if err != nil {
				// A level shows an unterminated call as written and ends.
				out = append(out, t)
				for i := len(in) - 1; i >= 0; i-- {
					out = append(out, in[i])
				}
				return out, changed, nil
			}
			in, hs = rest, hideAdd(intersect(t.Hide, rparen.Hide), m.Name)
		}
		body, err := e.subst(m, args, hs, rescan)
		if err != nil {
			return nil, changed, err
		}
		changed = true
		if len(body) > 0 {
			body[0].Space = t.Space
		}
		if !rescan {
			out = append(out, body...)
			continue
		}
		for i := len(body) - 1; i >= 0; i-- {
			in = append(in, body[i])
		}
	}
	return out, changed, nil
}

// collectArgs splits the arguments of a macro call off the stack in (the
// next token last), which starts after '('; it returns the rest of in.
// Only parentheses nest ([0]6.10.3p11), and the variadic parameter takes
// the remaining arguments, commas included.
func collectArgs(in []clex.Token, m *Def) (args [][]clex.Token, rest []clex.Token, rparen clex.Token, err error) {
	depth := 0
	var cur []clex.Token
	for i := len(in) - 1; i >= 0; i-- {
		t := in[i]
		if t.Kind == clex.Punct {
			switch t.Text {
			case "(":
				depth++
			case ")":
				if depth == 0 {
					args = append(args, cur)
					// f() has one empty argument; a macro of no
					// parameters takes none.
					if len(m.Params) == 0 && len(args) == 1 && len(args[0]) == 0 {
						args = nil
					}
					return args, in[:i], t, nil
				}
				depth--
			case ",":
				if depth == 0 && !(m.Variadic && len(args) >= len(m.Params)-1) {
					args = append(args, cur)
					cur = nil
					continue
				}
			}
		}
		cur = append(cur, t)
	}
	return nil, nil, clex.Token{}, ErrUnbalanced
}

// subst substitutes arguments into m's body ([0]6.10.3.1-3) and adds hs to
// every resulting token's hide set. expand says whether an argument not
// next to # or ## is macro-expanded first.
func (e *Expander) subst(m *Def, args [][]clex.Token, hs []string, expand bool) ([]clex.Token, error) {
	if len(args) < len(m.Params) {
		// Missing trailing arguments are empty (GNU allows omitting the
		// variable ones entirely).
		args = append(args, make([][]clex.Token, len(m.Params)-len(args))...)
	}
	param := func(t clex.Token) int {
		if t.Kind != clex.Ident {
			return -1
		}
		return slices.Index(m.Params, t.Text)
	}
	// raw is an argument as written; copying it is work like producing it.
	raw := func(p int) ([]clex.Token, error) { return args[p], e.charge(len(args[p])) }
	var out []clex.Token
	body := m.Body
	for i := 0; i < len(body); i++ {
		t := body[i]
		if err := e.charge(1); err != nil {
			return nil, err
		}
		// # param: stringize the unexpanded argument.
		if t.Text == "#" && t.Kind == clex.Punct && m.FuncLike && i+1 < len(body) {
			if p := param(body[i+1]); p >= 0 {
				arg, err := raw(p)
				if err != nil {
					return nil, err
				}
				out = append(out, clex.Token{Kind: clex.String, Text: stringize(arg), Space: t.Space})
				i++
				continue
			}
		}
		// x ## y: paste; a parameter next to ## is not expanded.
		if i+1 < len(body) && body[i+1].Text == "##" && body[i+1].Kind == clex.Punct {
			p := param(t)
			if p < 0 {
				out = append(out, t)
				continue
			}
			arg, err := raw(p)
			if err != nil {
				return nil, err
			}
			if len(arg) == 0 {
				arg = []clex.Token{{Kind: placemarker}}
			}
			out = append(out, arg...)
			continue
		}
		if t.Text == "##" && t.Kind == clex.Punct && i+1 < len(body) {
			i++
			right := body[i : i+1]
			if p := param(body[i]); p >= 0 {
				var err error
				if right, err = raw(p); err != nil {
					return nil, err
				}
				if m.Variadic && p == len(m.Params)-1 && len(out) > 0 && out[len(out)-1].Text == "," {
					// GNU: , ## __VA_ARGS__ drops the comma when the
					// variable arguments are empty; else the comma stays
					// and they follow unpasted.
					if len(right) == 0 {
						out = out[:len(out)-1]
					}
					out = append(out, right...)
					continue
				}
			}
			if len(right) == 0 {
				continue
			}
			if len(out) == 0 || out[len(out)-1].Kind == placemarker {
				if len(out) > 0 {
					out = out[:len(out)-1]
				}
				out = append(out, right...)
				continue
			}
			// A paste that is not one token stays the tokens it lexes to,
			// as gcc leaves them after its error.
			l := out[len(out)-1]
			text := l.Text + right[0].Text
			pasted := clex.Lex(text)
			if len(pasted) == 0 {
				pasted = []clex.Token{{Kind: clex.Punct, Text: text}}
			}
			pasted[0].Space = l.Space
			out = append(append(out[:len(out)-1], pasted...), right[1:]...)
			continue
		}
		p := param(t)
		if p < 0 {
			out = append(out, t)
			continue
		}
		arg, err := args[p], error(nil)
		if expand {
			arg, _, err = e.run(arg, true)
		} else {
			_, err = raw(p)
		}
		if err != nil {
			return nil, err
		}
		if len(arg) > 0 {
			arg = slices.Clone(arg)
			arg[0].Space = t.Space
		}
		out = append(out, arg...)
	}
	w := 0
	for _, t := range out {
		if t.Kind == placemarker {
			continue
		}
		t.Hide = union(t.Hide, hs)
		out[w] = t
		w++
	}
	return out[:w], nil
}

func stringize(ts []clex.Token) string {
	var b strings.Builder
	b.WriteByte('"')
	for i, t := range ts {
		if i > 0 && t.Space {
			b.WriteByte(' ')
		}
		if t.Kind == clex.String || t.Kind == clex.Char {
			for _, c := range []byte(t.Text) {
				if c == '"' || c == '\\' {
					b.WriteByte('\\')
				}
				b.WriteByte(c)
			}
			continue
		}
		b.WriteString(t.Text)
	}
	b.WriteByte('"')
	return b.String()
}

// memoized returns m's expansion on its own, computing it once.
func (e *Expander) memoized(m *Def) *memoEntry {
	if me, ok := e.Memo[m.Name]; ok {
		return me
	}
	// A placeholder stops a macro that reaches itself from recursing here;
	// such a macro is hidden from itself and simply not memoized.
	e.Memo[m.Name] = nil
	sub := &Expander{Lookup: e.Lookup, Limit: e.Limit, work: e.work, Memo: e.Memo, Used: map[string]bool{}}
	toks, err := sub.Expand([]clex.Token{{Kind: clex.Ident, Text: m.Name}})
	e.work = sub.work
	if err != nil {
		delete(e.Memo, m.Name)
		return nil
	}
	me := &memoEntry{toks: toks, used: sub.Used, closed: true}
	for _, t := range toks {
		if t.Kind == clex.Ident && !slices.Contains(t.Hide, t.Text) {
			if d := e.Lookup(t.Text); d != nil && d.FuncLike {
				me.closed = false
				break
			}
		}
	}
	e.Memo[m.Name] = me
	return me
}

// Hide sets are shared between tokens, so they are never appended to in
// place: every change makes a new slice.

func hideAdd(hs []string, name string) []string {
	if slices.Contains(hs, name) {
		return hs
	}
	return append(slices.Clip(hs), name)
}

func union(a, b []string) []string {
	if len(a) == 0 {
		return b
	}
	for _, n := range b {
		a = hideAdd(a, n)
	}
	return a
}

func intersect(a, b []string) []string {
	var r []string
	for _, n := range a {
		if slices.Contains(b, n) {
			r = append(r, n)
		}
	}
	return r
}

func hiddenIn(used map[string]bool, hs []string) bool {
	for _, n := range hs {
		if used[n] {
			return true
		}
	}
	return false
}
