package build

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/rustko/rustko-lsp/bindings/clex"
	"github.com/rustko/rustko-lsp/build/objcheck"
	"github.com/rustko/rustko-lsp/diagnostics"
)

// symbolSearch finds where the module names a symbol, by text: modpost
// knows only the symbol, and this runs after a link, when the module's
// sources may not even parse. Comments are skipped; strings are not (a
// symbol name in a string is rare enough).
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

// occurrence is one textual use.
type occurrence struct {
	file  string
	line  int
	col   int // 1-based byte column
	decl  bool
	call  bool
	ident string // the Rust name, which #[link_name] may make differ from the symbol
}

var linkNameRE = regexp.MustCompile(`#\[\s*link_name\s*=\s*"([^"]+)"\s*\]`)

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
		cUses = append(cUses, scanWord(f, sym, false)...)
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
		r := diagnostics.Related{File: o.file, Range: diagnostics.Range{
			Start: diagnostics.Position{Line: o.line, Column: o.col},
			End:   diagnostics.Position{Line: o.line, Column: o.col + len(o.ident)},
		}}
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
// Rust name it is declared under.
func scanRust(file, sym, ident string) []occurrence {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	names := []string{ident}
	lines := strings.Split(string(data), "\n")
	for i, l := range lines {
		m := linkNameRE.FindStringSubmatch(l)
		if m == nil || m[1] != sym {
			continue
		}
		// The attribute applies to the next fn or static.
		for j := i; j < len(lines) && j < i+4; j++ {
			if n := declaredName(lines[j]); n != "" {
				names = append(names, n)
				break
			}
		}
	}
	var out []occurrence
	for _, n := range names {
		out = append(out, scanWord(file, n, true)...)
	}
	return out
}

var declRE = regexp.MustCompile(`\b(?:fn|static(?:\s+mut)?)\s+([A-Za-z_][A-Za-z0-9_]*)`)

func declaredName(line string) string {
	if m := declRE.FindStringSubmatch(stripLineComment(line)); m != nil {
		return m[1]
	}
	return ""
}

// scanWord finds whole-word occurrences of word in file, classifying each
// as a declaration (after fn/static, or a C prototype) or a call. C files
// go through the C lexer (scanC).
func scanWord(file, word string, rust bool) []occurrence {
	if !rust {
		return scanC(file, word)
	}
	data, err := os.ReadFile(file)
	if err != nil || word == "" {
		return nil
	}
	var out []occurrence
	inBlock := false
	for n, line := range strings.Split(string(data), "\n") {
		code := blankComments(line, &inBlock)
		for from := 0; ; {
			i := strings.Index(code[from:], word)
			if i < 0 {
				break
			}
			i += from
			from = i + len(word)
			if (i > 0 && isIdentByte(code[i-1])) || (from < len(code) && isIdentByte(code[from])) {
				continue
			}
			before := strings.TrimRight(code[:i], " \t")
			after := strings.TrimLeft(code[from:], " \t")
			o := occurrence{file: file, line: n + 1, col: i + 1, ident: word}
			o.decl = strings.HasSuffix(before, "fn") || strings.HasSuffix(before, "static") || strings.HasSuffix(before, "mut")
			o.call = !o.decl && (strings.HasPrefix(after, "(") || strings.HasPrefix(after, "::<"))
			out = append(out, o)
		}
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
		out = append(out, occurrence{file: file, line: t.Line, col: t.Col, ident: word, decl: decl, call: !decl && next == "("})
	}
	return out
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// blankComments replaces the comments in one line with spaces, so that
// columns stay right; inBlock carries an open /* */ across lines.
func blankComments(line string, inBlock *bool) string {
	b := []byte(line)
	for i := 0; i < len(b); i++ {
		switch {
		case *inBlock:
			if b[i] == '*' && i+1 < len(b) && b[i+1] == '/' {
				b[i], b[i+1] = ' ', ' '
				i++
				*inBlock = false
			} else {
				b[i] = ' '
			}
		case b[i] == '/' && i+1 < len(b) && b[i+1] == '/':
			return string(b[:i])
		case b[i] == '/' && i+1 < len(b) && b[i+1] == '*':
			b[i], b[i+1] = ' ', ' '
			i++
			*inBlock = true
		}
	}
	return string(b)
}

func stripLineComment(s string) string {
	if i := strings.Index(s, "//"); i >= 0 {
		return s[:i]
	}
	return s
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
	for _, o := range scanWord(file, fn, false) {
		if o.decl {
			return o.line
		}
	}
	return 0
}

// softFloatRE matches libgcc's soft-float routines: float arithmetic
// compiled with soft-float calls them, and the kernel has none.
var softFloatRE = regexp.MustCompile(`^__(add|sub|mul|div|neg|cmp|eq|ne|lt|le|gt|ge|unord|fix|fixuns|float|floatun|extend|trunc|pow)[a-z]*[sdtx]f[0-9]?$`)

// undefinedMessage explains modpost's undefined symbol in terms of what a
// Rust module author did.
func undefinedMessage(sym string, use symbolUse) string {
	name := sym
	if d := objcheck.Demangle(sym); d != sym {
		name = d
	}
	msg := fmt.Sprintf("%q is not exported by the kernel: modpost reports it undefined, so the module cannot load", name)
	switch {
	case softFloatRE.MatchString(sym):
		msg += "; it is a soft-float routine that f32/f64 arithmetic compiles to, and the kernel has none: do the computation in integers"
	case name != sym && (strings.HasPrefix(name, "core::") || strings.HasPrefix(name, "<core::")):
		msg += "; it comes from Rust's core library, which this build does not link in: avoid the operation that needs it (often a panic path such as indexing or overflow checks)"
	case strings.HasPrefix(sym, "__") && strings.HasSuffix(sym, "ti3"):
		msg += "; it is a 128-bit arithmetic routine from the compiler's runtime, which the kernel does not provide: avoid u128/i128 division and shifts"
	case use.DeclaredInRust:
		msg += "; the module declares it in an extern block, but in C it is probably a static inline function or a macro " +
			"(printk -> _printk, kmalloc -> __kmalloc): call the exported function, or wrap it in a C helper"
	case use.InC:
		msg += "; the C shim calls it: check its spelling and that the kernel exports it (Module.symvers)"
	}
	return msg
}
