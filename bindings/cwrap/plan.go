package cwrap

import (
	"fmt"
	"strconv"
	"strings"

	"modernc.org/cc/v4"
)

// plan is one wrapper ready to write.
type plan struct {
	Helper
	proto string   // the wrapper's prototype
	call  string   // the call of the original
	void  bool     // the original returns void
	names []string // C parameter names used by the wrapper
}

// plan decides whether name can be wrapped and prepares the wrapper, or
// says why not.
func (a *analyser) plan(name string) (*plan, *Refusal) {
	fn, lead := name, -1
	if a.u.defs[name] == nil {
		if fn, lead = a.forward(name, -1, 0); fn == "" {
			return nil, a.notDefined(name)
		}
	}
	p, r := a.planFor(name, fn, lead)
	if r != nil && fn != name {
		r.Name = name
		r.Reason = fmt.Sprintf("%s is a macro that passes its arguments to the inline function %s: %s", name, fn, r.Reason)
	}
	return p, r
}

// forward finds the inline function a function-like macro passes its
// arguments to, in order, as the leading arguments of the call, and how
// many leading parameters of it those are (-1: all of them), or "". nargs
// is the number of arguments name is called with (-1: unknown). Since 6.10
// the allocators are such macros: 6.12's kmalloc(...) is
// alloc_hooks(kmalloc_noprof(__VA_ARGS__)); 7.3's kmalloc(size, flags) is
// alloc_hooks(kmalloc_noprof(size, flags)), where kmalloc_noprof(...) is
// _kmalloc_noprof(__VA_ARGS__, <token>). A helper for the macro takes
// those leading parameters' types and expands the macro.
func (a *analyser) forward(name string, nargs, depth int) (string, int) {
	m := a.u.ast.Macros[name]
	if m == nil || !m.IsFnLike || depth > 8 {
		return "", 0
	}
	var named []string
	for _, p := range m.Params {
		named = append(named, p.SrcStr())
	}
	variadic := ""
	if m.VarArg >= 0 {
		variadic = "__VA_ARGS__"
		if m.VarArg < len(named) { // args...
			variadic = named[m.VarArg]
			named = named[:m.VarArg]
		}
	}
	k := len(named)
	passed := k // how many of the callee's leading arguments are name's
	if variadic != "" {
		passed = -1
		if nargs >= 0 {
			passed = nargs
		}
	}
	var toks []string
	for _, t := range m.ReplacementList() {
		toks = append(toks, t.SrcStr())
	}
	found, foundLead := "", 0
	for i := 0; i+1 < len(toks); i++ {
		callee := toks[i]
		if callee == name || toks[i+1] != "(" {
			continue
		}
		args, ok := splitArgs(toks[i+2:])
		if !ok || len(args) < k {
			continue
		}
		lead := true
		for j, p := range named {
			lead = lead && len(args[j]) == 1 && args[j][0] == p
		}
		if variadic != "" {
			lead = lead && len(args) > k && len(args[k]) == 1 && args[k][0] == variadic
		}
		if !lead {
			continue
		}
		extras := len(args) - k
		if variadic != "" {
			extras--
		}
		var fn string
		var n int
		switch {
		case a.u.defs[callee] != nil:
			fn, n = callee, passed
			if passed < 0 && extras > 0 {
				continue // how many parameters the variadic part fills is unknown
			}
		default:
			inner := -1
			if passed >= 0 {
				inner = passed + extras
			} else if extras > 0 {
				continue
			}
			var innerLead int
			if fn, innerLead = a.forward(callee, inner, depth+1); fn == "" {
				continue
			}
			n = passed
			if passed < 0 {
				n = innerLead
			} else if innerLead >= 0 && passed > innerLead {
				continue
			}
		}
		if found != "" && (found != fn || foundLead != n) {
			return "", 0 // two candidates: not a plain forward
		}
		found, foundLead = fn, n
	}
	return found, foundLead
}

// splitArgs splits the argument list after a '(' at its top-level commas,
// up to the matching ')'.
func splitArgs(toks []string) ([][]string, bool) {
	var args [][]string
	var cur []string
	depth := 0
	for _, t := range toks {
		switch t {
		case "(":
			depth++
		case ")":
			if depth == 0 {
				if len(cur) > 0 || len(args) > 0 {
					args = append(args, cur)
				}
				return args, true
			}
			depth--
		case ",":
			if depth == 0 {
				args = append(args, cur)
				cur = nil
				continue
			}
		}
		cur = append(cur, t)
	}
	return nil, false
}

