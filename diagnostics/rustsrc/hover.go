package rustsrc

import (
	"sort"

	"github.com/rustko/rustko-lsp/bindings/index"
	"github.com/rustko/rustko-lsp/bindings/verdict"
	"github.com/rustko/rustko-lsp/diagnostics"
)

// Cursor is the place in a Rust file that hover and definition ask about.
type Cursor struct {
	Src    string // the file's text
	Offset int    // byte offset of the cursor in Src
	// File is the analysis of exactly Src, or nil (not analysed yet, or a
	// file that is not open): names are then resolved by spelling alone.
	File  *File
	Index *index.Index // the module's C index; nil answers nothing
}

// Target is the kernel item the identifier under a cursor denotes.
type Target struct {
	Item  *index.Item
	Field *index.Field // set when the identifier is a field of Item
	// Verdict is the advice for a name without a symbol: the index's own,
	// or the verdict classification the findings use.
	Verdict    *index.Verdict
	Start, End int // the identifier, byte offsets into Cursor.Src
}

// HoverInfo is what a hover shows.
type HoverInfo struct {
	Text       string // Markdown or plain text, as asked: the same facts
	Start, End int    // the identifier, byte offsets into Cursor.Src
}

// Location is a place in another file: a kernel header's declaration.
type Location struct {
	File  string
	Range diagnostics.Range // 1-based lines, byte columns
}

// Lookup resolves the identifier at the cursor to a kernel item: through
// the analysis's own resolver when the file is analysed (imports, globs,
// extern blocks, #[link_name], so hover and the findings agree), else by
// its spelling; fields always by spelling, since the resolver does not
// type expressions.
func Lookup(c Cursor) (*Target, bool) {
	if c.Index == nil {
		return nil, false
	}
	id, ok := identAt(c.Src, c.Offset)
	if !ok {
		return nil, false
	}
	var tg *Target
	if it := c.File.itemAt(id); it != nil {
		tg = &Target{Item: it}
	} else if tg = byName(c.Index, id); tg == nil {
		return nil, false
	}
	tg.Start, tg.End = id.start, id.end
	tg.Verdict = tg.Item.Verdict
	if tg.Verdict == nil && tg.Field == nil {
		tg.Verdict = verdict.Classify(c.Index, tg.Item)
	}
	return tg, true
}

// Hover renders the kernel item at the cursor, in Markdown or plain text.
func Hover(c Cursor, markdown bool) (*HoverInfo, bool) {
	tg, ok := Lookup(c)
	if !ok {
		return nil, false
	}
	return &HoverInfo{Text: tg.render(markdown), Start: tg.Start, End: tg.End}, true
}

// Definition is where the kernel item at the cursor is declared in C: a
// field's own declarator when the index has it, not its record's first line.
func Definition(c Cursor) []Location {
	tg, ok := Lookup(c)
	if !ok {
		return nil
	}
	p := tg.declPos()
	if p.File == "" {
		return nil
	}
	return []Location{LocationOf(p)}
}

// LocationOf is an index position as a Location: an empty range at the
// declaration.
func LocationOf(p index.Pos) Location {
	at := diagnostics.Position{Line: p.Line, Column: p.Column}
	return Location{File: p.File, Range: diagnostics.Range{Start: at, End: at}}
}

func (tg *Target) declPos() index.Pos {
	if f := tg.Field; f != nil && f.Pos.File != "" && f.Pos.Line > 0 {
		return f.Pos
	}
	return tg.Item.Pos
}

// itemAt is the item the analysis resolved the identifier to, or nil. A
// field is never a reference, and f may be nil.
func (f *File) itemAt(id ident) *index.Item {
	if f == nil || id.field {
		return nil
	}
	rs := f.refs
	// Refs are in source order, so byte order: the first that ends at or
	// after the identifier's start.
	i := sort.Search(len(rs), func(i int) bool { return rs[i].node.End >= id.start })
	if i < len(rs) && rs[i].node.Start <= id.start {
		return rs[i].Item
	}
	return nil
}
