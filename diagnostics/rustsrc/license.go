package rustsrc

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rustko/rustko-lsp/bindings/clex"
	"github.com/rustko/rustko-lsp/internal/lines"
	"github.com/rustko/rustko-lsp/module"
)

// ErrNoLicense means none of the files declares a licence: the kernel then
// treats the module as proprietary (taint, no GPL-only symbols).
var ErrNoLicense = errors.New("no module licence found")

// ReadLicense returns the first licence declared in files, in the order
// given: MODULE_LICENSE("...") in C, or in Rust a #[link_section = ".modinfo"]
// static whose bytes hold license=.... When there is none the error wraps
// ErrNoLicense.
func ReadLicense(files []string) (*module.License, error) {
	all, err := ReadLicenses(files)
	if err != nil {
		return nil, err
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("%w in %s: add MODULE_LICENSE(\"GPL\") to the C shim (or another string from the kernel's list: %s)",
			ErrNoLicense, strings.Join(files, ", "), strings.Join(module.GPLCompatibleLicenses(), ", "))
	}
	return &all[0], nil
}

// ReadLicenses returns every licence declaration in files, in file order
// then source order; more than one is worth a warning (the kernel reads the
// first in .modinfo, which depends on link order).
func ReadLicenses(files []string) ([]module.License, error) {
	var out []module.License
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("reading the module licence: %w", err)
		}
		switch strings.ToLower(filepath.Ext(f)) {
		case ".rs":
			out = append(out, rustLicenses(f, b)...)
		default:
			out = append(out, cLicenses(f, b)...)
		}
	}
	return out, nil
}

// cLicenses finds MODULE_LICENSE( "..." ... ) with adjacent literals
// concatenated, as the C compiler does.
func cLicenses(file string, src []byte) []module.License {
	if !bytes.Contains(src, []byte("MODULE_LICENSE")) {
		return nil // as in rustLicenses
	}
	pos := newPositions(file, src)
	toks := cTokens(src, pos)
	// plain is a literal without an encoding prefix (L"..", u8".."), the
	// only kind read: a licence is never spelled otherwise.
	plain := func(t clex.Token) bool { return t.Kind == clex.String && t.Text[0] == '"' }
	var out []module.License
	for i := 0; i+2 < len(toks); i++ {
		if toks[i].Kind != clex.Ident || toks[i].Text != "MODULE_LICENSE" || toks[i+1].Text != "(" {
			continue
		}
		j := i + 2
		var val []byte
		var offs []int
		end := 0 // after the last literal's closing quote
		for ; j < len(toks) && plain(toks[j]); j++ {
			lit := unquote(src, '"', pos.offset(toks[j])+1, false)
			val = append(val, lit.val...)
			offs = append(offs, lit.offs...)
			end = lit.end
		}
		if j == i+2 || j >= len(toks) || toks[j].Text != ")" {
			continue // not a literal argument: nothing to read without a preprocessor
		}
		// An empty literal still marks a place: between its quotes.
		start, stop := pos.offset(toks[i+2])+1, pos.offset(toks[i+2])+1
		if len(offs) > 0 {
			start, stop = offs[0], end-1
		}
		out = append(out, pos.license(string(val), "MODULE_LICENSE", start, stop))
	}
	return out
}

// cTokens is src's tokens outside preprocessor lines: a MODULE_LICENSE
// inside a #define is not the module's licence. A line is a directive when
// its first token is #, wherever the newline before it was (after a
// comment, or an unterminated quote, which clex takes with its newline).
func cTokens(src []byte, pos positions) []clex.Token {
	var out []clex.Token
	prevEnd, skipTo := 0, 0
	for i, t := range clex.Lex(string(src)) {
		at := pos.offset(t)
		bol := i == 0 || bytes.IndexByte(src[prevEnd:at], '\n') >= 0
		prevEnd = at + len(strings.TrimSuffix(t.Text, "\n"))
		switch {
		case at < skipTo:
		case bol && t.Text[0] == '#':
			skipTo = directiveEnd(src, at)
		default:
			out = append(out, t)
		}
	}
	return out
}

// directiveEnd is where the preprocessor line starting at i ends: at the
// first newline that neither a backslash escapes nor a /* comment holds.
// Quotes start no literal there (#warning this won't build).
func directiveEnd(src []byte, i int) int {
	for i < len(src) && src[i] != '\n' {
		switch {
		case bytes.HasPrefix(src[i:], []byte("\\\n")):
			i += 2
		case bytes.HasPrefix(src[i:], []byte("/*")):
			end := bytes.Index(src[i+2:], []byte("*/"))
			if end < 0 {
				return len(src)
			}
			i += end + 4
		default:
			i++
		}
	}
	return i
}

// rustLicenses finds statics placed in .modinfo and reads license= from
// their bytes (string, byte-string and byte-char literals, concatenated).
func rustLicenses(file string, src []byte) []module.License {
	if !bytes.Contains(src, []byte("link_section")) {
		// The token is there only if the text is: skip lexing a file
		// that cannot match (a large one costs hundreds of MiB of tokens).
		return nil
	}
	toks := rustTokens(src)
	pos := newPositions(file, src)
	var out []module.License
	for i := 0; i+2 < len(toks); i++ {
		if toks[i].text != "link_section" || toks[i+1].text != "=" ||
			toks[i+2].kind != lexString || string(toks[i+2].val) != ".modinfo" {
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
			if t.kind != lexWord {
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
			out = append(out, pos.license(string(val[start:end]), ".modinfo", s, e))
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

// positions are the offsets where a file's lines start, to turn byte
// offsets into the 1-based lines and byte columns a License holds.
type positions struct {
	file  string
	lines lines.Index
}

func newPositions(file string, src []byte) positions {
	return positions{file: file, lines: lines.New(src)}
}

// offset is where clex token t starts.
func (p positions) offset(t clex.Token) int { return p.lines.Start(t.Line) + t.Col - 1 }

func (p positions) license(value, source string, start, end int) module.License {
	l := module.License{Value: value, File: p.file, Source: source}
	l.Line, l.Column = p.lines.Position(start)
	l.EndLine, l.EndColumn = p.lines.Position(end)
	return l
}
