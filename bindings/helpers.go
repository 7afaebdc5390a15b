package bindings

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"modernc.org/cc/v4"

	"github.com/rustko/rustko-lsp/bindings/cwrap"
	"github.com/rustko/rustko-lsp/bindings/headerscan"
	"github.com/rustko/rustko-lsp/bindings/index"
	"github.com/rustko/rustko-lsp/bindings/verdict"
	"github.com/rustko/rustko-lsp/internal/filecache"
	"github.com/rustko/rustko-lsp/module"
)

// Helpers is what KERNEL_HELPERS produced: the C file kbuild compiles into
// the module and, for each listed name, its helper or why it has none.
// The Rust side is in the bindings file; the index marks each function
// (Verdict class index.VerdictHelper or index.VerdictNoHelper).
type Helpers struct {
	File    string          `json:"file,omitempty"` // where C was written (Options.HelpersOut), absolute
	C       []byte          `json:"c"`
	Wrapped []cwrap.Helper  `json:"wrapped,omitempty"`
	Refused []cwrap.Refusal `json:"refused,omitempty"`
}

// HelpersFile is the default place of the helper C file in a module:
// next to the C shim, so kbuild builds it like any other of the module's C
// files (C_FILES picks src/*.c up).
func HelpersFile(root string) string { return filepath.Join(root, "src", "rustko_helpers.c") }

// FromModule fills in what a module's configuration decides: the headers
// (the defaults plus KERNEL_INCLUDE), the bindings file (BINDINGS) and the helpers
// (KERNEL_HELPERS, written to HelpersFile). Every caller that generates a
// module's bindings (build, bindgen, the language server) should use it:
// with different helper lists they would keep rewriting each other's
// bindings file. The helper file is also rewritten when the list became
// empty but the file exists, since C_FILES (src/*.c) still compiles it.
func (o *Options) FromModule(m *module.Module) {
	if m == nil {
		return
	}
	o.Headers = ModuleHeaders(m.Vars.KernelInclude)
	o.Root = m.Root
	if m.Vars.Bindings != "" {
		o.Out = m.Vars.Bindings
	}
	o.Helpers = m.Vars.KernelHelpers
	file := HelpersFile(m.Root)
	if _, err := os.Stat(file); len(o.Helpers) > 0 || err == nil {
		o.HelpersOut = file
	}
}

// helpersKey is what the helper list adds to the cache key: the bindings
// file holds their Rust declarations and the index their verdicts.
func helpersKey(names []string) []string {
	if len(names) == 0 {
		return nil
	}
	return []string{"helpers=" + strings.Join(names, " ")}
}

// helperPlan carries KERNEL_HELPERS through one cold generation: planned
// before names are assigned (the wrapped functions' types must be in the
// output), rendered after.
type helperPlan struct {
	names []string
	l     *lowerer
	u     *Unit
	opts  cwrap.Options
	res   *cwrap.Result
	rust  map[string]string // name -> its extern declaration, for the index
}

// keepBodiesForHelpers makes the front end parse function bodies when
// helpers are wanted: the analysis of what a helper may wrap reads them.
func keepBodiesForHelpers(fe *frontEnd, o *Options) {
	if len(o.Helpers) > 0 {
		fe.cfg.SkipFunctionBodies = false
	}
}

// planHelpers decides which listed functions get a helper and makes sure
// the bindings emit every type their prototypes use.
func planHelpers(ctx context.Context, ast *cc.AST, l *lowerer, u *Unit, o *Options) (*helperPlan, error) {
	hp := &helperPlan{names: o.Helpers, l: l, u: u, rust: map[string]string{}}
	hp.opts = cwrap.Options{
		Rel:    relHeader(o.Flags.IncludeDirs),
		Banner: "rustko-lsp " + orDash(o.Version),
	}
	if s := o.Symvers; s != nil {
		hp.opts.Exported = func(name string) (bool, bool) {
			_, ok := s.Lookup(name)
			return ok, true
		}
	}
	hp.opts.Elsewhere = elsewhere(ctx, o.Flags.IncludeDirs)
	hp.opts.Bindable = hp.bindable
	res, err := cwrap.Generate(ast, o.Helpers, cleanHeaders(o.Headers), hp.opts)
	if err != nil {
		return nil, err
	}
	hp.res = res
	return hp, nil
}

// elsewhere answers "which kernel header declares this" from the bridge's
// header scan, loaded only when a listed name is not in the configured
// headers.
func elsewhere(ctx context.Context, dirs []string) func(string) (cwrap.Location, bool) {
	var hi *headerscan.HeaderIndex
	var loadErr error
	return func(name string) (cwrap.Location, bool) {
		if hi == nil && loadErr == nil {
			cache, err := filecache.Dir()
			if err != nil {
				cache = ""
			}
			hi = headerscan.NewHeaderIndex(dirs, cache)
			if loadErr = hi.Load(ctx); loadErr != nil {
				slog.Warn("cannot scan the kernel headers for KERNEL_HELPERS names", "err", loadErr)
			}
		}
		if loadErr != nil {
			return cwrap.Location{}, false
		}
		d, ok := hi.Lookup(name)
		if !ok {
			return cwrap.Location{}, false
		}
		return cwrap.Location{Header: d.Header, File: d.Pos.File, Line: d.Pos.Line}, true
	}
}

