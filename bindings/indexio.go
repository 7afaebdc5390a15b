package bindings

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"

	"github.com/rustko/rustko-lsp/bindings/index"
)

// The index file is read on every editor start and every warm generation,
// so it is a compact binary form rather than JSON or gob (which take
// 5-10 times longer for the ~35,000 items of the default headers): a string
// table that decodes with one allocation, then items whose strings are
// table references and whose numbers are varints.
//
//	"RKIX" uvarint(formatVersion) uvarint(index.Version)
//	uvarint(len(strings)) uvarint(len(blob)) blob {uvarint(len)}...
//	header: Kernel Arch BindingsFile uvarint(charUnsigned) uvarint(n) Headers...
//	uvarint(len(items)) item...
//
// Format 2 adds each field's declaration text and position; 3 whether
// plain char is unsigned.
const (
	indexMagic         = "RKIX"
	indexFormatVersion = 3
	maxIndexStrings    = 1 << 24
)

// writeIndexBytes encodes ix.
func writeIndexBytes(ix *index.Index) []byte {
	// About three distinct strings per item; sizing the table up front
	// saves rehashing, the largest cost of writing.
	e := &ixEncoder{ids: make(map[string]uint64, 3*len(ix.Items)+16), strs: make([]string, 1, 3*len(ix.Items)+16)}
	e.ids[""] = 0
	var body bytes.Buffer
	body.Grow(64 * len(ix.Items))
	e.w = &body
	e.str(ix.Kernel)
	e.str(ix.Arch)
	e.str(ix.BindingsFile)
	charUnsigned := uint64(0)
	if ix.CharUnsigned {
		charUnsigned = 1
	}
	e.uv(charUnsigned)
	e.uv(uint64(len(ix.Headers)))
	for _, h := range ix.Headers {
		e.str(h)
	}
	e.uv(uint64(len(ix.Items)))
	for _, it := range ix.Items {
		e.item(it)
	}
	var out bytes.Buffer
	out.WriteString(indexMagic)
	putUv(&out, indexFormatVersion)
	putUv(&out, uint64(index.Version))
	putUv(&out, uint64(len(e.strs)))
	blobLen := 0
	for _, s := range e.strs {
		blobLen += len(s)
	}
	putUv(&out, uint64(blobLen))
	for _, s := range e.strs {
		out.WriteString(s)
	}
	for _, s := range e.strs {
		putUv(&out, uint64(len(s)))
	}
	out.Write(body.Bytes())
	return out.Bytes()
}

type ixEncoder struct {
	w    *bytes.Buffer
	ids  map[string]uint64
	strs []string
}

func putUv(b *bytes.Buffer, v uint64) {
	var tmp [binary.MaxVarintLen64]byte
	b.Write(tmp[:binary.PutUvarint(tmp[:], v)])
}

func (e *ixEncoder) uv(v uint64) { putUv(e.w, v) }
func (e *ixEncoder) iv(v int64)  { putUv(e.w, uint64(v<<1)^uint64(v>>63)) }

func (e *ixEncoder) str(s string) {
	id, ok := e.ids[s]
	if !ok {
		id = uint64(len(e.strs))
		e.ids[s] = id
		e.strs = append(e.strs, s)
	}
	e.uv(id)
}

func (e *ixEncoder) item(it *index.Item) {
	e.str(it.Name)
	e.str(string(it.Kind))
	e.str(it.Decl)
	e.str(it.Pos.File)
	e.uv(uint64(it.Pos.Line))
	e.uv(uint64(it.Pos.Column))
	e.str(it.Rust)
	e.str(it.RustDecl)
	e.str(it.Why)
	e.iv(it.Size)
	e.iv(it.Align)
	e.uv(uint64(len(it.Fields)))
	for _, f := range it.Fields {
		e.str(f.Name)
		e.str(f.RustName)
		e.str(f.CType)
		e.iv(f.Offset)
		e.uv(uint64(f.BitOffset))
		e.uv(uint64(f.BitWidth))
		e.str(f.Decl)
		e.str(f.Pos.File)
		e.uv(uint64(f.Pos.Line))
		e.uv(uint64(f.Pos.Column))
	}
	e.uv(uint64(len(it.Params)))
	for _, p := range it.Params {
		e.str(p.Name)
		e.str(p.CType)
	}
	e.str(it.Result)
	flags := uint64(0)
	if it.Variadic {
		flags |= 1
	}
	if it.Verdict != nil {
		flags |= 2
	}
	e.uv(flags)
	e.str(string(it.Export))
	e.str(it.Value)
	e.str(it.ValueType)
	e.str(it.Expansion)
	if it.Verdict != nil {
		e.str(it.Verdict.Class)
		e.str(it.Verdict.Advice)
		e.str(it.Verdict.Target)
	}
}

// LoadIndex reads an index written by Generate. An index of another format
// or index.Version is an error telling the caller to regenerate, never a
// misread.
func LoadIndex(path string) (*index.Index, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the bindings index: %w (run `rustko-lsp bindgen` to create it)", err)
	}
	ix, err := decodeIndex(b)
	if err != nil {
		return nil, fmt.Errorf("bindings index %s: %w; run `rustko-lsp bindgen` to regenerate it", path, err)
	}
	return ix, nil
}

