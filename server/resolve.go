package server

import (
	"context"
	"slices"

	"go.lsp.dev/protocol"

	"github.com/rustko/rustko-lsp/bindings/index"
	"github.com/rustko/rustko-lsp/bindings/verdict"
)

// target is what the identifier under the cursor denotes in the kernel.
type target struct {
	id    ident
	item  *index.Item
	field *index.Field // set when the identifier is a field of item
	text  *text        // the buffer the identifier is in
	// verdict is the advice for a name without a symbol: the
	// index's own, or the verdict classification as the findings use.
	verdict *index.Verdict
}

// at resolves the position in an open (or on-disk) Rust file to a kernel
// item. It returns nil when the file is in no module, there is no index
// yet, or the identifier is not a kernel name.
func (s *Server) at(ctx context.Context, p protocol.TextDocumentPositionParams) (*target, *session) {
	_, path := uriKey(p.TextDocument.URI)
	if path == "" || !isRust(path) {
		return nil, nil
	}
	se := s.sessionFor(path)
	if se == nil {
		return nil, nil
	}
	snap := se.current()
	if snap.ix == nil {
		return nil, se
	}
	t := s.fileText(path, nil)
	s.mu.Lock()
	enc := s.enc
	s.mu.Unlock()
	off := t.offset(p.Position, enc)
	id, ok := identAt(t.s, off)
	if !ok {
		return nil, se
	}
	var tg *target
	if it := se.resolveWithAnalysis(path, snap, t, id); it != nil {
		tg = &target{id: id, item: it}
	} else {
		tg = resolve(snap, id)
	}
	if tg != nil {
		tg.text = t
		tg.verdict = tg.item.Verdict
		if tg.verdict == nil && tg.field == nil {
			tg.verdict = verdict.Classify(snap.ix, tg.item)
		}
	}
	return tg, se
}

// resolveWithAnalysis asks the analysis's own resolver, which follows
// `use` imports, globs, extern blocks and #[link_name], so hover and the
// findings agree. It answers only for the text it analysed.
func (se *session) resolveWithAnalysis(path string, snap *snapshot, t *text, id ident) *index.Item {
	version := int32(-1)
	if d := se.srv.docs.byPath(path); d != nil {
		if d.text != t {
			return nil
		}
		version = d.version
	}
	se.mu.Lock()
	r, ok := se.resolvers[path]
	se.mu.Unlock()
	if !ok || r.version != version || r.snap != snap || id.field {
		return nil
	}
	pos := t.position(id.start, utf8Enc)
	return r.resolve(int(pos.Line)+1, int(pos.Character)+1)
}

// resolve maps an identifier by name alone: the generated Rust name first,
// then the C name; fields through the struct literal around them or, for
// `x.field`, the one record that has such a field.
func resolve(snap *snapshot, id ident) *target {
	ix := snap.ix
	if id.field {
		var recs []*index.Item
		if id.record != "" {
			if r := lookupRecord(ix, id.record); r != nil {
				recs = []*index.Item{r}
			}
		} else {
			recs = snap.fields[id.name]
		}
		if len(recs) == 1 {
			if f := fieldOf(recs[0], id.name); f != nil {
				return &target{id: id, item: recs[0], field: f}
			}
		}
		return nil
	}
	if it := ix.LookupRust(id.name); it != nil {
		return &target{id: id, item: it}
	}
	if items := ix.Lookup(id.name); len(items) > 0 {
		return &target{id: id, item: preferred(items)}
	}
	return nil
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
	best := slices.IndexFunc(items, func(it *index.Item) bool { return it.Rust != "" })
	if best >= 0 {
		return items[best]
	}
	best = slices.IndexFunc(items, func(it *index.Item) bool { return it.Kind == index.Struct || it.Kind == index.Union })
	if best >= 0 {
		return items[best]
	}
	return items[0]
}
