// Package syntax parses Rust and C source with tree-sitter and hands back a
// plain Go tree. It owns the one place where rustko touches tree-sitter's C
// API directly.
//
// Why not walk the tree through go-tree-sitter's Go API: every node access
// there is a cgo call plus a map insertion (measured: about 3 µs per node, so
// 100 ms for a 2,000-line file of 30,000 nodes). Here one C call parses and a
// second copies every node into a flat array, and the rest is plain Go.
// The tree-sitter runtime and the grammars are still the ones go-tree-sitter
// ships and links (github.com/smacker/go-tree-sitter, .../rust, .../c).
package syntax

/*
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

// A mirror of the parts of tree-sitter's api.h (language version 14, the
// runtime go-tree-sitter vendors) that this package uses. abiOK checks the two
// by-value structs against go-tree-sitter's own Go types at start-up.
typedef struct TSLanguage TSLanguage;
typedef struct TSParser TSParser;
typedef struct TSTree TSTree;
typedef uint16_t TSSymbol;
typedef uint16_t TSFieldId;
typedef struct { uint32_t row; uint32_t column; } TSPoint;
typedef struct { uint32_t context[4]; const void *id; const TSTree *tree; } TSNode;
typedef struct { const void *tree; const void *id; uint32_t context[3]; } TSTreeCursor;

TSParser *ts_parser_new(void);
void ts_parser_delete(TSParser *self);
bool ts_parser_set_language(TSParser *self, const TSLanguage *language);
void ts_parser_set_timeout_micros(TSParser *self, uint64_t timeout);
TSTree *ts_parser_parse_string(TSParser *self, const TSTree *old_tree, const char *string, uint32_t length);
void ts_tree_delete(TSTree *self);
TSNode ts_tree_root_node(const TSTree *self);
uint32_t ts_node_descendant_count(TSNode self);
TSSymbol ts_node_symbol(TSNode self);
uint32_t ts_node_start_byte(TSNode self);
uint32_t ts_node_end_byte(TSNode self);
TSPoint ts_node_start_point(TSNode self);
TSPoint ts_node_end_point(TSNode self);
bool ts_node_is_named(TSNode self);
bool ts_node_is_missing(TSNode self);
bool ts_node_is_error(TSNode self);
TSTreeCursor ts_tree_cursor_new(TSNode node);
void ts_tree_cursor_delete(TSTreeCursor *self);
TSNode ts_tree_cursor_current_node(const TSTreeCursor *self);
TSFieldId ts_tree_cursor_current_field_id(const TSTreeCursor *self);
bool ts_tree_cursor_goto_parent(TSTreeCursor *self);
bool ts_tree_cursor_goto_next_sibling(TSTreeCursor *self);
bool ts_tree_cursor_goto_first_child(TSTreeCursor *self);
uint32_t ts_language_symbol_count(const TSLanguage *self);
const char *ts_language_symbol_name(const TSLanguage *self, TSSymbol symbol);
typedef enum { TSSymbolTypeRegular, TSSymbolTypeAnonymous, TSSymbolTypeAuxiliary } TSSymbolType;
TSSymbolType ts_language_symbol_type(const TSLanguage *self, TSSymbol symbol);
uint32_t ts_language_field_count(const TSLanguage *self);
const char *ts_language_field_name_for_id(const TSLanguage *self, TSFieldId id);

const TSLanguage *tree_sitter_rust(void);
const TSLanguage *tree_sitter_c(void);

enum { RK_NAMED = 1, RK_ERROR = 2, RK_MISSING = 4, RK_REUSED = 8 };

typedef struct {
	uint32_t start, end;
	uint32_t srow, scol, erow, ecol;
	int32_t parent;
	TSSymbol symbol;
	TSFieldId field;
	uint8_t flags;
} rk_node;

typedef struct {
	uint32_t start_byte, old_end_byte, new_end_byte;
	TSPoint start_point, old_end_point, new_end_point;
} TSInputEdit;
TSTree *ts_tree_copy(const TSTree *self);
void ts_tree_edit(TSTree *self, const TSInputEdit *edit);
typedef struct {
	TSPoint start_point, end_point;
	uint32_t start_byte, end_byte;
} TSRange;
TSRange *ts_tree_get_changed_ranges(const TSTree *old_tree, const TSTree *new_tree, uint32_t *length);

// rk_parse parses src; with old (and its edit) tree-sitter reuses the
// unchanged parts of the old tree. old itself is left untouched: the edit is
// applied to a copy, so other readers of old are not disturbed. With old,
// *lo and *hi receive the byte span (new text) that covers every range whose
// structure changed, lo > hi when none did.
static TSTree *rk_parse(const TSLanguage *lang, const char *src, uint32_t len, uint64_t timeout_us,
                        const TSTree *old, const TSInputEdit *edit, uint32_t *lo, uint32_t *hi) {
	TSParser *p = ts_parser_new();
	if (!ts_parser_set_language(p, lang)) {
		ts_parser_delete(p);
		return NULL;
	}
	ts_parser_set_timeout_micros(p, timeout_us);
	TSTree *base = NULL;
	if (old != NULL) {
		base = ts_tree_copy(old);
		ts_tree_edit(base, edit);
	}
	TSTree *t = ts_parser_parse_string(p, base, src, len);
	*lo = UINT32_MAX;
	*hi = 0;
	if (base != NULL && t != NULL) {
		uint32_t n = 0;
		TSRange *r = ts_tree_get_changed_ranges(base, t, &n);
		for (uint32_t i = 0; i < n; i++) {
			if (r[i].start_byte < *lo) *lo = r[i].start_byte;
			if (r[i].end_byte > *hi) *hi = r[i].end_byte;
		}
		free(r);
	}
	if (base != NULL) ts_tree_delete(base);
	ts_parser_delete(p);
	return t;
}

static void rk_tree_delete(void *t) { ts_tree_delete((TSTree *)t); }

static uint32_t rk_count(TSTree *t) {
	return ts_node_descendant_count(ts_tree_root_node(t));
}

// rk_flatten writes the tree in pre-order; parent is an index into out.
// With reuse set, a top-level node lying wholly outside [lo, hi) is written
// without its descendants and flagged RK_REUSED: the caller copies them from
// the previous tree, which is cheaper than crossing into Go node by node.
// Tokens whose symbol has skip[sym] & 1 (punctuation) are left out unless
// tree-sitter inserted them (MISSING) or their parent has skip[parent] & 2
// (a macro's token tree, whose "::" and "." are all the structure there is):
// rustko's checks never look at them elsewhere, and they are a third of a
// Rust file's nodes.
static uint32_t rk_flatten(TSTree *t, rk_node *out, uint32_t cap, bool reuse, uint32_t lo, uint32_t hi,
                           const uint8_t *skip, uint32_t nskip) {
	TSTreeCursor c = ts_tree_cursor_new(ts_tree_root_node(t));
	int32_t stack[4096];
	int depth = 0;
	uint32_t n = 0;
	stack[0] = -1;
	for (;;) {
		if (n == cap) break;
		TSNode nd = ts_tree_cursor_current_node(&c);
		TSSymbol sym = ts_node_symbol(nd);
		if (depth > 0 && sym < nskip && (skip[sym] & 1) && !ts_node_is_missing(nd)) {
			TSSymbol ps = out[stack[depth]].symbol;
			if (ps >= nskip || !(skip[ps] & 2)) goto next;
		}
		TSPoint sp = ts_node_start_point(nd), ep = ts_node_end_point(nd);
		rk_node *o = &out[n];
		o->start = ts_node_start_byte(nd);
		o->end = ts_node_end_byte(nd);
		o->srow = sp.row; o->scol = sp.column;
		o->erow = ep.row; o->ecol = ep.column;
		o->parent = stack[depth];
		o->symbol = sym;
		o->field = ts_tree_cursor_current_field_id(&c);
		o->flags = (ts_node_is_named(nd) ? RK_NAMED : 0) | (ts_node_is_error(nd) ? RK_ERROR : 0) |
			(ts_node_is_missing(nd) ? RK_MISSING : 0);
		int32_t self = (int32_t)n++;
		if (reuse && depth == 1 && (o->end <= lo || o->start >= hi)) {
			o->flags |= RK_REUSED;
			goto next;
		}
		// Past 4,095 levels the deeper nodes are dropped: such input is not
		// code a person wrote, and the tree above it is still complete.
		if (depth + 1 < 4096 && ts_tree_cursor_goto_first_child(&c)) {
			stack[++depth] = self;
			continue;
		}
	next:
		while (!ts_tree_cursor_goto_next_sibling(&c)) {
			if (depth == 0 || !ts_tree_cursor_goto_parent(&c)) {
				ts_tree_cursor_delete(&c);
				return n;
			}
			depth--;
		}
	}
	ts_tree_cursor_delete(&c);
	return n;
}
*/
import "C"

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"unicode"
	"unsafe"

	sitter "github.com/smacker/go-tree-sitter"
	_ "github.com/smacker/go-tree-sitter/c"    // links tree_sitter_c
	_ "github.com/smacker/go-tree-sitter/rust" // links tree_sitter_rust
)

