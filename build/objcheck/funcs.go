package objcheck

import (
	"debug/elf"
	"sort"
)

// funcRange is a function's code within its section.
type funcRange struct {
	name       string
	start, end uint64
}

// funcIndex finds the function an offset of a code section belongs to.
type funcIndex map[int][]funcRange // section index -> functions sorted by start

func newFuncIndex(o *object) funcIndex {
	fi := funcIndex{}
	for _, s := range o.syms[1:] {
		t := elf.ST_TYPE(s.Info)
		if t != elf.STT_FUNC || s.Section == elf.SHN_UNDEF || int(s.Section) >= len(o.f.Sections) {
			continue
		}
		fi[int(s.Section)] = append(fi[int(s.Section)], funcRange{name: s.Name, start: s.Value, end: s.Value + s.Size})
	}
	for sec, fs := range fi {
		sort.Slice(fs, func(i, j int) bool { return fs[i].start < fs[j].start })
		fi[sec] = fs
	}
	return fi
}

// ranges splits a code section of size n into the spans to decode one at a
// time: each function, and the gaps between them (padding, or code without
// a symbol). Decoding restarts at every function so one undecodable byte
// cannot shift the instruction boundaries of the next function.
func (fi funcIndex) ranges(sec int, n uint64) []funcRange {
	var out []funcRange
	at := uint64(0)
	for _, f := range fi[sec] {
		if f.start < at || f.start >= n {
			continue // aliases and overlapping symbols
		}
		if f.start > at {
			out = append(out, funcRange{start: at, end: f.start})
		}
		end := min(max(f.end, f.start+1), n)
		out = append(out, funcRange{name: f.name, start: f.start, end: end})
		at = end
	}
	if at < n {
		out = append(out, funcRange{start: at, end: n})
	}
	return out
}

// at names the function holding offset off of section sec ("" if none).
func (fi funcIndex) at(sec int, off uint64) string {
	fs := fi[sec]
	i := sort.Search(len(fs), func(i int) bool { return fs[i].start > off }) - 1
	for ; i >= 0; i-- {
		if off < fs[i].end || (fs[i].end == fs[i].start && off == fs[i].start) {
			return fs[i].name
		}
		if fs[i].end <= off {
			break
		}
	}
	return ""
}
