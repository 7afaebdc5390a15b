package bindings

import (
	"strings"

	"github.com/rustko/rustko-lsp/bindings/clex"
)

// Type names inside macro expressions: casts, sizeof, _Alignof, offsetof
// and typeof. Only what constant expressions use is supported: specifiers
// (basic types, typedef names, tags, typeof), qualifiers and attributes
// (ignored), and abstract declarators of pointers and arrays.

var typeKeywords = map[string]bool{
	"void": true, "char": true, "short": true, "int": true, "long": true, "float": true, "double": true,
	"signed": true, "unsigned": true, "_Bool": true, "__int128": true, "__signed__": true, "__signed": true,
	"struct": true, "union": true, "enum": true,
	"const": true, "volatile": true, "restrict": true, "__restrict": true, "__restrict__": true,
	"__const": true, "__const__": true, "__volatile__": true, "__volatile": true, "_Atomic": true,
	"typeof": true, "__typeof__": true, "__typeof": true, "__int128_t": true, "__uint128_t": true,
}

func isTypeKeyword(s string) bool { return typeKeywords[s] }

// startsType reports whether the token n places ahead starts a type name.
func (p *cparser) startsType(n int) bool {
	t := p.peekAt(n)
	if t.Kind != clex.Ident {
		return false
	}
	if typeKeywords[t.Text] {
		return true
	}
	if t.Text == "__attribute__" || t.Text == "__attribute" {
		return p.peekAt(n+1).Text == "("
	}
	if _, _, ok := p.env.enumConst(t.Text); ok {
		return false
	}
	if _, ok := p.env.object(t.Text); ok {
		return false
	}
	return p.env.typedef(t.Text) != nil
}

func (p *cparser) skipBalanced() error {
	if !p.is("(") {
		return nil
	}
	depth := 0
	for p.pos < len(p.toks) {
		switch p.toks[p.pos].Text {
		case "(":
			depth++
		case ")":
			depth--
			if depth == 0 {
				p.pos++
				return nil
			}
		}
		p.pos++
	}
	return whyf("not a C expression: unbalanced parentheses")
}

// typeName parses specifiers and an abstract declarator.
func (p *cparser) typeName() (*ctype, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	var words []string
	var base *ctype
	for {
		t := p.peek()
		if t.Kind != clex.Ident {
			break
		}
		switch t.Text {
		case "const", "volatile", "restrict", "__restrict", "__restrict__", "__const", "__const__",
			"__volatile__", "__volatile", "__extension__":
			p.pos++
			continue
		case "_Atomic":
			return nil, whyf("an _Atomic type")
		case "__attribute__", "__attribute":
			p.pos++
			if err := p.skipBalanced(); err != nil {
				return nil, err
			}
			continue
		case "void", "char", "short", "int", "long", "float", "double", "signed", "unsigned", "_Bool",
			"__int128", "__signed__", "__signed":
			if base != nil {
				return nil, whyf("not a C expression: %s after a type name", t.Text)
			}
			p.pos++
			words = append(words, t.Text)
			continue
		case "__int128_t", "__uint128_t":
			p.pos++
			if t.Text == "__uint128_t" {
				base = p.builtin("unsigned __int128")
			} else {
				base = p.builtin("__int128")
			}
			continue
		case "struct", "union", "enum":
			p.pos++
			tag := p.peek()
			if tag.Kind != clex.Ident {
				return nil, whyf("an anonymous %s in an expression", t.Text)
			}
			p.pos++
			if p.is("{") {
				return nil, whyf("a %s definition in an expression", t.Text)
			}
			base = p.env.tag(t.Text, tag.Text)
			if base == nil {
				return nil, whyf("uses %s %s, which is not declared", t.Text, tag.Text)
			}
			continue
		case "typeof", "__typeof__", "__typeof":
			p.pos++
			if err := p.expect("("); err != nil {
				return nil, err
			}
			if p.startsType(0) {
				bt, err := p.typeName()
				if err != nil {
					return nil, err
				}
				base = bt
			} else {
				v, err := p.comma()
				if err != nil {
					return nil, err
				}
				base = v.t
			}
			if err := p.expect(")"); err != nil {
				return nil, err
			}
			continue
		}
		if base == nil && len(words) == 0 {
			if td := p.env.typedef(t.Text); td != nil {
				p.pos++
				base = td
				continue
			}
		}
		break
	}
	if base == nil {
		if len(words) == 0 {
			return nil, whyf("not a C expression: type name expected, found %q", p.peek().Text)
		}
		name, ok := canonicalBase(words)
		if !ok {
			return nil, whyf("not a C expression: invalid type %q", strings.Join(words, " "))
		}
		base = p.builtin(name)
	}
	return p.abstractDeclarator(base)
}