// abiOK is false when the linked tree-sitter runtime passes nodes of another
// size than the mirror above expects; Parse then refuses rather than corrupt
// memory. go-tree-sitter's Node is {TSNode; *Tree}.
var abiOK = unsafe.Sizeof(sitter.Node{}) == C.sizeof_TSNode+unsafe.Sizeof(uintptr(0))

// Language is a tree-sitter grammar with its symbol and field names cached.
type Language struct {
	name    string
	ptr     *C.TSLanguage
	symbols []string
	fields  []string
	skip    []C.uint8_t // per symbol: 1 punctuation token, left out of trees; 2 keeps its punctuation children
}

// keepsPunctuation are the nodes whose punctuation children stay: tree-sitter
// does not parse a macro's arguments, so "a::b" in a token tree is three
// tokens, and the resolver reads paths from them.
var keepsPunctuation = map[string]bool{"token_tree": true, "token_repetition": true}

func (l *Language) skipPtr() *C.uint8_t {
	if len(l.skip) == 0 {
		return nil
	}
	return &l.skip[0]
}

// isPunctuation reports whether an anonymous token's name is made of
// punctuation only: "(", "::", "->", but not "fn", "mut" or "_".
func isPunctuation(name string) bool {
	return name != "" && !strings.ContainsFunc(name, func(r rune) bool {
		return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsSpace(r)
	})
}

