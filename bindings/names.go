package bindings

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Naming rules (see doc.go for the user-facing summary):
//
//   - A C name becomes the same Rust name (struct file is file), as bindgen
//     does, so code written against bindgen's output keeps compiling.
//   - Rust keywords become raw identifiers (type -> r#type); the four that
//     cannot be raw (self, Self, super, crate) and "_" get a trailing "_".
//   - C keeps tags and ordinary identifiers apart, Rust does not: when a
//     struct, union or enum tag and a typedef of another type share a name,
//     the typedef keeps it (C code says that name without a keyword) and the
//     tag becomes struct_<tag>, union_<tag> or enum_<tag>.
//   - A typedef of a type with the same name (typedef struct foo foo) is the
//     type itself and generates nothing.
//   - An anonymous member is named after the first named field it holds:
//     u_<field> for a union, s_<field> for a struct. An anonymous type is
//     named <parent>__<member>; one declared with a typedef takes its name.
//   - The C type aliases the file defines (c_int ...) are reserved: a C
//     type with such a name gets a trailing "_".
//   - An object-like macro with the name of an enumerator is dropped when
//     it has the enumerator's value (the kernel's #define FOO FOO);
//     otherwise the macro keeps the name, because that is what the name
//     means in C after the #define, and the enumerator becomes <NAME>_enum.
//     A macro with the name of a function or variable becomes <NAME>_macro.
//   - Any remaining clash gets _1, _2 ... in output order, which is stable
//     for a given header set.

var rustKeywords = map[string]bool{}

func init() {
	for _, k := range strings.Fields(`as break const continue crate else enum extern false fn for if impl in let loop
		match mod move mut pub ref return self Self static struct super trait true type unsafe use where while
		async await dyn abstract become box do final macro override priv typeof unsized virtual yield try gen`) {
		rustKeywords[k] = true
	}
}

// rustIdent makes a C identifier a valid Rust identifier.
func rustIdent(name string) string {
	switch name {
	case "self", "Self", "super", "crate", "_":
		return name + "_"
	}
	if rustKeywords[name] {
		return "r#" + name
	}
	return name
}

// reservedTypes are the names the generated file defines itself.
var reservedTypes = map[string]bool{
	"c_char": true, "c_schar": true, "c_uchar": true, "c_short": true, "c_ushort": true, "c_int": true,
	"c_uint": true, "c_long": true, "c_ulong": true, "c_longlong": true, "c_ulonglong": true,
	"c_float": true, "c_double": true, "c_void": true,
}

type namer struct {
	types  map[string]bool
	values map[string]bool
}

func (n *namer) claim(space map[string]bool, name string) string {
	base := name
	for i := 1; space[name]; i++ {
		name = fmt.Sprintf("%s_%d", base, i)
	}
	space[name] = true
	return name
}

// assignNames gives every item its Rust name. It runs after selection so
// that only emitted items compete for names.
func (u *Unit) assignNames() {
	n := &namer{types: map[string]bool{}, values: map[string]bool{}}
	for k := range reservedTypes {
		n.types[k] = true
	}
	// Typedefs first: C code spells them bare, so they keep their name.
	typedefNames := map[string]bool{}
	for _, td := range u.Typedefs {
		if !td.reached {
			continue
		}
		if r, ok := td.Type.Ref.(*Record); td.Same && ok && r.Tag == td.CName {
			continue
		}
		if e, ok := td.Type.Ref.(*Enum); td.Same && ok && e.Tag == td.CName {
			continue
		}
		typedefNames[td.CName] = true
	}
	for _, td := range u.Typedefs {
		if !td.reached || td.Same {
			continue
		}
		name := td.CName
		if reservedTypes[name] {
			name += "_"
		}
		td.Name = n.claim(n.types, rustIdent(name))
	}
	for _, r := range u.Records {
		if !r.reached || r.Tag == "" {
			continue
		}
		name := r.Tag
		if typedefNames[name] || reservedTypes[name] {
			kw := "struct_"
			if r.Union {
				kw = "union_"
			}
			name = kw + name
		}
		r.Name = n.claim(n.types, rustIdent(name))
	}
	for _, e := range u.Enums {
		if !e.reached || e.Name == "" {
			continue
		}
		name := e.Name
		if e.Tag != "" && e.Name == e.Tag && (typedefNames[name] || reservedTypes[name]) {
			name = "enum_" + name
		}
		e.Name = n.claim(n.types, rustIdent(name))
	}
	for _, r := range u.Records {
		if r.reached && r.Tag == "" && r.Name != "" {
			u.anonName(n, r)
		}
	}
	for _, r := range u.Records {
		if r.reached && r.Tag == "" {
			u.anonName(n, r)
		}
	}
	// Typedefs that name a record or enum of their own: the record or
	// enum carries the typedef's name (typedef struct {...} foo_t).
	for _, td := range u.Typedefs {
		if td.Same {
			td.Name = td.Type.Ref.rustName()
		}
	}
	for _, r := range u.Records {
		if r.reached {
			nameMembers(r)
		}
	}
	// Values: functions and variables, then enumerators, then macros.
	for _, f := range u.Functions {
		if f.reached {
			f.Name = n.claim(n.values, rustIdent(f.CName))
		}
	}
	for _, v := range u.Variables {
		if v.reached {
			v.Name = n.claim(n.values, rustIdent(v.CName))
		}
	}
	enumValue := map[string]Value{}
	for _, e := range u.Enums {
		if e.reached {
			for _, c := range e.Consts {
				enumValue[c.CName] = c.Value
			}
		}
	}
	for _, m := range u.Macros {
		if !m.emit {
			continue
		}
		if v, ok := enumValue[m.CName]; ok && v.C() == m.Value.C() {
			m.emit = false
			m.Why = "same as the enumerator " + m.CName
			m.Name = m.CName
			continue
		}
		name := m.CName
		if n.values[rustIdent(name)] {
			name += "_macro"
		}
		m.Name = n.claim(n.values, rustIdent(name))
	}
	for _, e := range u.Enums {
		if !e.reached {
			continue
		}
		for i := range e.Consts {
			c := &e.Consts[i]
			name := c.CName
			if n.values[rustIdent(name)] {
				name += "_enum"
			}
			c.Name = n.claim(n.values, rustIdent(name))
		}
	}
}