func (p *cparser) abstractDeclarator(t *ctype) (*ctype, error) {
	for {
		switch {
		case p.accept("*"):
			t = p.pointerTo(t)
			for p.peek().Kind == clex.Ident && (typeKeywords[p.peek().Text] && p.peek().Text != "struct" ||
				p.peek().Text == "__attribute__") {
				if p.peek().Text == "__attribute__" {
					p.pos++
					if err := p.skipBalanced(); err != nil {
						return nil, err
					}
					continue
				}
				p.pos++
			}
		case p.is("(") && p.peekAt(1).Text == "*":
			// (*)(params) or (*)[n]: a pointer to a function or array.
			if err := p.skipBalanced(); err != nil {
				return nil, err
			}
			if p.is("(") {
				if err := p.skipBalanced(); err != nil {
					return nil, err
				}
				return p.pointerTo(&ctype{kind: kFunc, size: 1, align: 1, name: "function", elem: t}), nil
			}
			inner, err := p.abstractDeclarator(t)
			if err != nil {
				return nil, err
			}
			return p.pointerTo(inner), nil
		case p.is("["):
			var dims []int64
			for p.accept("[") {
				n := int64(-1)
				if !p.is("]") {
					v, err := p.conditional()
					if err != nil {
						return nil, err
					}
					if !v.known || v.t.kind != kInt {
						return nil, whyf("an array type of non-constant length")
					}
					n = int64(v.bits())
				}
				if err := p.expect("]"); err != nil {
					return nil, err
				}
				dims = append(dims, n)
			}
			for i := len(dims) - 1; i >= 0; i-- {
				size := int64(-1)
				if dims[i] >= 0 && t.size >= 0 {
					size = dims[i] * t.size
				}
				t = &ctype{kind: kArray, size: size, align: t.align, elem: t, n: dims[i], name: t.name + "[]"}
			}
			return t, nil
		default:
			return t, nil
		}
	}
}

// canonicalBase turns a multiset of basic type words into the canonical
// spelling basicType knows.
func canonicalBase(words []string) (string, bool) {
	n := map[string]int{}
	for _, w := range words {
		if w == "__signed__" || w == "__signed" {
			w = "signed"
		}
		n[w]++
	}
	signed, unsigned := n["signed"] > 0, n["unsigned"] > 0
	if signed && unsigned {
		return "", false
	}
	longs := n["long"]
	switch {
	case n["void"] > 0:
		return "void", len(words) == 1
	case n["_Bool"] > 0:
		return "_Bool", len(words) == 1
	case n["float"] > 0:
		return "float", len(words) == 1
	case n["double"] > 0:
		if longs == 1 {
			return "long double", len(words) == 2
		}
		return "double", len(words) == 1
	case n["char"] > 0:
		switch {
		case signed:
			return "signed char", true
		case unsigned:
			return "unsigned char", true
		}
		return "char", len(words) == 1
	case n["__int128"] > 0:
		if unsigned {
			return "unsigned __int128", true
		}
		return "__int128", true
	case n["short"] > 0:
		if unsigned {
			return "unsigned short", true
		}
		return "short", true
	case longs >= 2:
		if unsigned {
			return "unsigned long long", longs == 2
		}
		return "long long", longs == 2
	case longs == 1:
		if unsigned {
			return "unsigned long", true
		}
		return "long", true
	}
	if unsigned {
		return "unsigned int", true
	}
	return "int", true
}
