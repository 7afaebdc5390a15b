package bindings

import (
	"fmt"
	"sort"
	"strings"

	"modernc.org/cc/v4"
)

// tagged returns the record for struct/union tag, lowering its definition
// the first time. It is registered before its body is lowered so that
// pointer cycles (struct list_head *next) end.
func (l *lowerer) tagged(t cc.Type, union bool, tag string) *Record {
	key := tagKey(union, tag)
	if r, ok := l.records[key]; ok {
		return r
	}
	r := &Record{Tag: tag, Name: tag, Union: union, order: l.next(), Size: t.Size(), Align: int64(t.Align())}
	l.records[key] = r
	l.u.Records = append(l.u.Records, r)
	def := l.tagDefs[key]
	if def == nil || def.Type() == nil {
		r.Complete = false
		if rec, ok := t.(ccRecord); ok {
			r.Pos = l.pos(rec.Tag().Position())
		}
		kw := "struct"
		if union {
			kw = "union"
		}
		r.Decl = kw + " " + tag + ";"
		return r
	}
	r.Pos = l.pos(def.Position())
	l.body(r, def.Type())
	return r
}

// ccRecord is what cc/v4's struct and union types have in common.
type ccRecord interface {
	cc.Type
	Tag() cc.Token
	NumFields() int
	FieldByIndex(i int) *cc.Field
	FieldByName(name string) *cc.Field
}

// anonRecord lowers an anonymous struct or union. The same anonymous type
// reached twice (struct { ... } a, b;) is one record: its identity is the
// declarator of its first member, which every copy of the type shares.
func (l *lowerer) anonRecord(t cc.Type, name string, union bool, pos Pos) *Record {
	key := anonKey(t)
	if key != "" {
		if r, ok := l.records[key]; ok {
			if name != "" && r.Name == "" {
				r.Name = name
			}
			return r
		}
	}
	r := &Record{Name: name, Union: union, order: l.next(), Pos: pos}
	if key != "" {
		l.records[key] = r
	}
	if l.hint.parent != nil {
		r.parent, r.via = l.hint.parent, l.hint.member
	}
	l.u.Records = append(l.u.Records, r)
	l.body(r, t)
	if r.Pos.File == "" {
		r.Pos = r.firstMemberPos
	}
	if r.Pos.File == "" && r.parent != nil {
		// No named member to place it by: it sorts right after its parent.
		r.Pos = r.parent.Pos
	}
	return r
}

// anonKey identifies an anonymous record by the declarator of the first
// named member found depth first and the depth it was found at: a union
// whose first member is an anonymous struct finds the struct's first
// member one level deeper than the struct does.
func anonKey(t cc.Type) string {
	var first *cc.Declarator
	var walk func(t cc.Type, depth int) int
	walk = func(t cc.Type, depth int) int {
		rec, ok := t.(ccRecord)
		if !ok {
			return -1
		}
		for i := range rec.NumFields() {
			f := rec.FieldByIndex(i)
			if d := f.Declarator(); d != nil {
				first = d
				return depth
			}
			if d := walk(f.Type(), depth+1); d >= 0 {
				return d
			}
		}
		return -1
	}
	if depth := walk(t, 0); depth >= 0 {
		return fmt.Sprintf("anon %v %p %d", t.Kind(), first, depth)
	}
	return ""
}

// anonHint tells typ which member an anonymous type it meets belongs to.
type anonHint struct {
	parent *Record
	member string // C member name, "" for an anonymous member
}

