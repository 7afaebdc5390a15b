package rustsrc

import (
	"sort"

	"github.com/rustko/rustko-lsp/bindings/index"
	"github.com/rustko/rustko-lsp/bindings/verdict"
	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/diagnostics/rustsrc/internal/syntax"
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
// its spelling, as for `x.field`: the resolver does not type expressions.
func Lookup(c Cursor) (*Target, bool) {
	if c.Index == nil {
		return nil, false
	}
	id, ok := identAt(c.Src, c.Offset)
	if !ok {
		return nil, false
	}
	tg := c.File.resolved(id)
	if tg == nil {
		if !spellingAnswers(c.File, id) {
			return nil, false
		}
		if tg = byName(c.Index, id); tg == nil {
			return nil, false
		}
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
	return Location{File: p.File, Range: diagnostics.Point(p.Line, p.Column)}
}

func (tg *Target) declPos() index.Pos {
	if f := tg.Field; f != nil && f.Pos.File != "" && f.Pos.Line > 0 {
		return f.Pos
	}
	return tg.Item.Pos
}

// resolved is what the analysis's resolver says the identifier is: a
// reference, or a field of a struct literal whose type is one (so a renamed
// import or a glob resolves it as the findings do). Nil when f is nil or the
// resolver does not know; a field of an expression (x.f) needs types it
// does not have.
func (f *File) resolved(id ident) *Target {
	if f == nil {
		return nil
	}
	if !id.field {
		if r := f.refAt(id.start); r != nil && r.Item != nil {
			return &Target{Item: r.Item}
		}
		return nil
	}
	n := nodeAt(f.root, id.start)
	if id.record == "" || n.Start != id.start || n.Parent == nil || n.Parent.Kind != "field_initializer" {
		return nil
	}
	name := n.Ancestor("struct_expression").ChildByField("name")
	if name != nil && name.Kind == "scoped_type_identifier" {
		name = name.ChildByField("name")
	}
	if name == nil {
		return nil
	}
	if r := f.refAt(name.Start); r != nil && r.Item != nil {
		if fl := fieldOf(r.Item, id.name); fl != nil {
			return &Target{Item: r.Item, Field: fl}
		}
	}
	return nil
}

// spellingAnswers says whether a name the resolver left unresolved may
// still be looked up by its spelling. Fields need types the resolver does
// not have. A path names a kernel item only through a module called
// bindings (not rustko::pr_info or core::mem::size_of). In an analysed file
// the resolver has seen every import and glob, so a plain name it did not
// resolve is Rust's own (a parameter, a local) however a kernel item is
// spelled, except in a comment, where it does not look.
func spellingAnswers(f *File, id ident) bool {
	if id.field {
		return true
	}
	if len(id.path) > 0 {
		return id.path[len(id.path)-1] == "bindings"
	}
	if f == nil {
		return true
	}
	n := nodeAt(f.root, id.start)
	return n.Is("line_comment", "block_comment") || n.Ancestor("line_comment", "block_comment") != nil
}

// refAt is the reference that starts at byte offset off, or nil.
func (f *File) refAt(off int) *cRef {
	rs := f.refs
	// Refs are in source order, so in byte order.
	i := sort.Search(len(rs), func(i int) bool { return rs[i].node.End > off })
	if i < len(rs) && rs[i].node.Start == off {
		return &rs[i]
	}
	return nil
}

// nodeAt is the deepest node that holds byte offset off.
func nodeAt(n *syntax.Node, off int) *syntax.Node {
	for {
		kids := n.Children
		i := sort.Search(len(kids), func(i int) bool { return kids[i].End > off })
		if i == len(kids) || kids[i].Start > off {
			return n
		}
		n = kids[i]
	}
}