func newLanguage(name string, ptr *C.TSLanguage) *Language {
	l := &Language{name: name, ptr: ptr}
	n := int(C.ts_language_symbol_count(ptr))
	l.symbols = make([]string, n)
	l.skip = make([]C.uint8_t, n)
	for i := range n {
		l.symbols[i] = C.GoString(C.ts_language_symbol_name(ptr, C.TSSymbol(i)))
		if C.ts_language_symbol_type(ptr, C.TSSymbol(i)) == C.TSSymbolTypeAnonymous && isPunctuation(l.symbols[i]) {
			l.skip[i] = 1
		}
		if keepsPunctuation[l.symbols[i]] {
			l.skip[i] |= 2
		}
	}
	nf := int(C.ts_language_field_count(ptr))
	l.fields = make([]string, nf+1) // field ids start at 1
	for i := 1; i <= nf; i++ {
		l.fields[i] = C.GoString(C.ts_language_field_name_for_id(ptr, C.TSFieldId(i)))
	}
	return l
}

// The grammars this package parses.
var (
	Rust  = newLanguage("Rust", C.tree_sitter_rust())
	CLang = newLanguage("C", C.tree_sitter_c())
)

// noReuse turns off Reparse's copying of unchanged subtrees, so a benchmark
// can compare the two in one run.
var noReuse = false

// maxSource bounds what is handed to tree-sitter, whose offsets are 32-bit.
const maxSource = 64 << 20

// parseTimeout stops tree-sitter on input that would take unreasonably long
// (it normally parses a 2,000-line file in about 10 ms).
const parseTimeoutMicros = 5_000_000

// Tree is a parsed file: the Go copy of the nodes, and tree-sitter's own
// tree, kept so a new version of the text can be parsed incrementally.
type Tree struct {
	Root *Node
	lang *Language
	src  []byte
	c    *C.TSTree
	// reused counts the nodes copied from the previous tree by Reparse
	// rather than flattened again (for tests and benchmarks).
	reused int
}

// Parse parses src with the grammar. Syntax errors do not fail it: they
// become ERROR/MISSING nodes.
func Parse(l *Language, src []byte) (*Node, error) {
	t, err := ParseTree(l, src)
	if err != nil {
		return nil, err
	}
	return t.Root, nil
}

