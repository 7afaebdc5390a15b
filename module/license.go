package module

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// License is a module licence declaration found in source: the string the
// kernel reads from .modinfo, and where its text is, so diagnostics can
// point at it and quick fixes can replace exactly that text.
type License struct {
	Value string
	File  string
	// Line and Column (1-based; Column counts bytes) are where the licence
	// text starts; EndLine/EndColumn is just after its last byte. For
	// MODULE_LICENSE("GPL") the range covers GPL, not the quotes.
	Line, Column       int
	EndLine, EndColumn int
	Source             string // "MODULE_LICENSE" or ".modinfo" (a Rust link_section static)
}

func (l License) String() string {
	return fmt.Sprintf("%s:%d:%d: %s %q", l.File, l.Line, l.Column, l.Source, l.Value)
}

// ErrNoLicense means none of the files declares a licence: the kernel then
// treats the module as proprietary (taint, no GPL-only symbols).
var ErrNoLicense = errors.New("no module licence found")

// gplCompatible is the kernel's own list, from license_is_gpl_compatible()
// in include/linux/license.h; the kernel compares with strcmp, so case and
// spacing matter.
var gplCompatible = []string{
	"GPL",
	"GPL v2",
	"GPL and additional rights",
	"Dual BSD/GPL",
	"Dual MIT/GPL",
	"Dual MPL/GPL",
}

// GPLCompatible says whether the kernel treats licence string s as
// GPL-compatible: only then may the module link EXPORT_SYMBOL_GPL symbols
// without tainting the kernel. "MIT" alone is not.
func GPLCompatible(s string) bool {
	for _, g := range gplCompatible {
		if s == g {
			return true
		}
	}
	return false
}

// GPLCompatibleLicenses returns the kernel's list, for messages and fixes.
func GPLCompatibleLicenses() []string { return append([]string(nil), gplCompatible...) }

// DualLicense is the GPL-compatible licence a fix proposes for v: the
// author's licence kept and the GPL added, the way the kernel's own list
// spells it.
func DualLicense(v string) string {
	switch strings.ToUpper(strings.TrimSpace(v)) {
	case "MIT":
		return "Dual MIT/GPL"
	case "BSD":
		return "Dual BSD/GPL"
	case "MPL":
		return "Dual MPL/GPL"
	}
	return "GPL"
}

// ReadLicense returns the first licence declared in files, in the order
// given: MODULE_LICENSE("...") in C, or in Rust a #[link_section = ".modinfo"]
// static whose bytes hold license=.... When there is none the error wraps
// ErrNoLicense.
func ReadLicense(files []string) (*License, error) {
	all, err := ReadLicenses(files)
	if err != nil {
		return nil, err
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("%w in %s: add MODULE_LICENSE(\"GPL\") to the C shim (or another string from the kernel's list: %s)",
			ErrNoLicense, strings.Join(files, ", "), strings.Join(gplCompatible, ", "))
	}
	return &all[0], nil
}

// ReadLicenses returns every licence declaration in files, in file order
// then source order; more than one is worth a warning (the kernel reads the
// first in .modinfo, which depends on link order).
func ReadLicenses(files []string) ([]License, error) {
	var out []License
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("reading the module licence: %w", err)
		}
		switch strings.ToLower(filepath.Ext(f)) {
		case ".rs":
			out = append(out, rustLicenses(f, string(b))...)
		default:
			out = append(out, cLicenses(f, string(b))...)
		}
	}
	return out, nil
}