// body collects a record's members with their C offsets. The Rust layout
// is decided later (layout), once every record it contains by value is
// known.
func (l *lowerer) body(r *Record, t cc.Type) {
	r.Size, r.Align = t.Size(), int64(t.Align())
	if t.IsIncomplete() {
		r.Complete = false
		return
	}
	r.Complete = true
	kw := "struct"
	if r.Union {
		kw = "union"
	}
	var decl strings.Builder
	if r.Tag != "" {
		fmt.Fprintf(&decl, "%s %s {\n", kw, r.Tag)
	} else {
		fmt.Fprintf(&decl, "%s {\n", kw)
	}
	defer func() {
		decl.WriteString("}")
		if r.Decl == "" {
			r.Decl = decl.String()
		}
	}()
	if r.Size < 0 {
		r.bad = fmt.Sprintf("the C front end computed size %d", r.Size)
		return
	}
	if r.Align <= 0 || r.Align&(r.Align-1) != 0 {
		r.bad = fmt.Sprintf("the C front end computed alignment %d", r.Align)
		return
	}
	n := 0
	rec, ok := t.(ccRecord)
	if ok {
		n = rec.NumFields()
	}
	unitOf := -1 // index in r.raw of the open bit-field unit
	for i := 0; i < n; i++ {
		f := rec.FieldByIndex(i)
		ft := f.Type()
		if ft == nil {
			r.bad = fmt.Sprintf("member %d has no type", i)
			return
		}
		name := f.Name()
		var at Pos
		if d := f.Declarator(); d != nil {
			if r.firstMemberPos.File == "" {
				r.firstMemberPos = l.pos(d.Position())
			}
			// The name, not the declarator's first '*': definition lands on it.
			at = l.pos(d.Position())
			if tok := d.NameTok(); name != "" && realFile(tok.Position()) {
				at = l.pos(tok.Position())
			}
		}
		mc, hasMC := l.memberConsts[f.Declarator()]
		spelled := memberDecl(ft, name, mc, hasMC)
		if f.IsBitfield() {
			width := int(f.ValueBits())
			fmt.Fprintf(&decl, "\t%s: %d;\n", spelled, width)
			if width == 0 {
				unitOf = -1 // a zero-width bit-field ends the run, as in gcc
				continue
			}
			if name == "" {
				// Unnamed padding bits stay in the run: the next named
				// bit-field may share their byte (struct fred_ss on 6.12+),
				// and a unit of its own would overlap this one.
				continue
			}
			abs := f.Offset()*8 + int64(f.OffsetBits())
			first, end := abs/8, (abs+int64(width)+7)/8
			prim := l.typ(ft, false)
			bf := Bitfield{CName: name, Name: name, Type: prim, Width: width, Signed: isSigned(ft),
				CType: cTypeName(ft), AbsOff: f.Offset(), UnitBits: f.OffsetBits(),
				Decl: fmt.Sprintf("%s: %d", spelled, width), Pos: at}
			if unitOf >= 0 && !r.Union {
				u := &r.raw[unitOf]
				if first <= u.Offset+u.Size {
					if end > u.Offset+u.Size {
						u.Size = end - u.Offset
					}
					bf.BitOff = int(abs - u.Offset*8)
					u.Bits = append(u.Bits, bf)
					continue
				}
			}
			bf.BitOff = int(abs - first*8)
			r.raw = append(r.raw, Member{Kind: MBitUnit, Offset: first, Size: end - first, Bits: []Bitfield{bf}, align: 1})
			unitOf = len(r.raw) - 1
			continue
		}
		unitOf = -1
		m := Member{Kind: MField, CName: name, Name: name, Offset: f.Offset(), CType: cTypeName(ft), Decl: spelled, Pos: at}
		saved := l.hint
		l.hint = anonHint{parent: r, member: name}
		m.Type = l.typ(ft, false)
		l.hint = saved
		if hasMC {
			mc.apply(m.Type)
		}
		if name == "" {
			switch ft.Kind() {
			case cc.Struct, cc.Union:
				m.AnonType = true
			default:
				// An unnamed member that is not a record is padding.
				continue
			}
		}
		m.Size = ft.Size()
		if at, ok := ft.(*cc.ArrayType); ok && (at.Len() <= 0 || f.IsFlexibleArrayMember()) {
			if at.Len() < 0 && !(f.IsFlexibleArrayMember() && i == n-1) {
				r.bad = fmt.Sprintf("member %s is an array of unknown length inside a complete %s", name, kw)
				return
			}
			m.FAM = true
			m.Size = 0
			if m.Type.Kind == TArray {
				m.Type.Len = 0
			}
		}
		if m.Size < 0 {
			r.bad = fmt.Sprintf("member %s has size %d", orAnon(name), m.Size)
			return
		}
		fmt.Fprintf(&decl, "\t%s;\n", spelled)
		r.raw = append(r.raw, m)
	}
}

