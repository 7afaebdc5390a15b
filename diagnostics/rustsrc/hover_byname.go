package rustsrc

import (
	"slices"

	"github.com/rustko/rustko-lsp/bindings/index"
)

// byName resolves an identifier by its spelling alone, for what the
// resolver does not answer (fields, text not analysed yet, names outside
// the bindings' paths): the generated Rust name first, then the C name;
// a field through the struct literal around it or, for `x.field`, the one
// record that has such a field.
func byName(ix *index.Index, id ident) *Target {
	if id.field {
		var recs []*index.Item
		if id.record != "" {
			if r := lookupRecord(ix, id.record); r != nil {
				recs = []*index.Item{r}
			}
		} else {
			recs = ix.RecordsWithField(id.name)
		}
		if len(recs) == 1 {
			if f := fieldOf(recs[0], id.name); f != nil {
				return &Target{Item: recs[0], Field: f}
			}
		}
		return nil
	}
	if it := ix.LookupRust(id.name); it != nil {
		return &Target{Item: it}
	}
	if items := ix.Lookup(id.name); len(items) > 0 {
		return &Target{Item: preferred(items)}
	}
	return nil
}

// ItemNamed is the item a C or generated Rust name most likely means (the
// C name first), or nil.
func ItemNamed(ix *index.Index, name string) *index.Item {
	if items := ix.Lookup(name); len(items) > 0 {
		return preferred(items)
	}
	return ix.LookupRust(name)
}

// lookupRecord finds a struct or union by its Rust or C name.
func lookupRecord(ix *index.Index, name string) *index.Item {
	if it := ix.LookupRust(name); it != nil && len(it.Fields) > 0 {
		return it
	}
	for _, it := range ix.Lookup(name) {
		if len(it.Fields) > 0 {
			return it
		}
	}
	return nil
}

func fieldOf(rec *index.Item, name string) *index.Field {
	for i := range rec.Fields {
		f := &rec.Fields[i]
		if f.RustName == name || (f.RustName == "" && f.Name == name) {
			return f
		}
	}
	return nil
}

// preferred picks among C items sharing a name (struct tag and typedef,
// function and macro) the one a Rust author most likely means: the one with
// a Rust item, then records, then the rest in declaration order.
func preferred(items []*index.Item) *index.Item {
	if i := slices.IndexFunc(items, func(it *index.Item) bool { return it.Rust != "" }); i >= 0 {
		return items[i]
	}
	if i := slices.IndexFunc(items, func(it *index.Item) bool { return it.Kind == index.Struct || it.Kind == index.Union }); i >= 0 {
		return items[i]
	}
	return items[0]
}
