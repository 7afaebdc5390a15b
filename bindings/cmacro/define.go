// Package cmacro is rustko's one C macro expander, over bindings/clex
// tokens. The bindings expand object-like macros with it to evaluate their
// values (Expand); the macro verdicts read every rescanning level of a
// function-like macro's expansion (Levels). Both follow the C standard's
// algorithm ([0]6.10.3: hide sets, argument pre-expansion, # and ##) with
// GNU's variadic extensions, and both are bounded, because header text is
// input rustko does not control.
package cmacro

import (
	"strings"

	"github.com/rustko/rustko-lsp/bindings/clex"
)

// Def is one macro definition.
type Def struct {
	Name     string
	FuncLike bool
	// Params are the parameter names; the variadic one, when there is one,
	// is last (__VA_ARGS__ for "...").
	Params   []string
	Variadic bool
	Body     []clex.Token
}

// Param reads one parameter as written: "...", GNU's "args..." or a name.
func Param(p string) (name string, variadic bool) {
	switch {
	case p == "...":
		return "__VA_ARGS__", true
	case strings.HasSuffix(p, "..."):
		return strings.TrimSpace(strings.TrimSuffix(p, "...")), true
	}
	return p, false
}

// Parse reads "#define NAME body" or "#define NAME(params) body"; nil when
// s is not a definition.
func Parse(s string) *Def {
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
	for n < len(s) && clex.IsIdentChar(s[n]) {
		n++
	}
	if n == 0 {
		return nil
	}
	d := &Def{Name: s[:n]}
	s = s[n:]
	// Only a '(' right after the name makes a function-like macro.
	if strings.HasPrefix(s, "(") {
		end := strings.IndexByte(s, ')')
		if end < 0 {
			return nil
		}
		d.FuncLike = true
		for _, p := range strings.Split(s[1:end], ",") {
			name, variadic := Param(strings.TrimSpace(p))
			if name != "" {
				d.Params = append(d.Params, name)
				d.Variadic = d.Variadic || variadic
			}
		}
		s = s[end+1:]
	}
	d.Body = clex.Lex(s)
	return d
}

// KindOf is the lexical class of one token's text: the front end's tokens
// and the result of ## arrive as text.
func KindOf(text string) clex.Kind {
	// Most tokens are identifiers and numbers, told by their first byte; a
	// scanner per token cost a tenth of cold generation.
	if text == "" {
		return clex.Punct
	}
	switch c := text[0]; {
	case c >= '0' && c <= '9':
		return clex.Number
	case (c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') && !strings.ContainsAny(text, `"'`):
		return clex.Ident // not L"x", u8"x", U'x'
	}
	if t, ok := clex.NewScanner(text).Next(); ok {
		return t.Kind
	}
	return clex.Punct
}
