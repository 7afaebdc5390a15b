package syntax

import (
	"bytes"
	"sort"
)

// reuse says which top-level nodes of a reparsed file can take their
// subtrees from the previous Go tree: those wholly outside the dirty span
// [lo, hi). A top-level node before lo sits where it was; one at or after hi
// moved by dByte bytes and dRow rows and kept its columns, because the span
// is widened to whole lines.
type reuse struct {
	old         *Node
	lo, hi      int
	dByte, dRow int
}

// edit is one replaced span, in bytes, and the rows its ends moved by.
type edit struct {
	start, oldEnd, newEnd int
	dRow                  int
}

// newReuse widens the edit and tree-sitter's changed ranges (chLo, chHi;
// chLo > chHi when nothing changed structure) to whole lines of src.
func newReuse(old *Tree, src []byte, e edit, chLo, chHi int) *reuse {
	lo, hi := e.start, e.newEnd
	if chLo <= chHi {
		lo, hi = min(lo, chLo), max(hi, chHi)
	}
	lo = min(lo, len(src))
	hi = min(max(hi, lo), len(src))
	lo = bytes.LastIndexByte(src[:lo], '\n') + 1
	if nl := bytes.IndexByte(src[hi:], '\n'); nl >= 0 {
		hi += nl + 1
	} else {
		hi = len(src)
	}
	return &reuse{
		old:   old.Root,
		lo:    lo,
		hi:    hi,
		dByte: e.newEnd - e.oldEnd,
		dRow:  e.dRow,
	}
}

// find returns the old top-level node a reused node of kind at [start, end)
// stands for: same kind, same length, at its place before the edit.
func (ru *reuse) find(kind string, start, end int) *Node {
	if ru == nil || ru.old == nil {
		return nil
	}
	if start >= ru.hi {
		start, end = start-ru.dByte, end-ru.dByte
	}
	kids := ru.old.Children
	i := sort.Search(len(kids), func(i int) bool { return kids[i].Start >= start })
	for ; i < len(kids) && kids[i].Start == start; i++ {
		o := kids[i]
		if o.End == end && o.Kind == kind {
			return o
		}
	}
	return nil
}

// copier fills preallocated slabs with copies of old subtrees.
type copier struct {
	nodes []Node
	kids  []*Node
	text  *source
}

// copyBelow gives dst copies of old's descendants, moved by dByte bytes and
// dRow rows, dst (already built) being their new root. Recursion depth is
// bounded by the flattening's 4,096 levels.
func (c *copier) copyBelow(dst, old *Node, dByte, dRow int) {
	n := len(old.Children)
	mine := c.nodes[:n:n]
	c.nodes = c.nodes[n:]
	dst.Children = c.kids[:n:n]
	c.kids = c.kids[n:]
	for i, oc := range old.Children {
		nd := &mine[i]
		nd.Kind, nd.Field = oc.Kind, oc.Field
		nd.Start, nd.End = oc.Start+dByte, oc.End+dByte
		nd.Line, nd.Col = oc.Line+dRow, oc.Col
		nd.EndLine, nd.EndCol = oc.EndLine+dRow, oc.EndCol
		nd.Named, nd.Error, nd.Missing = oc.Named, oc.Error, oc.Missing
		nd.desc = oc.desc
		nd.Parent = dst
		nd.text = c.text
		dst.Children[i] = nd
	}
	for i, oc := range old.Children {
		if len(oc.Children) > 0 {
			c.copyBelow(&mine[i], oc, dByte, dRow)
		}
	}
}
