package rustsrc

import (
	"slices"
	"strings"

	"github.com/rustko/rustko-lsp/diagnostics/rustsrc/internal/syntax"
)

// CfgSet is what the module's build decides for #[cfg(...)]: the keys it
// knows every value of (target_arch, target_os, feature, ...). A key it does
// not list is undecidable, and code under it is analysed, since skipping
// code the build compiles would hide real problems.
type CfgSet struct {
	// Values holds, per decided key, the values the build sets ("feature"
	// -> the enabled features; an empty list means none).
	Values map[string][]string
	// Names are the decided bare options set true (none by default: test
	// is never set in a module build).
	Names map[string]bool
}

// kernelCfg is the cfg set every module build shares: the x86_64 kernel,
// no unit tests. targetOS is "none" for a target spec without an OS (rust.ko,
// rust-src mode), "linux" in host mode, "" when the mode is not known.
func kernelCfg(targetOS string, features []string) *CfgSet {
	c := &CfgSet{Values: map[string][]string{
		"target_arch":          {"x86_64"},
		"target_pointer_width": {"64"},
		"target_endian":        {"little"},
		"feature":              append([]string{}, features...),
	}, Names: map[string]bool{}}
	if targetOS != "" {
		c.Values["target_os"] = []string{targetOS}
	}
	return c
}

type tri int8

const (
	triUnknown tri = iota
	triFalse
	triTrue
)

// disables says whether an item with this attribute is compiled out for
// certain: #[cfg(P)] with P false under c. #[cfg(test)] is always out.
func (c *CfgSet) disables(a *syntax.Node) bool {
	if attrName(a) != "cfg" {
		return false
	}
	txt := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(a.Text()), "cfg"))
	if !strings.HasPrefix(txt, "(") || !strings.HasSuffix(txt, ")") {
		return false
	}
	p := &cfgParser{s: txt[1 : len(txt)-1]}
	v, ok := p.pred(c)
	p.space()
	return ok && p.i == len(p.s) && v == triFalse
}

// cfgParser reads a cfg predicate: name, name = "value", all(..), any(..),
// not(..).
type cfgParser struct {
	s string
	i int
}

func (p *cfgParser) space() {
	for p.i < len(p.s) && strings.ContainsRune(" \t\r\n", rune(p.s[p.i])) {
		p.i++
	}
}

func (p *cfgParser) ident() string {
	p.space()
	j := p.i
	for p.i < len(p.s) && isIdentByte(p.s[p.i]) {
		p.i++
	}
	return p.s[j:p.i]
}

func (p *cfgParser) eat(b byte) bool {
	p.space()
	if p.i < len(p.s) && p.s[p.i] == b {
		p.i++
		return true
	}
	return false
}

func (p *cfgParser) pred(c *CfgSet) (tri, bool) {
	name := p.ident()
	if name == "" {
		return triUnknown, false
	}
	switch name {
	case "all", "any", "not":
		if !p.eat('(') {
			return triUnknown, false
		}
		var args []tri
		for !p.eat(')') {
			v, ok := p.pred(c)
			if !ok {
				return triUnknown, false
			}
			args = append(args, v)
			if !p.eat(',') {
				if !p.eat(')') {
					return triUnknown, false
				}
				break
			}
		}
		return combine(name, args)
	}
	if p.eat('=') {
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return triUnknown, false
		}
		end := strings.IndexByte(p.s[p.i+1:], '"')
		if end < 0 {
			return triUnknown, false
		}
		val := p.s[p.i+1 : p.i+1+end]
		p.i += end + 2
		vals, decided := c.Values[name]
		switch {
		case !decided:
			return triUnknown, true
		case slices.Contains(vals, val):
			return triTrue, true
		}
		return triFalse, true
	}
	switch {
	case name == "test":
		return triFalse, true
	case c.Names[name]:
		return triTrue, true
	}
	return triUnknown, true
}

func combine(op string, args []tri) (tri, bool) {
	if op == "not" {
		if len(args) != 1 {
			return triUnknown, false
		}
		switch args[0] {
		case triTrue:
			return triFalse, true
		case triFalse:
			return triTrue, true
		}
		return triUnknown, true
	}
	// One false argument decides all(), one true any(); else an unknown
	// one leaves it unknown.
	decides, out := triFalse, triTrue
	if op == "any" {
		decides, out = triTrue, triFalse
	}
	for _, a := range args {
		if a == decides {
			return decides, true
		}
		if a == triUnknown {
			out = triUnknown
		}
	}
	return out, true
}

// cfgOff says whether an item is compiled out under c (nil: only
// #[cfg(test)] and predicates it decides alone).
func cfgOff(n *syntax.Node, c *CfgSet) bool {
	if c == nil {
		c = &CfgSet{}
	}
	return slices.ContainsFunc(attributes(n), c.disables)
}