// anonName names an anonymous record: by its typedef, or after its place
// of use (the parent is named first).
func (u *Unit) anonName(n *namer, r *Record) string {
	if r.named {
		return r.Name
	}
	r.named = true
	if r.Name != "" {
		r.Name = n.claim(n.types, rustIdent(r.Name))
		return r.Name
	}
	var base string
	switch {
	case r.parent != nil:
		parent := r.parent.Name
		if r.parent.Tag == "" {
			parent = u.anonName(n, r.parent)
		}
		via := r.via
		if via == "" {
			via = anonMemberName(r)
		}
		base = parent + "__" + via
	case r.via != "":
		base = r.via + "__type"
	default:
		base = fmt.Sprintf("anon_%s_%d", strings.TrimSuffix(filepath.Base(r.Pos.File), ".h"), r.Pos.Line)
	}
	base = strings.Map(func(c rune) rune {
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			return c
		}
		return '_'
	}, base)
	r.Name = n.claim(n.types, base)
	return r.Name
}

// anonMemberName is the Rust name of an anonymous member whose type is r.
func anonMemberName(r *Record) string {
	prefix := "s_"
	if r.Union {
		prefix = "u_"
	}
	if leaf := firstLeaf(r, 0); leaf != "" {
		return prefix + leaf
	}
	return prefix + "anon"
}

func firstLeaf(r *Record, depth int) string {
	if depth > 16 {
		return ""
	}
	members := r.Members
	if len(members) == 0 {
		members = r.raw
	}
	for _, m := range members {
		switch {
		case m.Kind == MField && m.CName != "":
			return m.CName
		case m.Kind == MField && m.AnonType:
			if sub := byValueRecord(m.Type); sub != nil {
				if s := firstLeaf(sub, depth+1); s != "" {
					return s
				}
			}
		case m.Kind == MBitUnit:
			for _, b := range m.Bits {
				if b.CName != "" {
					return b.CName
				}
			}
		}
	}
	return ""
}

// nameMembers names fields, anonymous members, storage units and accessors.
func nameMembers(r *Record) {
	used := map[string]bool{}
	claim := func(name string) string {
		base := name
		for i := 1; used[name]; i++ {
			name = fmt.Sprintf("%s_%d", base, i)
		}
		used[name] = true
		return name
	}
	for _, m := range r.Members {
		if m.Kind == MField && m.CName != "" {
			used[rustIdent(m.CName)] = true
		}
	}
	units := 0
	methods := map[string]bool{}
	for i := range r.Members {
		m := &r.Members[i]
		switch m.Kind {
		case MField:
			if m.CName != "" {
				m.Name = rustIdent(m.CName)
			} else if sub := byValueRecord(m.Type); sub != nil {
				m.Name = claim(anonMemberName(sub))
			} else {
				m.Name = claim("anon")
			}
		case MPad:
			m.Name = claim(m.Name)
		case MBitUnit:
			units++
			m.Name = claim(fmt.Sprintf("_rk_bitfield%d", units))
			for j := range m.Bits {
				b := &m.Bits[j]
				name := b.CName
				for methods[name] || methods["set_"+name] {
					name += "_"
				}
				methods[name], methods["set_"+name] = true, true
				b.Name = rustIdent(name)
			}
		}
	}
}
