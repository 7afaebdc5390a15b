package objcheck

import (
	"debug/dwarf"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// srcLoc is a source position from the line table; Line 0 means unknown.
type srcLoc struct {
	File string
	Line int
	Col  int
}

// lineInfo answers "which source line is this machine code address" for a
// relocatable object, following inlining outwards so that code LTO pulled in
// from core is attributed to the user's line that called it.
type lineInfo struct {
	seqs   []lineSeq
	frames []inlineFrame
}

type lineRow struct {
	addr uint64
	loc  srcLoc
}

// lineSeq is one DW_LNE_end_sequence-terminated run of rows: one function
// section in an object compiled with -ffunction-sections.
type lineSeq struct {
	start, end uint64
	rows       []lineRow
}

// inlineFrame is a DW_TAG_inlined_subroutine: code in ranges was inlined
// from elsewhere at call.
type inlineFrame struct {
	ranges [][2]uint64
	depth  int
	call   srcLoc
}

// debugSections are the DWARF sections read; the rest are never needed for
// line and inlining information.
var debugSections = []string{
	"abbrev", "info", "line", "str", "ranges",
	"addr", "line_str", "str_offsets", "rnglists",
}

// loadLineInfo relocates the object's DWARF against l and indexes its line
// tables and inlined subroutines. An object without DWARF yields an empty
// lineInfo: findings then fall back to the crate root.
func loadLineInfo(o *object, l *layout) (*lineInfo, error) {
	data := map[string][]byte{}
	for i, s := range o.f.Sections {
		name, ok := strings.CutPrefix(s.Name, ".debug_")
		if !ok || !slices.Contains(debugSections, name) {
			continue
		}
		b, err := s.Data()
		if err != nil {
			return nil, fmt.Errorf("%s: reading %s: %w", o.path, s.Name, err)
		}
		if err := o.relocateDebug(i, b, l); err != nil {
			return nil, err
		}
		data[name] = b
	}
	li := &lineInfo{}
	if data["info"] == nil {
		return li, nil
	}
	d, err := dwarf.New(data["abbrev"], nil, nil, data["info"], data["line"], nil, data["ranges"], data["str"])
	if err != nil {
		return nil, fmt.Errorf("%s: reading DWARF: %w", o.path, err)
	}
	for _, name := range []string{"addr", "line_str", "str_offsets", "rnglists"} {
		if data[name] != nil {
			if err := d.AddSection(".debug_"+name, data[name]); err != nil {
				return nil, fmt.Errorf("%s: reading DWARF section .debug_%s: %w", o.path, name, err)
			}
		}
	}
	if err := li.index(d); err != nil {
		return nil, fmt.Errorf("%s: reading DWARF: %w", o.path, err)
	}
	return li, nil
}

// relocateDebug applies the relocations that target debug section sec to b.
// Only absolute types appear in line and info data; the PC-relative ones in
// .debug_frame are not needed and are left alone.
func (o *object) relocateDebug(sec int, b []byte, l *layout) error {
	for _, rs := range o.relas {
		if rs.target != o.f.Sections[sec] {
			continue
		}
		for _, r := range rs.entries {
			v := l.symValue(o.syms[r.sym]) + uint64(r.addend)
			var size uint64
			switch r.typ {
			case elf.R_X86_64_64:
				size = 8
			case elf.R_X86_64_32, elf.R_X86_64_32S:
				size = 4
			default:
				continue
			}
			if r.off > uint64(len(b)) || uint64(len(b))-r.off < size {
				return fmt.Errorf("%s: relocation %d in %s points outside %s", o.path, r.index, rs.sec.Name, rs.target.Name)
			}
			if size == 8 {
				binary.LittleEndian.PutUint64(b[r.off:], v)
			} else {
				binary.LittleEndian.PutUint32(b[r.off:], uint32(v))
			}
		}
	}
	return nil
}

func (li *lineInfo) index(d *dwarf.Data) error {
	r := d.Reader()
	for {
		cu, err := r.Next()
		if err != nil {
			return err
		}
		if cu == nil {
			break
		}
		if cu.Tag != dwarf.TagCompileUnit {
			r.SkipChildren()
			continue
		}
		// debug/dwarf leaves a name relative when the compiler wrote a
		// relative directory (gcc's DWARF 5 "src/../inc"); such names are
		// relative to the compilation directory, not to the module root.
		compDir, _ := cu.Val(dwarf.AttrCompDir).(string)
		var files []string
		lr, err := d.LineReader(cu)
		if err != nil {
			return err
		}
		if lr != nil {
			for _, f := range lr.Files() {
				name := ""
				if f != nil {
					name = inDir(compDir, f.Name)
				}
				files = append(files, name)
			}
			if err := li.readLines(lr, compDir); err != nil {
				return err
			}
		}
		if cu.Children {
			if err := li.readFrames(d, r, files); err != nil {
				return err
			}
		}
	}
	sort.Slice(li.seqs, func(i, j int) bool { return li.seqs[i].start < li.seqs[j].start })
	return nil
}

// inDir resolves a DWARF file name against its compilation directory.
func inDir(compDir, name string) string {
	if name == "" || filepath.IsAbs(name) || compDir == "" {
		return name
	}
	return filepath.Join(compDir, name)
}

func (li *lineInfo) readLines(lr *dwarf.LineReader, compDir string) error {
	var seq lineSeq
	var e dwarf.LineEntry
	for {
		if err := lr.Next(&e); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if e.EndSequence {
			seq.end = e.Address
			// Sequences for code the linker would discard keep address 0.
			if len(seq.rows) > 0 && seq.start >= layoutStart {
				li.seqs = append(li.seqs, seq)
			}
			seq = lineSeq{}
			continue
		}
		if len(seq.rows) == 0 {
			seq.start = e.Address
		}
		loc := srcLoc{Line: e.Line, Col: e.Column}
		if e.File != nil {
			loc.File = inDir(compDir, e.File.Name)
		}
		seq.rows = append(seq.rows, lineRow{addr: e.Address, loc: loc})
	}
}

// readFrames walks one compile unit's entries and records every inlined
// subroutine with its nesting depth.
func (li *lineInfo) readFrames(d *dwarf.Data, r *dwarf.Reader, files []string) error {
	depth := 1
	for depth > 0 {
		e, err := r.Next()
		if err != nil {
			return err
		}
		if e == nil {
			return nil
		}
		if e.Tag == 0 { // end of a sibling list
			depth--
			continue
		}
		if e.Tag == dwarf.TagInlinedSubroutine {
			f := inlineFrame{depth: depth}
			if idx, ok := e.Val(dwarf.AttrCallFile).(int64); ok && idx >= 0 && int(idx) < len(files) {
				f.call.File = files[idx]
			}
			if n, ok := e.Val(dwarf.AttrCallLine).(int64); ok {
				f.call.Line = int(n)
			}
			if n, ok := e.Val(dwarf.AttrCallColumn).(int64); ok {
				f.call.Col = int(n)
			}
			rg, err := d.Ranges(e)
			if err != nil {
				return err
			}
			f.ranges = rg
			if len(rg) > 0 {
				li.frames = append(li.frames, f)
			}
		}
		if e.Children {
			depth++
		}
	}
	return nil
}

// locate returns the inlining chain for addr, innermost first: the line
// table's row, then the call site of each enclosing inlined subroutine.
func (li *lineInfo) locate(addr uint64) []srcLoc {
	i := sort.Search(len(li.seqs), func(i int) bool { return li.seqs[i].end > addr })
	if i == len(li.seqs) || li.seqs[i].start > addr {
		return nil
	}
	rows := li.seqs[i].rows
	j := sort.Search(len(rows), func(j int) bool { return rows[j].addr > addr }) - 1
	// Line 0 marks compiler-made code; the nearest earlier real line is
	// what a person would blame.
	for j > 0 && rows[j].loc.Line == 0 {
		j--
	}
	// A row without a file name (a corrupt or hand-made table; no
	// compiler writes one) says nothing a person can open: the finding
	// goes where findings without a line go.
	if j < 0 || rows[j].loc.Line == 0 || rows[j].loc.File == "" {
		return nil
	}
	chain := []srcLoc{rows[j].loc}
	var in []inlineFrame
	for _, f := range li.frames {
		for _, rg := range f.ranges {
			if rg[0] <= addr && addr < rg[1] {
				in = append(in, f)
				break
			}
		}
	}
	sort.SliceStable(in, func(a, b int) bool { return in[a].depth > in[b].depth })
	for _, f := range in {
		if f.call.Line > 0 && f.call.File != "" {
			chain = append(chain, f.call)
		}
	}
	return chain
}

// sourceRoots decides which files are the user's: inside the module root
// when it is known, otherwise anything not from the Rust toolchain.
type sourceRoots struct {
	root string // absolute, cleaned; may be ""
}

func (s sourceRoots) abs(p string) string {
	if p == "" || filepath.IsAbs(p) || s.root == "" {
		return p
	}
	return filepath.Join(s.root, p)
}

func (s sourceRoots) isUser(p string) bool {
	p = s.abs(p)
	if p == "" {
		return false
	}
	if s.root != "" {
		rel, err := filepath.Rel(s.root, p)
		return err == nil && rel != ".." && !strings.HasPrefix(rel, "../")
	}
	return !IsToolchainPath(p)
}

// IsToolchainPath reports whether a DWARF file name is the Rust toolchain's
// (core, alloc, Cargo's registry) rather than the module's own code: rustup's
// remapped /rustc/<hash>/library, rust-src's rustlib/src, and Cargo's
// registry.
func IsToolchainPath(p string) bool {
	return strings.HasPrefix(p, "/rustc/") || strings.Contains(p, "/rustlib/src/") ||
		strings.Contains(p, "/.cargo/registry/") || strings.Contains(p, "/library/core/src/")
}