func orAnon(name string) string {
	if name == "" {
		return "(anonymous)"
	}
	return name
}

func isSigned(t cc.Type) bool {
	if et, ok := t.(*cc.EnumType); ok {
		t = et.UnderlyingType()
	}
	return cc.IsIntegerType(t) && cc.IsSignedInteger(t)
}

// rustAlign is the alignment rustc gives t in the generated code. Every
// emitted type is made to have its C alignment, so this is the C one, read
// from the IR rather than the front end so hand-built IR works too.
func rustAlign(t *Type) int64 {
	switch t.Kind {
	case TArray:
		return rustAlign(t.Elem)
	case TNamed:
		switch x := t.Ref.(type) {
		case *Record:
			return x.Align
		case *Typedef:
			return rustAlign(x.Type)
		case *Enum:
			return x.Underlying.Align
		}
	}
	if t.Align <= 0 {
		return 1
	}
	return t.Align
}

// layout decides the Rust form of every record: members at their C offsets
// with explicit padding, repr(packed(N)) where C packs, repr(align(N))
// where C aligns beyond the members, and an opaque blob of the right size
// and alignment where Rust cannot express the C layout.
func (l *lowerer) layout() {
	for _, r := range l.u.Records {
		l.layoutRecord(r)
	}
}

func (l *lowerer) layoutRecord(r *Record) {
	if r.laid {
		return
	}
	r.laid = true
	if !r.Complete || r.bad != "" {
		return
	}
	raw := r.raw
	r.raw = nil
	// Records contained by value are laid out first: whether they need
	// repr(align) decides whether this one may be packed.
	for _, m := range raw {
		if m.Kind == MField {
			if dep := byValueRecord(m.Type); dep != nil {
				l.layoutRecord(dep)
			}
		}
	}
	if r.Union {
		l.layoutUnion(r, raw)
		return
	}
	sort.SliceStable(raw, func(i, j int) bool { return raw[i].Offset < raw[j].Offset })
	natural := int64(1)
	misaligned := false
	for i := range raw {
		m := &raw[i]
		if m.Kind == MField {
			m.align = rustAlign(m.Type)
		}
		natural = max(natural, m.align)
		if m.Offset%m.align != 0 {
			misaligned = true
		}
	}
	pack := int64(0)
	if misaligned || natural > r.Align {
		pack = r.Align
		for _, m := range raw {
			if a := min(m.align, pack); m.Offset%a != 0 {
				r.Opaque = fmt.Sprintf("member %s at offset %d is not aligned even to the record's alignment %d", orAnon(m.CName), m.Offset, pack)
				return
			}
		}
	}
	effective := natural
	if pack > 0 {
		effective = min(natural, pack)
	}
	if effective < r.Align {
		if pack > 0 {
			r.Opaque = fmt.Sprintf("packed and aligned(%d): Rust cannot combine repr(packed) with repr(align)", r.Align)
			return
		}
		r.ReprAlg = r.Align
	}
	if pack > 0 {
		for _, m := range raw {
			if m.Kind == MField && l.containsAlign(m.Type) {
				r.Opaque = fmt.Sprintf("packed, and member %s needs repr(align): Rust forbids that inside repr(packed)", orAnon(m.CName))
				return
			}
		}
		r.packN = pack
	}
	cur := int64(0)
	pads := 0
	var out []Member
	for _, m := range raw {
		if m.Offset < cur {
			r.Opaque = fmt.Sprintf("member %s at offset %d overlaps the member before it (ends at %d)", orAnon(m.CName), m.Offset, cur)
			return
		}
		if m.Offset > cur {
			pads++
			out = append(out, Member{Kind: MPad, Name: fmt.Sprintf("_pad%d", pads), Offset: cur, Size: m.Offset - cur, align: 1})
		}
		out = append(out, m)
		cur = m.Offset + m.Size
	}
	align := max(effective, r.ReprAlg)
	if cur > r.Size {
		r.Opaque = fmt.Sprintf("members end at %d, after the record's size %d", cur, r.Size)
		return
	}
	if roundUp(cur, align) != r.Size {
		pads++
		out = append(out, Member{Kind: MPad, Name: fmt.Sprintf("_pad%d", pads), Offset: cur, Size: r.Size - cur, align: 1})
	}
	r.Members = out
}

