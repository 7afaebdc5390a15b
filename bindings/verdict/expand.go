package verdict

import (
	"slices"
	"strings"

	"github.com/rustko/rustko-lsp/bindings/clex"
	"github.com/rustko/rustko-lsp/bindings/index"
)

// macroDef is a macro as the expander needs it.
type macroDef struct {
	name     string
	funcLike bool
	params   []string // the variadic parameter, when there is one, is last
	variadic bool
	body     []token
}

// defOf reads a macro's definition from an index item: the "#define" text in
// Decl when present (it keeps GNU named variadics such as "args..."), else
// Params and Expansion.
func defOf(it *index.Item) *macroDef {
	if it == nil || (it.Kind != index.Macro && it.Kind != index.FunctionMacro) {
		return nil
	}
	if d := parseDefine(it.Decl); d != nil && d.name == it.Name {
		return d
	}
	d := &macroDef{name: it.Name, funcLike: it.Kind == index.FunctionMacro, body: lexC(it.Expansion)}
	for _, p := range it.Params {
		name := p.Name
		switch {
		case name == "...":
			name = "__VA_ARGS__"
			d.variadic = true
		case strings.HasSuffix(name, "..."):
			name = strings.TrimSuffix(name, "...")
			d.variadic = true
		}
		d.params = append(d.params, name)
	}
	if it.Variadic && !d.variadic {
		d.params = append(d.params, "__VA_ARGS__")
		d.variadic = true
	}
	return d
}

// parseDefine parses "#define NAME body" or "#define NAME(params) body".
func parseDefine(s string) *macroDef {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "#") {
		return nil
	}
	s = strings.TrimLeft(s[1:], " \t")
	if !strings.HasPrefix(s, "define") {
		return nil
	}
	s = strings.TrimLeft(s[len("define"):], " \t")
	n := 0
	for n < len(s) && isIdentChar(s[n]) {
		n++
	}
	if n == 0 {
		return nil
	}
	d := &macroDef{name: s[:n]}
	s = s[n:]
	// Only a '(' right after the name makes a function-like macro.
	if strings.HasPrefix(s, "(") {
		end := strings.IndexByte(s, ')')
		if end < 0 {
			return nil
		}
		d.funcLike = true
		for _, p := range strings.Split(s[1:end], ",") {
			p = strings.TrimSpace(p)
			switch {
			case p == "":
				continue
			case p == "...":
				p = "__VA_ARGS__"
				d.variadic = true
			case strings.HasSuffix(p, "..."):
				p = strings.TrimSpace(strings.TrimSuffix(p, "..."))
				d.variadic = true
			}
			d.params = append(d.params, p)
		}
		s = s[end+1:]
	}
	d.body = lexC(s)
	return d
}

// Limits that keep a pathological macro (or index) from costing more than a
// few milliseconds.
const (
	maxLevels = 40
	maxTokens = 20000
)

// expander expands macro invocations with the definitions an index knows,
// one level at a time, so a caller can look at every intermediate form.
type expander struct {
	lookup func(name string) *macroDef
}

func newExpander(ix *index.Index) *expander {
	cache := map[string]*macroDef{}
	return &expander{lookup: func(name string) *macroDef {
		if d, ok := cache[name]; ok {
			return d
		}
		var d *macroDef
		for _, it := range ix.Lookup(name) {
			if d = defOf(it); d != nil {
				break
			}
		}
		cache[name] = d
		return d
	}}
}

// levels returns the successive expansions of ts, starting with ts itself
// and ending with the first form that no longer changes (or at a limit).
func (e *expander) levels(ts []token) [][]token {
	out := [][]token{ts}
	for range maxLevels {
		next, changed := e.once(ts)
		if !changed || len(next) > maxTokens {
			break
		}
		out = append(out, next)
		ts = next
	}
	return out
}

// once expands every macro invocation in ts whose name is not painted,
// without rescanning the result.
func (e *expander) once(ts []token) ([]token, bool) {
	var out []token
	changed := false
	for i := 0; i < len(ts); i++ {
		t := ts[i]
		if t.Kind != tIdent || slices.Contains(t.Hide, t.Text) {
			out = append(out, t)
			continue
		}
		d := e.lookup(t.Text)
		if d == nil {
			out = append(out, t)
			continue
		}
		hide := append(slices.Clip(t.Hide), d.name)
		if !d.funcLike {
			out = append(out, paint(d.body, hide)...)
			changed = true
			continue
		}
		if i+1 >= len(ts) || ts[i+1].Text != "(" {
			out = append(out, t)
			continue
		}
		args, end, ok := clex.Args(ts, i+1)
		if !ok {
			out = append(out, ts[i:]...)
			break
		}
		out = append(out, paint(substitute(d, args), hide)...)
		changed = true
		i = end
	}
	return out, changed
}

func paint(ts []token, hide []string) []token {
	out := make([]token, len(ts))
	for i, t := range ts {
		t.Hide = append(slices.Clip(t.Hide), hide...)
		out[i] = t
	}
	return out
}

// substitute replaces the parameters in d's body with args, applying '#'
// (stringify), '##' (paste) and GNU's ", ## __VA_ARGS__" comma rule.
func substitute(d *macroDef, args [][]token) []token {
	bind := map[string][]token{}
	np := len(d.params)
	for i, p := range d.params {
		switch {
		case d.variadic && i == np-1:
			var rest []token
			for j := i; j < len(args); j++ {
				if j > i {
					rest = append(rest, token{Kind: tPunct, Text: ","})
				}
				rest = append(rest, args[j]...)
			}
			bind[p] = rest
		case i < len(args):
			bind[p] = args[i]
		default:
			bind[p] = nil
		}
	}
	varName := ""
	if d.variadic && np > 0 {
		varName = d.params[np-1]
	}
	body := d.body
	var out []token
	for i := 0; i < len(body); i++ {
		t := body[i]
		switch {
		case t.Text == "#" && i+1 < len(body) && isParam(bind, body[i+1].Text):
			out = append(out, token{Kind: tString, Text: quote(joinTokens(bind[body[i+1].Text]))})
			i++
		case t.Text == "##" && i+1 < len(body):
			next := body[i+1]
			i++
			var right []token
			if isParam(bind, next.Text) {
				right = bind[next.Text]
			} else {
				right = []token{next}
			}
			// GNU: ", ## args" drops the comma when args is empty.
			if next.Text == varName && len(out) > 0 && out[len(out)-1].Text == "," {
				if len(right) == 0 {
					out = out[:len(out)-1]
				}
				out = append(out, right...)
				continue
			}
			if len(out) > 0 && len(right) > 0 {
				pasted := lexC(out[len(out)-1].Text + right[0].Text)
				out = append(out[:len(out)-1], pasted...)
				out = append(out, right[1:]...)
			} else {
				out = append(out, right...)
			}
		case isParam(bind, t.Text):
			out = append(out, bind[t.Text]...)
		default:
			out = append(out, t)
		}
	}
	return out
}

func isParam(bind map[string][]token, name string) bool {
	_, ok := bind[name]
	return ok
}

func quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(s) + `"`
}