// ParseTree is Parse keeping tree-sitter's tree for Reparse.
func ParseTree(l *Language, src []byte) (*Tree, error) {
	return parse(l, src, nil, nil)
}

// Reparse parses src, a new version of t's text, reusing what did not
// change: an edit in a 2,000-line file costs a fraction of a full parse.
// t stays valid and unchanged.
func (t *Tree) Reparse(src []byte) (*Tree, error) {
	if t == nil || t.c == nil {
		return nil, fmt.Errorf("reparse of a tree that was not parsed")
	}
	e := editBetween(t.src, src)
	return parse(t.lang, src, t, &e)
}

func parse(l *Language, src []byte, old *Tree, ed *C.TSInputEdit) (*Tree, error) {
	if !abiOK {
		return nil, fmt.Errorf("the linked tree-sitter runtime does not match rustko's mirror of its API (node size): rebuild with the go-tree-sitter version in go.mod")
	}
	if len(src) > maxSource {
		return nil, fmt.Errorf("file is %d MiB; rustko parses files up to %d MiB", len(src)>>20, maxSource>>20)
	}
	var cs *C.char
	if len(src) > 0 {
		cs = (*C.char)(C.CBytes(src))
		defer C.free(unsafe.Pointer(cs))
	}
	var oldC *C.TSTree
	if old != nil {
		oldC = old.c
	}
	var lo, hi C.uint32_t
	ct := C.rk_parse(l.ptr, cs, C.uint32_t(len(src)), parseTimeoutMicros, oldC, ed, &lo, &hi)
	// old's C tree must outlive the call above, which read it.
	runtime.KeepAlive(old)
	if ct == nil {
		return nil, fmt.Errorf("tree-sitter gave up parsing this %s file (timeout)", l.name)
	}
	count := C.rk_count(ct)
	// The flat copy lives in C memory: Go would zero it first and count it
	// towards the next collection, though C overwrites it and build drops it.
	var flat []C.rk_node
	if count > 0 {
		p := C.malloc(C.size_t(count) * C.size_t(unsafe.Sizeof(C.rk_node{})))
		if p == nil {
			return nil, fmt.Errorf("out of memory flattening a %s tree of %d nodes", l.name, count)
		}
		defer C.free(p)
		flat = unsafe.Slice((*C.rk_node)(p), count)
	}
	var root *Node
	reused := 0
	if old != nil && count > 0 && !noReuse {
		e := edit{start: int(ed.start_byte), oldEnd: int(ed.old_end_byte), newEnd: int(ed.new_end_byte),
			dRow: int(ed.new_end_point.row) - int(ed.old_end_point.row)}
		ru := newReuse(old, src, e, int(lo), int(hi))
		n := uint32(C.rk_flatten(ct, &flat[0], count, true, C.uint32_t(ru.lo), C.uint32_t(ru.hi), l.skipPtr(), C.uint32_t(len(l.skip))))
		root, reused = build(l, flat[:n], src, ru)
	}
	if root == nil { // a fresh parse, or the old tree did not have what was to be reused
		n := uint32(0)
		if count > 0 {
			n = uint32(C.rk_flatten(ct, &flat[0], count, false, 0, 0, l.skipPtr(), C.uint32_t(len(l.skip))))
		}
		root, _ = build(l, flat[:n], src, nil)
		reused = 0
	}
	t := &Tree{Root: root, lang: l, src: src, c: ct, reused: reused}
	runtime.AddCleanup(t, func(c unsafe.Pointer) { C.rk_tree_delete(c) }, unsafe.Pointer(ct))
	return t, nil
}

// editBetween describes the change from old to new as one replaced span of
// whole lines: the common prefix and suffix stay, the middle changed.
func editBetween(old, new []byte) C.TSInputEdit {
	p := 0
	for p < len(old) && p < len(new) && old[p] == new[p] {
		p++
	}
	s := 0
	for s < len(old)-p && s < len(new)-p && old[len(old)-1-s] == new[len(new)-1-s] {
		s++
	}
	// Whole lines: a byte-exact span can start or end inside a UTF-8
	// sequence, and tree-sitter then reuses a token whose decoding would
	// now run on into the edit (FuzzReparse: inserting after an incomplete
	// sequence split an identifier). Reparsing a line more costs nothing.
	p = bytes.LastIndexByte(old[:p], '\n') + 1
	if k := bytes.IndexByte(old[len(old)-s:], '\n'); k >= 0 {
		s -= k + 1
	} else {
		s = 0
	}
	return C.TSInputEdit{
		start_byte:    C.uint32_t(p),
		old_end_byte:  C.uint32_t(len(old) - s),
		new_end_byte:  C.uint32_t(len(new) - s),
		start_point:   pointAt(old, p),
		old_end_point: pointAt(old, len(old)-s),
		new_end_point: pointAt(new, len(new)-s),
	}
}