// bindable refuses a function whose prototype the bindings cannot express
// exactly, and otherwise puts its types into the output.
func (hp *helperPlan) bindable(name string, params int) error {
	f := hp.l.functions[name]
	if f == nil || f.Sig == nil {
		return fmt.Errorf("%s has no prototype the bindings generator lowered", name)
	}
	check := func(what string, t *Type) error {
		if t == nil {
			return nil
		}
		if why := unbindable(t, true, map[*Record]bool{}, 0); why != "" {
			return fmt.Errorf("%s's %s has no exact Rust binding: %s", name, what, why)
		}
		return nil
	}
	if err := check("result", f.Sig.Result); err != nil {
		return err
	}
	for i, p := range f.Sig.Params {
		if params >= 0 && i >= params {
			break // the helper does not take it
		}
		what := "parameter " + strconv.Itoa(i+1)
		if p.Name != "" {
			what += " (" + p.Name + ")"
		}
		if err := check(what, p.Type); err != nil {
			return err
		}
	}
	if clash := hp.valueNamed(name); clash != "" {
		return fmt.Errorf("the Rust name %s is already taken in the bindings by %s", name, clash)
	}
	f.Sig.reach(hp.u)
	return nil
}

// unbindable says why a type cannot cross the helper's Rust declaration:
// an opaque blob or an incomplete record by value (Rust would pass the
// wrong thing), a record whose layout the front end got wrong anywhere
// the type reaches (the bindings refuse to emit those), or a C type Rust
// has no spelling for.
func unbindable(t *Type, byValue bool, seen map[*Record]bool, depth int) string {
	if t == nil || depth > 64 {
		return ""
	}
	switch t.Kind {
	case TOpaque:
		if _, ok := alignedInt[t.Align]; !ok || byValue {
			return fmt.Sprintf("%s has no Rust equivalent", orDash(t.Prim))
		}
	case TPointer:
		return unbindable(t.Elem, false, seen, depth+1)
	case TArray:
		return unbindable(t.Elem, byValue, seen, depth+1)
	case TFunc:
		if t.Fn == nil {
			return ""
		}
		if why := unbindable(t.Fn.Result, true, seen, depth+1); why != "" {
			return why
		}
		for _, p := range t.Fn.Params {
			if why := unbindable(p.Type, true, seen, depth+1); why != "" {
				return why
			}
		}
	case TNamed:
		switch r := t.Ref.(type) {
		case *Typedef:
			return unbindable(r.Type, byValue, seen, depth+1)
		case *Record:
			if seen[r] {
				return ""
			}
			seen[r] = true
			switch {
			case r.bad != "":
				return fmt.Sprintf("%s, whose layout the C front end cannot compute reliably (%s)", r.cName(), r.bad)
			case byValue && !r.Complete:
				return fmt.Sprintf("%s by value, which these headers never define", r.cName())
			case byValue && r.Opaque != "":
				return fmt.Sprintf("%s by value, which the bindings make opaque (%s)", r.cName(), r.Opaque)
			}
			for _, m := range r.Members {
				if m.Type != nil {
					if why := unbindable(m.Type, false, seen, depth+1); why != "" && strings.Contains(why, "layout") {
						return why
					}
				}
			}
		}
	}
	return ""
}

// valueNamed returns what else the bindings emit under a value name.
func (hp *helperPlan) valueNamed(name string) string {
	for _, v := range hp.u.Variables {
		if v.reached && v.CName == name {
			return "the variable " + name
		}
	}
	for _, m := range hp.u.Macros {
		if m.emit && m.CName == name {
			return "the macro constant " + name
		}
	}
	return ""
}

// appendRust adds the helpers' extern declarations to the bindings file.
func (hp *helperPlan) appendRust(rust []byte, w *rustWriter) ([]byte, error) {
	if hp == nil || len(hp.res.Wrapped) == 0 {
		return rust, nil
	}
	sig := func(name string) (*cwrap.RustSig, error) {
		f := hp.l.functions[name]
		if f == nil {
			return nil, fmt.Errorf("no prototype for %s", name)
		}
		s := &cwrap.RustSig{Name: rustIdent(name)}
		used := map[string]bool{}
		for i, p := range f.Sig.Params {
			pn := rustIdent(p.Name)
			if p.Name == "" || used[pn] {
				pn = "arg" + strconv.Itoa(i)
			}
			used[pn] = true
			s.Params = append(s.Params, cwrap.RustParam{Name: pn, Type: w.ty(p.Type)})
		}
		if f.Sig.Result != nil {
			s.Result = w.ty(f.Sig.Result)
		}
		return s, nil
	}
	decls, err := cwrap.RustDecls(hp.res.Wrapped, sig, hp.opts)
	if err != nil {
		return nil, err
	}
	for _, h := range hp.res.Wrapped {
		one, err := cwrap.RustDecls([]cwrap.Helper{h}, sig, hp.opts)
		if err != nil {
			return nil, err
		}
		hp.rust[h.Name] = declText(dropComments(one))
	}
	out := append([]byte(nil), rust...)
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	out = append(out, '\n')
	return append(out, decls...), nil
}