// planFor plans the helper for name, which calls the inline function fn:
// name itself, or a macro passing its arguments to fn's first lead
// parameters (-1: all).
func (a *analyser) planFor(name, fn string, lead int) (*plan, *Refusal) {
	fd := a.u.defs[fn]
	d := fd.Declarator
	ft, ok := d.Type().(*cc.FunctionType)
	if !ok {
		return nil, refuse(fn, NotFunction, "%s is not a function", fn)
	}
	pos := d.Position()
	where := a.where(pos.Filename, pos.Line)
	if ft.IsVariadic() {
		return nil, refuse(fn, Variadic, "%s (%s) is variadic: C cannot forward a variable argument list, so no helper can call it; use the function it passes its arguments to (often a v-prefixed one taking a va_list) or format the text in Rust", fn, where)
	}
	s := &speller{a.u}
	names := a.paramNames(name, ft)
	prefix := lead >= 0 && lead < len(names)
	if lead > len(names) {
		return nil, refuse(fn, BadType, "%s (%s) takes %d parameters, fewer than the %d arguments it is passed", fn, where, len(names), lead)
	}
	if prefix {
		names = names[:lead]
	}
	ps, err := s.paramList(d, ft, names, lead)
	if err != nil {
		return nil, refuse(fn, BadType, "%s (%s) has a prototype C cannot repeat: %v", fn, where, err)
	}
	if resultQualified(d) {
		return nil, refuse(fn, BadType, "%s (%s) returns a pointer to a qualified pointer, which the helper generator cannot spell from the C front end's types", fn, where)
	}
	sym := Prefix + name
	proto, err := s.decl(ft.Result(), sym+"("+ps+")", false)
	if err != nil {
		return nil, refuse(fn, BadType, "%s (%s) returns %v", fn, where, err)
	}
	origPs, err := s.paramList(d, ft, origNames(ft), -1)
	if err != nil {
		origPs = ps
	}
	orig, _ := s.decl(ft.Result(), fn+"("+origPs+")", false)
	if attrs := typeAttrs(fd); attrs != "" {
		proto = attrs + " " + proto
	}
	if why := defect(fn, fd); why != "" && !a.unchecked {
		return nil, refuse(fn, Defect, "%s (%s) cannot be compiled: %s", fn, where, why)
	}
	if r := a.hazards(fn, ft, where); r != nil && !a.unchecked {
		return nil, r
	}
	if r := a.uaccessRefusal(fn, where); r != nil && !a.unchecked {
		return nil, r
	}
	storage := ""
	switch {
	case d.IsStatic() && d.IsInline():
		storage = "static inline "
	case d.IsStatic():
		storage = "static "
	case d.IsInline():
		storage = "extern inline "
	}
	var callArgs []string
	callArgs = append(callArgs, names...)
	p := &plan{
		Helper: Helper{Name: name, Symbol: sym, Decl: storage + orig, File: pos.Filename, Line: pos.Line},
		proto:  proto,
		// The parentheses call the function even where a function-like
		// macro of the same name exists.
		call:  "(" + name + ")(" + strings.Join(callArgs, ", ") + ")",
		void:  ft.Result() == nil || ft.Result().Kind() == cc.Void,
		names: names,
	}
	if fn != name {
		// The macro is the interface (it may add hooks around the call).
		p.Via = fn
		p.call = name + "(" + strings.Join(callArgs, ", ") + ")"
		if prefix {
			p.ViaParams = lead
		}
	}
	return p, nil
}

// notDefined explains a name the headers define no body for.
func (a *analyser) notDefined(name string) *Refusal {
	if d := a.u.decls[name]; d != nil {
		p := d.Position()
		where := a.where(p.Filename, p.Line)
		if d.Type() != nil && d.Type().Kind() == cc.Function {
			if d.IsStatic() || d.IsInline() {
				return refuse(name, NoBody, "%s is declared inline (%s) but these headers never define it, so there is no body to wrap", name, where)
			}
			return refuse(name, Exported, "%s (%s) is an extern function, not an inline one: %s", name, where, a.exportAdvice(name))
		}
		return refuse(name, NotFunction, "%s (%s) is a variable, not a function: the bindings declare it as an extern static", name, where)
	}
	if td := a.u.typedefs[name]; td != nil {
		p := td.Position()
		return refuse(name, NotFunction, "%s (%s) is a type, not a function", name, a.where(p.Filename, p.Line))
	}
	if _, ok := a.u.enumValue(name); ok {
		return refuse(name, NotFunction, "%s is an enumeration constant, not a function: the bindings define it as a constant", name)
	}
	if fnLike, ok := a.u.isMacro(name); ok {
		m := a.u.ast.Macros[name]
		p := m.Position()
		kind := "an object-like macro"
		if fnLike {
			kind = "a function-like macro"
		}
		return refuse(name, Macro, "%s (%s) is %s, not a function: a C helper wraps functions only", name, a.where(p.Filename, p.Line), kind)
	}
	if a.o.Elsewhere != nil {
		if l, ok := a.o.Elsewhere(name); ok {
			if a.u.files[l.File] {
				return refuse(name, Unknown, "%s is declared in %s (line %d), but only under a configuration this kernel does not enable (#if/#ifdef), so these headers define nothing to wrap", name, l.Header, l.Line)
			}
			return refuse(name, Unknown, "%s is not declared by the configured headers; it is declared in %s (line %d): add that header to KERNEL_INCLUDE", name, l.Header, l.Line)
		}
		return refuse(name, Unknown, "%s is not declared by the configured headers nor by any other kernel header: check its spelling", name)
	}
	return refuse(name, Unknown, "%s is not declared by the configured headers: check its spelling, or add the header that declares it to KERNEL_INCLUDE", name)
}

