package cwrap

import (
	"errors"
	"fmt"
	"strings"

	"modernc.org/cc/v4"
)

// Prefix starts every wrapper's symbol: rustko_helper_kmalloc wraps kmalloc.
const Prefix = "rustko_helper_"

// Kind classifies a refusal so callers can choose a severity and a fix.
type Kind string

const (
	Unknown     Kind = "unknown"      // no declaration in the configured headers
	NotFunction Kind = "not-function" // a type, variable or enumerator
	Macro       Kind = "macro"        // a macro: the bridge says what to do
	Exported    Kind = "exported"     // an extern function: call it directly
	NoBody      Kind = "no-body"      // declared inline, never defined here
	Variadic    Kind = "variadic"     // C cannot forward "..."
	ConstArg    Kind = "constant-argument"
	NotLinkable Kind = "not-exported-callee" // reaches a symbol modules cannot link
	BadType     Kind = "type"                // C cannot repeat it, or Rust has no binding for it
	Duplicate   Kind = "duplicate"           // listed twice
	Defect      Kind = "kernel-defect"       // the header's own code does not compile
	Uaccess     Kind = "unbalanced-uaccess"  // opens or closes a user-access window, not both
)

// Location is where a header declares a name.
type Location struct {
	Header string // as #include names it: linux/netdevice.h
	File   string // absolute
	Line   int
}

// Refusal is one name that got no helper, and why.
type Refusal struct {
	Name   string
	Kind   Kind
	Reason string // a sentence a person can act on
}

func (r Refusal) String() string { return r.Name + ": " + r.Reason }

// Helper is one generated wrapper.
type Helper struct {
	Name   string // the C function, e.g. kmalloc
	Symbol string // the wrapper's symbol, e.g. rustko_helper_kmalloc
	// Via is the inline function whose prototype the helper has when Name
	// is a function-like macro passing its arguments to it (6.12's kmalloc
	// to kmalloc_noprof); "" when Name is the function.
	Via string `json:",omitempty"`
	// ViaParams, when not 0, is how many leading parameters of Via the
	// helper takes: the macro computes the others (7.3's kmalloc passes
	// size and flags to _kmalloc_noprof, which also takes a token).
	ViaParams int    `json:",omitempty"`
	Decl      string // the original's prototype as C spells it
	File      string // header declaring the original, absolute
	Line      int
}

// RustSig is a wrapped function's prototype in the generated bindings'
// Rust types.
type RustSig struct {
	Name   string // the Rust item's name (the C name, raw if a keyword)
	Params []RustParam
	Result string // "" for void
}

// RustParam is one parameter; Name is already a valid Rust identifier.
type RustParam struct{ Name, Type string }

// Options configure Generate. Every field may be left zero.
type Options struct {
	// Exported reports whether the kernel exports a symbol to modules
	// (Module.symvers). known is false when nothing is known, which turns
	// the link check off.
	Exported func(name string) (exported, known bool)
	// Bindable, when set, is asked about each function that could be
	// wrapped, with how many of its leading parameters the helper takes
	// (-1: all); an error (why a parameter or result type has no Rust
	// binding) refuses it. The bindings generator answers with its own
	// types, so C and Rust always agree on the set of helpers.
	Bindable func(name string, params int) error
	// Elsewhere says which kernel header declares a name the configured
	// headers do not (bindings/headerscan's header scan).
	Elsewhere func(name string) (Location, bool)
	// Rel shortens a header path for messages and comments
	// (/usr/src/.../include/linux/slab.h -> linux/slab.h).
	Rel func(path string) string
	// Banner is the first comment line of both outputs (tool and version).
	Banner string
}

// Result is what Generate produced. C is a complete file (an empty helper
// set gives a file that says so); Wrapped and Refused follow the order of
// the requested names. The Rust declarations come from RustDecls, once
// the bindings have named their types.
type Result struct {
	C       []byte
	Wrapped []Helper
	Refused []Refusal
}

// Generate writes the helpers for names. headers are the configured
// headers as #include names them (linux/slab.h) or absolute paths; the C
// file includes them in that order, after kbuild's forced includes. Only a
// missing AST is an error: each name that cannot be wrapped becomes a
// Refusal.
func Generate(ast *cc.AST, names []string, headers []string, o Options) (*Result, error) {
	return generate(ast, names, headers, o, false)
}

// generate is Generate; unchecked skips the body analysis, so tests can
// show that what it refuses indeed fails to compile or link.
func generate(ast *cc.AST, names []string, headers []string, o Options, unchecked bool) (*Result, error) {
	if ast == nil {
		return nil, errors.New("generating C helpers: no parsed headers")
	}
	if o.Rel == nil {
		o.Rel = func(s string) string { return s }
	}
	tu := newUnit(ast)
	if tu.bodiesSkipped() {
		return nil, errors.New("generating C helpers: the headers were parsed without function bodies (cc.Config.SkipFunctionBodies), and the analysis of what can be wrapped reads them")
	}
	an := newAnalyser(tu, o)
	an.unchecked = unchecked
	res := &Result{}
	seen := map[string]bool{}
	for _, name := range names {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if seen[name] {
			res.Refused = append(res.Refused, Refusal{name, Duplicate, name + " is listed more than once in KERNEL_HELPERS; one helper is generated"})
			continue
		}
		seen[name] = true
		h, why := an.safePlan(name)
		if why != nil {
			res.Refused = append(res.Refused, *why)
			continue
		}
		if o.Bindable != nil {
			fn, params := name, -1
			if h.Via != "" {
				fn = h.Via // the Rust declaration takes its prototype
			}
			if h.ViaParams > 0 {
				params = h.ViaParams
			}
			if err := o.Bindable(fn, params); err != nil {
				res.Refused = append(res.Refused, Refusal{name, BadType, err.Error()})
				continue
			}
		}
		res.Wrapped = append(res.Wrapped, h.Helper)
		an.wrapped = append(an.wrapped, h)
	}
	res.C = writeC(an.wrapped, headers, o)
	return res, nil
}

func refuse(name string, k Kind, format string, args ...any) *Refusal {
	return &Refusal{Name: name, Kind: k, Reason: fmt.Sprintf(format, args...)}
}

// safePlan keeps a front-end surprise in one function from taking the
// whole generation (or the language server) down: it becomes a refusal.
func (a *analyser) safePlan(name string) (p *plan, r *Refusal) {
	defer func() {
		if v := recover(); v != nil {
			p, r = nil, refuse(name, BadType, "rustko could not analyse %s (internal error: %v); please report it with the KERNEL_INCLUDE list", name, v)
		}
	}()
	return a.plan(name)
}