// annotate records the helpers in the index: a wrapped function now has a
// Rust item, a refused one says why it has none, and a refused macro
// carries the verdict's advice.
func (hp *helperPlan) annotate(ix *index.Index) *Helpers {
	if hp == nil {
		return nil
	}
	byName := map[string][]*index.Item{}
	for _, it := range ix.Items {
		byName[it.Name] = append(byName[it.Name], it)
	}
	for _, h := range hp.res.Wrapped {
		for _, it := range byName[h.Name] {
			advice := fmt.Sprintf("KERNEL_HELPERS wraps it: Rust calls %s, which the C helper %s forwards to the inline function", h.Name, h.Symbol)
			switch {
			case it.Kind == index.InlineFunction:
			case h.Via != "" && it.Kind == index.FunctionMacro:
				advice = fmt.Sprintf("KERNEL_HELPERS wraps it: Rust calls %s, whose C helper %s expands the macro (which calls the inline function %s)", h.Name, h.Symbol, h.Via)
			default:
				continue
			}
			it.Rust = rustIdent(h.Name)
			it.RustDecl = hp.rust[h.Name]
			it.Why = ""
			it.Verdict = &index.Verdict{Class: index.VerdictHelper, Advice: advice}
		}
	}
	for i, r := range hp.res.Refused {
		if r.Kind == cwrap.Duplicate {
			continue // the first mention decided
		}
		for _, it := range byName[r.Name] {
			switch {
			case r.Kind == cwrap.Macro && (it.Kind == index.FunctionMacro || it.Kind == index.Macro):
				if v := verdict.Classify(ix, it); v != nil && v.Advice != "" {
					hp.res.Refused[i].Reason = strings.TrimSuffix(r.Reason, ".") + ". " + v.Advice
				}
			case it.Kind == index.InlineFunction:
				it.Verdict = &index.Verdict{Class: index.VerdictNoHelper, Advice: r.Reason}
			}
		}
	}
	return &Helpers{C: hp.res.C, Wrapped: hp.res.Wrapped, Refused: hp.res.Refused}
}

// loadHelpers reads the helper result a manifest kept: the C file is not
// part of the Rust or the index, and a cache hit must still write it. An
// entry without it is a miss when helpers are configured.
func loadHelpers(m *cacheManifest, o *Options) (*Helpers, error) {
	if len(o.Helpers) == 0 && o.HelpersOut == "" {
		return nil, nil
	}
	if len(o.Helpers) == 0 {
		return &Helpers{C: cwrap.EmptyFile(cleanHeaders(o.Headers), cwrap.Options{Banner: "rustko-lsp " + orDash(o.Version)})}, nil
	}
	if m.Helpers == nil {
		return nil, errors.New("the cached bindings have no helper file")
	}
	return m.Helpers, nil
}

// writeHelpers writes the C file to o.HelpersOut (when set) and returns h
// with File filled in. With no helpers listed the file still exists, so a
// build that lists it in its objects keeps working.
func writeHelpers(o *Options, h *Helpers) (*Helpers, error) {
	if h == nil {
		if len(o.Helpers) > 0 {
			return nil, fmt.Errorf("KERNEL_HELPERS lists %d name(s) but no helper file was produced (a rustko bug)", len(o.Helpers))
		}
		if o.HelpersOut == "" {
			return nil, nil
		}
		h = &Helpers{C: cwrap.EmptyFile(cleanHeaders(o.Headers), cwrap.Options{Banner: "rustko-lsp " + orDash(o.Version)})}
	}
	if o.HelpersOut == "" {
		return h, nil
	}
	out, err := filepath.Abs(o.HelpersOut)
	if err != nil {
		return nil, fmt.Errorf("helper file %s: %w", o.HelpersOut, err)
	}
	if err := writeIfChanged(o.Root, out, h.C, []byte(HelpersHeader)); err != nil {
		return nil, fmt.Errorf("writing the helper file %s: %w", out, err)
	}
	h.File = out
	return h, nil
}

// dropComments removes // lines (the block's heading) from Rust text.
func dropComments(b []byte) []byte {
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "//") {
			out = append(out, l)
		}
	}
	return []byte(strings.Join(out, "\n"))
}

// ModuleHeaders is what a module's bindings are generated from: the default
// headers every module needs, then KERNEL_INCLUDE's additions, without
// duplicates. KERNEL_INCLUDE adds to the defaults rather than replacing them
// so that listing linux/netdevice.h never silently drops _printk.
func ModuleHeaders(include []string) []string {
	out := DefaultHeaders()
	for _, h := range include {
		if !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	return out
}