func (a *analyser) exportAdvice(name string) string {
	if a.o.Exported != nil {
		if exported, known := a.o.Exported(name); known {
			if exported {
				return "the kernel exports it, so the bindings already declare it: call it directly and drop it from KERNEL_HELPERS"
			}
			return "the kernel does not export it to modules (modpost would report it undefined), and a helper cannot change that"
		}
	}
	return "the bindings declare it already; if the kernel exports it, call it directly and drop it from KERNEL_HELPERS"
}

// hazards turns the function's summary into a refusal: in a helper every
// parameter is a run-time value, and every symbol it reaches must link.
func (a *analyser) hazards(name string, ft *cc.FunctionType, where string) *Refusal {
	s := a.summarize(name)
	var names []string
	for _, p := range realParams(ft) {
		names = append(names, p.Name())
	}
	for _, h := range s.hazards {
		if h.kind != hzConst || !h.deps.dyn() {
			continue
		}
		need := "its arguments are compile-time constants"
		if ps := h.deps.paramNames(names); len(ps) > 0 && !h.deps.any {
			need = "parameter " + quoteList(ps) + " is a compile-time constant"
			if len(ps) > 1 {
				need = "parameters " + quoteList(ps) + " are compile-time constants"
			}
		}
		return refuse(name, ConstArg, "%s (%s) only compiles where %s: it reaches %s at %s%s, and a helper passes run-time values; call it from C with constant arguments instead",
			name, where, need, h.what, a.where(h.pos.Filename, h.pos.Line), through(h.via))
	}
	for _, h := range s.hazards {
		if h.kind != hzLink {
			continue
		}
		if h.note != "" {
			return refuse(name, NotLinkable, "%s (%s) references %s, %s (%s%s): the helper would leave it undefined at modpost",
				name, where, h.sym, h.note, a.where(h.pos.Filename, h.pos.Line), through(h.via))
		}
		return refuse(name, NotLinkable, "%s (%s) uses %s (%s%s), which the kernel does not export to modules: the helper would leave it undefined at modpost",
			name, where, h.sym, a.where(h.pos.Filename, h.pos.Line), through(h.via))
	}
	return nil
}

func through(via []string) string {
	if len(via) == 0 {
		return ""
	}
	return ", through " + strings.Join(via, " → ")
}

func quoteList(ps []string) string {
	q := make([]string, len(ps))
	for i, p := range ps {
		q[i] = "`" + p + "`"
	}
	return strings.Join(q, ", ")
}

// paramNames chooses the wrapper's parameter names: the original's where
// they are safe to write again (not empty, not a macro or typedef name, not
// the function's own name, not repeated), argN otherwise.
func (a *analyser) paramNames(fn string, ft *cc.FunctionType) []string {
	var out []string
	used := map[string]bool{fn: true}
	for i, p := range realParams(ft) {
		n := p.Name()
		_, macro := a.u.ast.Macros[n]
		if n == "" || macro || a.u.typedefs[n] != nil || used[n] || cKeywords[n] {
			n = "arg" + strconv.Itoa(i)
		}
		used[n] = true
		out = append(out, n)
	}
	return out
}

// origNames are the original's parameter names, for comments.
func origNames(ft *cc.FunctionType) []string {
	var out []string
	for _, p := range realParams(ft) {
		out = append(out, p.Name())
	}
	return out
}

var cKeywords = map[string]bool{}

func init() {
	for _, k := range strings.Fields(`auto break case char const continue default do double else enum extern float for goto
		if inline int long register restrict return short signed sizeof static struct switch typedef union unsigned void
		volatile while _Bool _Complex _Imaginary _Alignas _Alignof _Atomic _Generic _Noreturn _Static_assert
		_Thread_local asm typeof __typeof__ __asm__ __attribute__ __extension__`) {
		cKeywords[k] = true
	}
}

// where spells a header position for messages.
func (a *analyser) where(file string, line int) string {
	if file == "" {
		return "?"
	}
	return fmt.Sprintf("%s:%d", a.o.Rel(file), line)
}
