package build

import (
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"

	"github.com/rustko/rustko-lsp/bindings/clex"
	"github.com/rustko/rustko-lsp/build/objcheck"
	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/diagnostics/rustsrc"
)

// symbolSearch finds where the module names a symbol: modpost knows only
// the symbol, and this runs after a link, when the module's sources may not
// even parse. The Rust files are read by the analysis's parser, the C files
// by the C lexer: comments and strings are not uses.
type symbolSearch struct {
	rustFiles []string // the module's own Rust files, crate root first
	bindings  string   // generated bindings: declarations there are a last resort
	cFiles    []string // the C shim and helpers
	crateRoot string   // where a symbol nobody names is reported
}

// symbolUse is where a symbol appears: the place to report (a call in the
// module's code when there is one, else its declaration) and the others.
type symbolUse struct {
	Primary diagnostics.Related
	Related []diagnostics.Related
	// DeclaredInRust is true when module code (not the bindings) declares
	// the symbol itself, e.g. in its own extern "C" block.
	DeclaredInRust bool
	InC            bool // the C shim or helpers name it
}

// occurrence is one use.
type occurrence struct {
	file string
	rng  diagnostics.Range // the identifier, which #[link_name] may make differ from the symbol
	decl bool
	call bool
}

// find locates sym. Rust symbols from core arrive mangled; they are
// searched by their last path segment.
func (s *symbolSearch) find(sym string) symbolUse {
	var use symbolUse
	if s == nil {
		return use
	}
	ident := sym
	if d := objcheck.Demangle(sym); d != sym {
		ident = lastPathSegment(d)
	}
	var user, bound, cUses []occurrence
	for _, f := range s.rustFiles {
		if f == s.bindings {
			continue
		}
		user = append(user, scanRust(f, sym, ident)...)
	}
	if s.bindings != "" {
		bound = scanRust(s.bindings, sym, ident)
	}
	for _, f := range s.cFiles {
		cUses = append(cUses, scanC(f, sym)...)
	}
	all := append(append(append([]occurrence{}, user...), cUses...), bound...)
	best := -1
	for _, pass := range []func(o occurrence, i int) bool{
		func(o occurrence, i int) bool { return i < len(user) && o.call },
		func(o occurrence, i int) bool { return i < len(user) && o.decl },
		func(o occurrence, i int) bool { return i < len(user)+len(cUses) && o.call },
		func(o occurrence, i int) bool { return true },
	} {
		for i, o := range all {
			if pass(o, i) {
				best = i
				break
			}
		}
		if best >= 0 {
			break
		}
	}
	if best < 0 {
		return use
	}
	for i, o := range all {
		r := diagnostics.Related{File: o.file, Range: o.rng}
		switch {
		case o.decl:
			r.Message = "declared here"
		case o.call:
			r.Message = "called here"
		default:
			r.Message = "used here"
		}
		if i == best {
			use.Primary = r
		} else if len(use.Related) < 8 {
			use.Related = append(use.Related, r)
		}
		if i < len(user) && o.decl {
			use.DeclaredInRust = true
		}
		if i >= len(user) && i < len(user)+len(cUses) {
			use.InC = true
		}
	}
	return use
}

// scanRust finds sym in a Rust file, following #[link_name = "sym"] to the
// Rust name it is declared under. An unreadable file names nothing.
func scanRust(file, sym, ident string) []occurrence {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	uses, err := rustsrc.SymbolUses(data, sym, ident)
	if err != nil {
		slog.Debug("symbol search: Rust file not parsed", "file", file, "err", err)
		return nil
	}
	out := make([]occurrence, 0, len(uses))
	for _, u := range uses {
		out = append(out, occurrence{file: file, rng: u.Range, decl: u.Decl, call: u.Call})
	}
	return out
}

// scanC finds word as an identifier token of a C file (comments, strings
// and #include lines are not uses). A prototype or definition has a type
// word before the name at the start of its line; a call has "(" after it.
func scanC(file, word string) []occurrence {
	data, err := os.ReadFile(file)
	if err != nil || word == "" {
		return nil
	}
	ts := clex.Lex(string(data))
	var out []occurrence
	lineStart, include := 0, -1
	for i, t := range ts {
		if t.BOL {
			lineStart = i
			if t.Text == "#" && i+1 < len(ts) && ts[i+1].Text == "include" {
				include = t.Line
			}
		}
		if t.Line == include || t.Kind != clex.Ident || t.Text != word {
			continue
		}
		next := ""
		if i+1 < len(ts) {
			next = ts[i+1].Text
		}
		before := ts[lineStart:i]
		decl := next == "(" && len(before) > 0 && before[len(before)-1].Text != "return" &&
			!slices.ContainsFunc(before, func(b clex.Token) bool { return strings.ContainsAny(b.Text, "=(,;{}") })
		rng := diagnostics.Range{Start: diagnostics.Position{Line: t.Line, Column: t.Col},
			End: diagnostics.Position{Line: t.Line, Column: t.Col + len(word)}}
		out = append(out, occurrence{file: file, rng: rng, decl: decl, call: !decl && next == "("})
	}
	return out
}

// lastPathSegment turns "core::panicking::panic_bounds_check" into
// "panic_bounds_check" (dropping a trailing hash or generics).
func lastPathSegment(s string) string {
	if i := strings.IndexByte(s, '<'); i > 0 {
		s = s[:i]
	}
	parts := strings.Split(s, "::")
	for i := len(parts) - 1; i >= 0; i-- {
		p := parts[i]
		if p != "" && !(len(p) == 17 && p[0] == 'h') {
			return p
		}
	}
	return s
}

// definitionLine finds the line of a C function's definition: the line
// holding "name(" that does not end in ";".
func definitionLine(file, fn string) int {
	for _, o := range scanC(file, fn) {
		if o.decl {
			return o.rng.Start.Line
		}
	}
	return 0
}

// undefinedMessage explains modpost's undefined symbol in terms of what a
// Rust module author did; the reasons are objcheck's, which predicts the
// same error before the link.
func undefinedMessage(sym string, use symbolUse, exported func(string) bool) string {
	msg := fmt.Sprintf("%q is not exported by the kernel: modpost reports it undefined, so the module cannot load", objcheck.Demangle(sym))
	if use.DeclaredInRust {
		msg += "; the module declares it in an extern block"
	}
	if h := objcheck.UndefinedHint(sym, exported, use.InC && !use.DeclaredInRust); h != "" {
		msg += ". " + h
	}
	return msg
}
