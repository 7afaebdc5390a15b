package bindings

import (
	"fmt"
	"strings"
)

// The oracle's function and variable checks: the type each extern function
// or variable gets in Rust is spelled back in C from the IR the Rust was
// written from, and gcc says whether it is the type the header declares
// (__builtin_types_compatible_p, which compares parameter types after C's
// adjustments, as the calling convention does).

var cPrims = map[string]string{
	"c_char": "char", "c_schar": "signed char", "c_uchar": "unsigned char",
	"c_short": "short", "c_ushort": "unsigned short", "c_int": "int", "c_uint": "unsigned int",
	"c_long": "long", "c_ulong": "unsigned long", "c_longlong": "long long", "c_ulonglong": "unsigned long long",
	"c_float": "float", "c_double": "double", "::core::primitive::bool": "_Bool",
}

// irCType spells t as a C type name, or "" when the IR does not say enough
// (an anonymous record C cannot name). Declarators are avoided by nesting
// __typeof__, so any type reads the same way.
func irCType(t *Type, typedefOf map[*Record]string, depth int) string {
	if t == nil {
		return "void"
	}
	if depth > 16 {
		return ""
	}
	wrap := func(s string) string { return "__typeof__(" + s + ")" }
	switch t.Kind {
	case TVoid:
		return "void"
	case TPrim:
		return cPrims[t.Prim]
	case TPointer:
		e := irCType(t.Elem, typedefOf, depth+1)
		if e == "" {
			return ""
		}
		q := ""
		if t.Const {
			q = "const "
		}
		if t.Volatile {
			q += "volatile "
		}
		if t.AddrSpace != "" {
			q += t.AddrSpace + " "
		}
		return wrap(q + wrap(e) + " *")
	case TArray:
		e := irCType(t.Elem, typedefOf, depth+1)
		if e == "" {
			return ""
		}
		n := ""
		if t.Len >= 0 {
			n = fmt.Sprint(t.Len)
		}
		return wrap(wrap(e) + "[" + n + "]")
	case TFunc:
		return irFuncType(t.Fn, typedefOf, depth+1)
	case TNamed:
		switch r := t.Ref.(type) {
		case *Record:
			return cSpelling(nil, r, typedefOf, 0)
		case *Enum:
			if r.Tag != "" {
				return "enum " + r.Tag
			}
		case *Typedef:
			return r.CName
		}
		return ""
	case TOpaque:
		return t.CName
	}
	return ""
}

func irFuncType(s *FuncSig, typedefOf map[*Record]string, depth int) string {
	ret := irCType(s.Result, typedefOf, depth+1)
	if ret == "" {
		return ""
	}
	var ps []string
	for _, p := range s.Params {
		c := irCType(p.Type, typedefOf, depth+1)
		if c == "" {
			return ""
		}
		ps = append(ps, "__typeof__("+c+")")
	}
	switch {
	case s.NoProto:
		ps = nil
	case s.Variadic:
		ps = append(ps, "...")
	case len(ps) == 0:
		ps = []string{"void"}
	}
	return "__typeof__(__typeof__(" + ret + ") (" + strings.Join(ps, ", ") + "))"
}

// signatures adds one check per reached function and variable: their C
// type, as the Rust declaration has it, is the declared one.
func (o *oracle) signatures(u *Unit, typedefOf map[*Record]string, shadowed map[string]bool) {
	for _, f := range u.Functions {
		if !f.reached || shadowed[f.CName] {
			continue
		}
		// C adjusts an array or function parameter to a pointer, and gcc
		// adjusts the spelled type too: the IR must have done it itself, or
		// Rust passes the array by value.
		for i, p := range f.Sig.Params {
			if k := resolvedKind(p.Type); k == TArray || k == TFunc {
				o.int(fmt.Sprintf("parameter %d of function %s is adjusted to a pointer, not %s", i, f.CName, irCType(p.Type, typedefOf, 0)), "0", 1)
			}
		}
		c := irFuncType(f.Sig, typedefOf, 0)
		if c == "" {
			o.skipped++
			continue
		}
		o.int("type of function "+f.CName+" is "+c, fmt.Sprintf("__builtin_types_compatible_p(__typeof__(%s), %s)", f.CName, c), 1)
	}
	for _, td := range u.Typedefs {
		if !td.reached || td.Same || shadowed[td.CName] {
			continue
		}
		c := irCType(td.Type, typedefOf, 0)
		if c == "" {
			o.skipped++
			continue
		}
		o.int("typedef "+td.CName+" is "+c, fmt.Sprintf("__builtin_types_compatible_p(%s, %s)", td.CName, c), 1)
	}
	// Member types: layouts say where a member is, not what it is (the
	// signedness of an integer, a callback's parameters).
	for _, r := range u.Records {
		if !r.reached || !r.Complete || r.bad != "" || r.Opaque != "" {
			continue
		}
		s := cSpelling(u, r, typedefOf, 0)
		if s == "" {
			continue
		}
		for _, m := range r.Members {
			if m.Kind != MField || m.CName == "" || m.AnonType {
				continue
			}
			c := irCType(m.Type, typedefOf, 0)
			if c == "" {
				o.skipped++
				continue
			}
			o.int("type of "+s+"."+m.CName+" is "+c, fmt.Sprintf("__builtin_types_compatible_p(__typeof__(((%s *)0)->%s), %s)", s, m.CName, c), 1)
		}
	}
	// What Rust calls an enum type is its underlying integer type: gcc's
	// choice of size and signedness (unsigned when no value is negative, wider
	// for values past int, narrower when packed).
	for _, e := range u.Enums {
		if !e.reached || e.Tag == "" || e.Incomplete || e.Underlying == nil {
			continue
		}
		o.int("sizeof enum "+e.Tag, "sizeof(enum "+e.Tag+")", uint64(e.Underlying.Size))
		signed := uint64(0)
		if e.Underlying.Signed {
			signed = 1
		}
		o.int("enum "+e.Tag+" is signed", "((enum "+e.Tag+")-1 < 0)", signed)
	}
	for _, v := range u.Variables {
		if !v.reached || shadowed[v.CName] {
			continue
		}
		c := irCType(v.Type, typedefOf, 0)
		if c == "" {
			o.skipped++
			continue
		}
		o.int("type of variable "+v.CName+" is "+c, fmt.Sprintf("__builtin_types_compatible_p(__typeof__(%s), %s)", v.CName, c), 1)
		// Rust's static or static mut: whether the object itself is const
		// (type compatibility ignores that qualifier).
		isConst := uint64(0)
		if v.Const {
			isConst = 1
		}
		o.int("variable "+v.CName+" is const", fmt.Sprintf("_Generic(&(%s), const __typeof__(%s) *: 1, default: 0)", v.CName, v.CName), isConst)
	}
}

// resolvedKind is t's kind through typedefs.
func resolvedKind(t *Type) TypeKind {
	for i := 0; t != nil && t.Kind == TNamed && i < 32; i++ {
		td, ok := t.Ref.(*Typedef)
		if !ok {
			break
		}
		t = td.Type
	}
	if t == nil {
		return TVoid
	}
	return t.Kind
}
