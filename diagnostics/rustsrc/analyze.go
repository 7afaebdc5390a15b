package rustsrc

import (
	"cmp"
	"slices"
	"strings"

	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/diagnostics/rustsrc/internal/syntax"
	"github.com/rustko/rustko-lsp/module"
)

// analysis is one Analyze call's state.
type analysis struct {
	f       *File
	env     *Env
	syms    *symbols
	refs    []cRef
	byNode  map[*syntax.Node]*cRef
	aliases map[string]*syntax.Node // type NAME = T; in this file
	consts  map[string]bool         // consts and immutable statics of this file
	out     []diagnostics.Finding
}

// Analyze runs every Rust-source check on f against env (which may be nil,
// or partly filled: checks that need a missing piece are skipped). The
// result is sorted by position and never nil-panics on broken code.
func Analyze(f *File, env *Env) []diagnostics.Finding {
	if f == nil {
		return nil
	}
	if env == nil {
		env = &Env{}
	}
	env.prepare()
	a := &analysis{f: f, env: env, syms: f.syms, refs: f.refs}
	if env != f.env {
		// Resolved against another configuration: resolve again, locally,
		// so f stays unchanged for other readers.
		a.syms = collectSymbols(f.root, env.bindingsPaths(), env.sourceSet().Cfg(f.Path))
		a.refs = resolveAll(f.root, a.syms, env, 0)
	}
	a.byNode = make(map[*syntax.Node]*cRef, len(a.refs))
	for i := range a.refs {
		a.byNode[a.refs[i].node] = &a.refs[i]
	}
	a.checkRefs()
	a.checkExternDecls()
	a.checkCalls()
	a.checkFloat()
	a.checkMissingExternC()
	a.checkShimSignatures()
	a.checkShadowedConstants()
	a.checkMacroExterns()
	slices.SortStableFunc(a.out, func(x, y diagnostics.Finding) int {
		return cmp.Or(cmp.Compare(x.Range.Start.Line, y.Range.Start.Line), cmp.Compare(x.Range.Start.Column, y.Range.Start.Column),
			strings.Compare(x.Code, y.Code))
	})
	return a.out
}

// add records a finding and returns it for the caller to complete (fixes,
// related places); the pointer is valid until the next add.
func (a *analysis) add(code string, sev diagnostics.Severity, r diagnostics.Range, msg string) *diagnostics.Finding {
	a.out = append(a.out, diagnostics.Finding{
		File: a.f.Path, Range: r, Severity: sev, Code: code, Source: diagnostics.SourceRustko, Message: msg,
	})
	return &a.out[len(a.out)-1]
}

// refAt returns the reference a node (or its name, for paths) is.
func (a *analysis) refAt(n *syntax.Node) *cRef {
	if n == nil {
		return nil
	}
	if r := a.byNode[n]; r != nil {
		return r
	}
	if n.Is("scoped_identifier", "scoped_type_identifier") {
		return a.byNode[n.ChildByField("name")]
	}
	return nil
}

// localTypeAlias finds `type NAME = T;` in the file.
func (a *analysis) localTypeAlias(name string) *syntax.Node {
	if a.aliases == nil {
		a.aliases = map[string]*syntax.Node{}
		a.f.root.Walk(func(n *syntax.Node) bool {
			if n.Kind == "type_item" {
				if nm, t := n.ChildByField("name"), n.ChildByField("type"); nm != nil && t != nil {
					a.aliases[nm.Text()] = t
				}
			}
			return true
		})
	}
	return a.aliases[name]
}

// ConfigEdit turns a config.mk edit (module.ListVarEdit, SetVarEdit) into a
// quick-fix edit. A config.mk that does not exist yet becomes an insertion
// at 1:1 of a file that the client creates.
func ConfigEdit(e module.TextEdit) diagnostics.Edit {
	if e.Create {
		return diagnostics.Edit{File: e.File, Range: diagnostics.Point(1, 1), NewText: e.NewText}
	}
	return diagnostics.Edit{File: e.File, NewText: e.NewText, Range: diagnostics.Range{
		Start: diagnostics.Position{Line: e.Line, Column: e.Column},
		End:   diagnostics.Position{Line: e.EndLine, Column: e.EndColumn},
	}}
}

// listFix is the quick fix that adds word to a config.mk list variable, or
// nil when there is no module or the word is already there.
func (a *analysis) listFix(title, variable, word string) []diagnostics.Fix {
	cfg := a.env.configFile()
	if cfg == "" {
		return nil
	}
	e, err := module.ListVarEdit(cfg, variable, word)
	if err != nil {
		return nil
	}
	return []diagnostics.Fix{{Title: title, Edits: []diagnostics.Edit{ConfigEdit(e)}, Preferred: true}}
}

// replaceFix replaces the text of one range in the analysed file.
func (a *analysis) replaceFix(title string, r diagnostics.Range, text string, preferred bool) diagnostics.Fix {
	return diagnostics.Fix{Title: title, Preferred: preferred, Edits: []diagnostics.Edit{{File: a.f.Path, Range: r, NewText: text}}}
}

// inTest says whether a node sits in an item #[cfg] compiles out of the
// module: #[cfg(test)] (host-side unit tests may use floats and need no
// kernel symbols) or a predicate the build's cfg set decides false.
func (a *analysis) inTest(n *syntax.Node) bool {
	if len(a.syms.cfgOff) == 0 {
		return false // most files: no walk up from every node checked
	}
	for p := n; p != nil; p = p.Parent {
		if a.syms.cfgOff[p] {
			return true
		}
	}
	return false
}