func (l *lowerer) layoutUnion(r *Record, raw []Member) {
	natural := int64(1)
	for i := range raw {
		m := &raw[i]
		if m.Kind == MField {
			m.align = rustAlign(m.Type)
		}
		natural = max(natural, m.align)
		if m.Offset != 0 {
			r.Opaque = fmt.Sprintf("union member %s at offset %d", orAnon(m.CName), m.Offset)
			return
		}
	}
	switch {
	case natural < r.Align:
		r.ReprAlg = r.Align
	case natural > r.Align:
		for _, m := range raw {
			if m.Kind == MField && l.containsAlign(m.Type) {
				r.Opaque = fmt.Sprintf("packed, and member %s needs repr(align): Rust forbids that inside repr(packed)", orAnon(m.CName))
				return
			}
		}
		r.packN = r.Align
	}
	maxSize := int64(0)
	for _, m := range raw {
		maxSize = max(maxSize, m.Size)
	}
	if maxSize > r.Size {
		r.Opaque = fmt.Sprintf("a member of %d bytes in a union of %d", maxSize, r.Size)
		return
	}
	if roundUp(maxSize, r.Align) != r.Size {
		raw = append(raw, Member{Kind: MPad, Name: "_pad1", Size: r.Size, align: 1})
	}
	r.Members = raw
}

func roundUp(n, a int64) int64 {
	if a <= 1 {
		return n
	}
	return (n + a - 1) / a * a
}

// byValueRecord is the record t embeds (through arrays and typedefs).
func byValueRecord(t *Type) *Record {
	for t != nil {
		switch t.Kind {
		case TArray:
			t = t.Elem
		case TNamed:
			switch x := t.Ref.(type) {
			case *Record:
				return x
			case *Typedef:
				t = x.Type
			default:
				return nil
			}
		default:
			return nil
		}
	}
	return nil
}

// containsAlign reports whether t, by value, is or contains a type the
// generated code marks repr(align(N)); rustc rejects those inside
// repr(packed) (E0588).
func (l *lowerer) containsAlign(t *Type) bool {
	for t != nil {
		switch t.Kind {
		case TArray:
			t = t.Elem
			continue
		case TOpaque:
			return t.Align > 8
		case TNamed:
			switch x := t.Ref.(type) {
			case *Typedef:
				t = x.Type
				continue
			case *Record:
				return l.recordContainsAlign(x)
			}
		}
		return false
	}
	return false
}

func (l *lowerer) recordContainsAlign(r *Record) bool {
	switch r.hasAln {
	case 1:
		return false
	case 2:
		return true
	}
	l.layoutRecord(r)
	r.hasAln = 1
	yes := false
	switch {
	case r.Opaque != "" || r.bad != "":
		yes = r.Align > 8
	case r.ReprAlg > 0:
		yes = true
	default:
		for _, m := range r.Members {
			if m.Kind == MField && l.containsAlign(m.Type) {
				yes = true
				break
			}
		}
	}
	if yes {
		r.hasAln = 2
	}
	return yes
}