// pointAt is tree-sitter's (row, byte column) of offset off.
func pointAt(src []byte, off int) C.TSPoint {
	row, col := 0, 0
	for _, c := range src[:off] {
		if c == '\n' {
			row++
			col = 0
		} else {
			col++
		}
	}
	return C.TSPoint{row: C.uint32_t(row), column: C.uint32_t(col)}
}

// build turns the flat pre-order array into linked nodes using two slabs, so
// a file costs three allocations however many nodes it has. Nodes flagged
// RK_REUSED get their descendants copied from ru's old tree (how many is
// the second result); build returns nil if the old tree lacks one (the
// caller then flattens everything).
func build(l *Language, flat []C.rk_node, src []byte, ru *reuse) (*Node, int) {
	if len(flat) == 0 {
		return &Node{Kind: "source_file", Named: true}, 0
	}
	type taken struct {
		i int   // flat index
		o *Node // the old node whose descendants it takes
	}
	var olds []taken
	extra := 0
	for i := range flat {
		if flat[i].flags&C.RK_REUSED == 0 {
			continue
		}
		o := ru.find(kindOf(l, flat[i].symbol), int(flat[i].start), int(flat[i].end))
		if o == nil {
			return nil, 0
		}
		olds = append(olds, taken{i, o})
		extra += int(o.desc)
	}
	text := &source{s: string(src)}
	nodes := make([]Node, len(flat)+extra)
	nkids := make([]int32, len(flat))
	for i := range flat {
		if p := flat[i].parent; p >= 0 {
			nkids[p]++
		}
	}
	kids := make([]*Node, len(flat)+extra)
	off := 0
	for i := range flat {
		nodes[i].Children = kids[off : off : off+int(nkids[i])]
		off += int(nkids[i])
	}
	for i := range flat {
		f := &flat[i]
		nd := &nodes[i]
		nd.Kind = kindOf(l, f.symbol)
		if int(f.field) < len(l.fields) {
			nd.Field = l.fields[f.field]
		}
		nd.Start, nd.End = int(f.start), int(f.end)
		nd.Line, nd.Col = int(f.srow)+1, int(f.scol)+1
		nd.EndLine, nd.EndCol = int(f.erow)+1, int(f.ecol)+1
		nd.Named = f.flags&C.RK_NAMED != 0
		nd.Error = f.flags&(C.RK_ERROR|C.RK_MISSING) != 0
		nd.Missing = f.flags&C.RK_MISSING != 0
		if p := f.parent; p >= 0 {
			nd.Parent = &nodes[p]
			nodes[p].Children = append(nodes[p].Children, nd)
		}
		nd.text = text
	}
	// Pre-order: every node comes after its parent, so one backward pass
	// adds each subtree's size into its parent.
	for _, t := range olds {
		nodes[t.i].desc = t.o.desc
	}
	for i := len(flat) - 1; i > 0; i-- {
		if p := flat[i].parent; p >= 0 {
			nodes[p].desc += nodes[i].desc + 1
		}
	}
	c := copier{nodes: nodes[len(flat):], kids: kids[off:], text: text}
	for _, t := range olds {
		d := 0
		if int(flat[t.i].start) >= ru.hi {
			d = 1
		}
		c.copyBelow(&nodes[t.i], t.o, d*ru.dByte, d*ru.dRow)
	}
	return &nodes[0], extra
}

func kindOf(l *Language, sym C.TSSymbol) string {
	switch {
	case int(sym) < len(l.symbols):
		return l.symbols[sym]
	case sym == 0xFFFF: // ts_builtin_sym_error, outside the symbol table
		return "ERROR"
	}
	return ""
}
