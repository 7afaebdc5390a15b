package verdict

import (
	"github.com/rustko/rustko-lsp/bindings/clex"
	"github.com/rustko/rustko-lsp/bindings/cmacro"
	"github.com/rustko/rustko-lsp/bindings/index"
)

// defOf reads a macro's definition from an index item: the "#define" text in
// Decl when present, else Params and Expansion.
func defOf(it *index.Item) *cmacro.Def {
	if it == nil || (it.Kind != index.Macro && it.Kind != index.FunctionMacro) {
		return nil
	}
	if d := cmacro.Parse(it.Decl); d != nil && d.Name == it.Name {
		// The index writes GNU's named variadic "args..." as "args": it is
		// the last parameter.
		d.Variadic = d.Variadic || it.Variadic && d.FuncLike && len(d.Params) > 0
		return d
	}
	d := &cmacro.Def{Name: it.Name, FuncLike: it.Kind == index.FunctionMacro, Body: clex.Lex(it.Expansion)}
	for _, p := range it.Params {
		name, variadic := cmacro.Param(p.Name)
		d.Params = append(d.Params, name)
		d.Variadic = d.Variadic || variadic
	}
	if it.Variadic && !d.Variadic {
		d.Params = append(d.Params, "__VA_ARGS__")
		d.Variadic = true
	}
	return d
}

// Limits that keep a pathological macro (or index) from costing more than a
// few milliseconds.
const (
	maxLevels = 40
	maxTokens = 20000
)

// newExpander expands macro invocations with the definitions ix knows.
func newExpander(ix *index.Index) *cmacro.Expander {
	cache := map[string]*cmacro.Def{}
	return &cmacro.Expander{Limit: maxTokens, Lookup: func(name string) *cmacro.Def {
		if d, ok := cache[name]; ok {
			return d
		}
		var d *cmacro.Def
		for _, it := range ix.Lookup(name) {
			if d = defOf(it); d != nil {
				break
			}
		}
		cache[name] = d
		return d
	}}
}