var errCorrupt = errors.New("corrupt or truncated")

type ixDecoder struct {
	b    []byte
	off  int
	strs []string
	err  error
}

func (d *ixDecoder) uv() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b[d.off:])
	if n <= 0 {
		d.err = errCorrupt
		return 0
	}
	d.off += n
	return v
}

func (d *ixDecoder) iv() int64 {
	u := d.uv()
	return int64(u>>1) ^ -int64(u&1)
}

func (d *ixDecoder) int() int {
	v := d.uv()
	if v > 1<<31 {
		d.err = errCorrupt
		return 0
	}
	return int(v)
}

func (d *ixDecoder) str() string {
	id := d.uv()
	if id >= uint64(len(d.strs)) {
		if d.err == nil {
			d.err = errCorrupt
		}
		return ""
	}
	return d.strs[id]
}

// count reads a list length and checks it against the bytes left, so a
// corrupt length cannot make the decoder allocate gigabytes.
func (d *ixDecoder) count(minBytes int) int {
	n := d.uv()
	if d.err == nil && n > uint64(len(d.b)-d.off)/uint64(minBytes) {
		d.err = errCorrupt
		return 0
	}
	return int(n)
}

func decodeIndex(b []byte) (*index.Index, error) {
	if len(b) < len(indexMagic) || string(b[:len(indexMagic)]) != indexMagic {
		return nil, errors.New("not a rustko bindings index")
	}
	d := &ixDecoder{b: b, off: len(indexMagic)}
	if f := d.uv(); d.err == nil && f != indexFormatVersion {
		return nil, fmt.Errorf("index format %d, this rustko-lsp reads format %d", f, indexFormatVersion)
	}
	if v := d.uv(); d.err == nil && v != uint64(index.Version) {
		return nil, fmt.Errorf("index version %d, this rustko-lsp reads version %d", v, index.Version)
	}
	n := d.count(1)
	blobLen := d.uv()
	if d.err != nil || n > maxIndexStrings || blobLen > uint64(len(b)-d.off) {
		return nil, errCorrupt
	}
	blob := string(b[d.off : d.off+int(blobLen)])
	d.off += int(blobLen)
	d.strs = make([]string, n)
	pos := 0
	for i := range d.strs {
		l := d.uv()
		if d.err != nil || l > uint64(len(blob)-pos) {
			return nil, errCorrupt
		}
		d.strs[i] = blob[pos : pos+int(l)]
		pos += int(l)
	}
	ix := &index.Index{Version: index.Version}
	ix.Kernel = d.str()
	ix.Arch = d.str()
	ix.BindingsFile = d.str()
	ix.CharUnsigned = d.uv() != 0
	nh := d.count(1)
	for i := 0; i < nh && d.err == nil; i++ {
		ix.Headers = append(ix.Headers, d.str())
	}
	ni := d.count(20)
	if d.err != nil {
		return nil, d.err
	}
	items := make([]index.Item, ni)
	ix.Items = make([]*index.Item, ni)
	for i := range items {
		it := &items[i]
		d.item(it)
		if d.err != nil {
			return nil, fmt.Errorf("item %d: %w", i, d.err)
		}
		ix.Items[i] = it
	}
	if d.off != len(d.b) {
		return nil, fmt.Errorf("%d bytes after the last item: %w", len(d.b)-d.off, errCorrupt)
	}
	return ix, nil
}

func (d *ixDecoder) item(it *index.Item) {
	it.Name = d.str()
	it.Kind = index.Kind(d.str())
	it.Decl = d.str()
	it.Pos.File = d.str()
	it.Pos.Line = d.int()
	it.Pos.Column = d.int()
	it.Rust = d.str()
	it.RustDecl = d.str()
	it.Why = d.str()
	it.Size = d.iv()
	it.Align = d.iv()
	if nf := d.count(6); nf > 0 {
		it.Fields = make([]index.Field, nf)
		for i := range it.Fields {
			f := &it.Fields[i]
			f.Name = d.str()
			f.RustName = d.str()
			f.CType = d.str()
			f.Offset = d.iv()
			f.BitOffset = d.int()
			f.BitWidth = d.int()
			f.Decl = d.str()
			f.Pos.File = d.str()
			f.Pos.Line = d.int()
			f.Pos.Column = d.int()
		}
	}
	if np := d.count(2); np > 0 {
		it.Params = make([]index.Param, np)
		for i := range it.Params {
			it.Params[i].Name = d.str()
			it.Params[i].CType = d.str()
		}
	}
	it.Result = d.str()
	flags := d.uv()
	it.Variadic = flags&1 != 0
	it.Export = index.Export(d.str())
	it.Value = d.str()
	it.ValueType = d.str()
	it.Expansion = d.str()
	if flags&2 != 0 {
		it.Verdict = &index.Verdict{Class: d.str(), Advice: d.str(), Target: d.str()}
	}
}