// cLicenses finds MODULE_LICENSE( "..." ... ) with adjacent literals
// concatenated, as the C compiler does.
func cLicenses(file, src string) []License {
	if !strings.Contains(src, "MODULE_LICENSE") {
		return nil // as in rustLicenses
	}
	toks := lexSource(src, false)
	var out []License
	lines := lineStarts(src)
	for i := 0; i+2 < len(toks); i++ {
		if toks[i].kind != tokIdent || toks[i].text != "MODULE_LICENSE" || toks[i+1].text != "(" {
			continue
		}
		j := i + 2
		var val []byte
		var offs []int
		for j < len(toks) && toks[j].kind == tokString {
			val = append(val, toks[j].val...)
			offs = append(offs, toks[j].offs...)
			j++
		}
		if j == i+2 || j >= len(toks) || toks[j].text != ")" {
			continue // not a literal argument: nothing to read without a preprocessor
		}
		// An empty literal still marks a place: between its quotes.
		start, end := toks[i+2].pos+1, toks[i+2].pos+1
		if len(offs) > 0 {
			start, end = offs[0], toks[j-1].end-1
		}
		out = append(out, newLicense(file, string(val), "MODULE_LICENSE", lines, start, end))
	}
	return out
}

// rustLicenses finds statics placed in .modinfo and reads license= from
// their bytes (string, byte-string and byte-char literals, concatenated).
func rustLicenses(file, src string) []License {
	if !strings.Contains(src, "link_section") {
		// The token is there only if the text is: skip lexing a file
		// that cannot match (a large one costs hundreds of MiB of tokens).
		return nil
	}
	toks := lexSource(src, true)
	lines := lineStarts(src)
	var out []License
	for i := 0; i+2 < len(toks); i++ {
		if toks[i].kind != tokIdent || toks[i].text != "link_section" || toks[i+1].text != "=" ||
			toks[i+2].kind != tokString || string(toks[i+2].val) != ".modinfo" {
			continue
		}
		// Gather the literals of the item the attribute is on, up to the
		// `;` that ends it.
		var val []byte
		var offs []int
		// Step past the rest of this attribute: `]`, or `)]` for
		// #[unsafe(link_section = "...")].
		j := i + 3
		for j < len(toks) && toks[j].text == ")" {
			j++
		}
		if j < len(toks) && toks[j].text == "]" {
			j++
		}
		depth := 0
		for ; j < len(toks); j++ {
			t := toks[j]
			switch t.text {
			case "[", "(", "{":
				depth++
			case "]", ")", "}":
				depth--
			}
			if t.kind == tokString || t.kind == tokChar {
				val = append(val, t.val...)
				offs = append(offs, t.offs...)
			}
			if t.text == ";" && depth <= 0 {
				break
			}
		}
		for _, entry := range modinfoEntries(val) {
			if entry.key != "license" {
				continue
			}
			start, end := entry.from, entry.to
			s, e := 0, 0
			if start < end {
				s, e = offs[start], offs[end-1]+1
			} else {
				s, e = offs[min(start, len(offs)-1)], offs[min(start, len(offs)-1)]
			}
			out = append(out, newLicense(file, string(val[start:end]), ".modinfo", lines, s, e))
		}
		i = j
	}
	return out
}

type modinfoEntry struct {
	key      string
	from, to int // value bytes
}

// modinfoEntries splits .modinfo bytes into key=value entries at NULs.
func modinfoEntries(b []byte) []modinfoEntry {
	var out []modinfoEntry
	at := 0
	for at < len(b) {
		end := bytes.IndexByte(b[at:], 0)
		if end < 0 {
			end = len(b)
		} else {
			end += at
		}
		if eq := bytes.IndexByte(b[at:end], '='); eq >= 0 {
			out = append(out, modinfoEntry{key: string(b[at : at+eq]), from: at + eq + 1, to: end})
		}
		at = end + 1
	}
	return out
}

func newLicense(file, value, source string, lines []int, start, end int) License {
	l := License{Value: value, File: file, Source: source}
	l.Line, l.Column = lineCol(lines, start)
	l.EndLine, l.EndColumn = lineCol(lines, end)
	return l
}

// lineStarts lists the offset of each line's first byte.
func lineStarts(src string) []int {
	starts := []int{0}
	for i := 0; i < len(src); i++ {
		if src[i] == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// lineCol converts a byte offset to 1-based line and byte column.
func lineCol(starts []int, off int) (int, int) {
	i := sort.Search(len(starts), func(i int) bool { return starts[i] > off }) - 1
	if i < 0 {
		i = 0
	}
	return i + 1, off - starts[i] + 1
}
