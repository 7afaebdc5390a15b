// Package lines turns byte offsets into the 1-based line and byte column
// that findings and edits carry. config.mk edits, target specs and licence
// declarations all report places this way.
package lines

import "sort"

// Index holds the offsets at which a text's lines start.
type Index []int

// New indexes src's lines.
func New[T ~string | ~[]byte](src T) Index {
	x := Index{0}
	for i := 0; i < len(src); i++ {
		if src[i] == '\n' {
			x = append(x, i+1)
		}
	}
	return x
}

// Position is off's 1-based line and byte column; an offset before the
// text is on line 1.
func (x Index) Position(off int) (line, col int) {
	i := max(sort.Search(len(x), func(i int) bool { return x[i] > off })-1, 0)
	return i + 1, off - x[i] + 1
}

// Start is the offset of 1-based line n's first byte.
func (x Index) Start(n int) int { return x[n-1] }
