package bindings

import (
	"fmt"

	"modernc.org/cc/v4"
)

// typ lowers a C type. param applies C's parameter adjustments (arrays and
// functions decay to pointers).
func (l *lowerer) typ(t cc.Type, param bool) *Type { return l.typSkip(t, param, nil) }

// typSkip lowers t; when t is named by the typedef self (the typedef's own
// declaration) it lowers what the typedef names instead.
func (l *lowerer) typSkip(t cc.Type, param bool, self *cc.Declarator) *Type {
	if t == nil {
		return &Type{Kind: TOpaque, Prim: "<invalid>"}
	}
	if param {
		switch t.Kind() {
		case cc.Array:
			if at, ok := t.(*cc.ArrayType); ok {
				return l.pointerTo(at.Elem())
			}
		case cc.Function:
			return &Type{Kind: TPointer, Elem: l.typ(t, false), Size: l.ptrSize, Align: l.ptrSize}
		}
	}
	if d := t.Typedef(); d != nil && d != self && d.Name() != self.Name() && realFile(d.Position()) {
		td := l.typedef(d)
		return &Type{Kind: TNamed, Ref: td, Size: t.Size(), Align: int64(t.Align()), CName: td.CName}
	}
	switch x := t.(type) {
	case *cc.PredefinedType:
		return l.prim(x)
	case *cc.PointerType:
		return l.pointerTo(x.Elem())
	case *cc.ArrayType:
		return &Type{Kind: TArray, Elem: l.typ(x.Elem(), false), Len: x.Len(), Size: x.Size(), Align: int64(x.Align())}
	case *cc.FunctionType:
		return &Type{Kind: TFunc, Fn: l.sig(x), Size: l.ptrSize, Align: l.ptrSize}
	case ccRecord:
		tag := x.Tag()
		return l.recordRef(t, t.Kind() == cc.Union, tag.SrcStr())
	case *cc.EnumType:
		if e := l.enumOfType(x); e != nil && e.Name != "" {
			return &Type{Kind: TNamed, Ref: e, Size: t.Size(), Align: int64(t.Align()), CName: "enum " + e.Tag}
		}
		return l.prim(x.UnderlyingType())
	}
	return &Type{Kind: TOpaque, Prim: t.String(), Size: t.Size(), Align: int64(t.Align())}
}

func (l *lowerer) pointerTo(elem cc.Type) *Type {
	e := l.typ(elem, false)
	a := elem.Attributes()
	return &Type{Kind: TPointer, Elem: e, Const: a.IsConst(), Volatile: a.IsVolatile(), AddrSpace: a.AddressSpace(), Size: l.ptrSize, Align: l.ptrSize}
}

// recordRef lowers a reference to a struct or union: a tagged one by its
// tag (its definition may come later or never), an anonymous one in place.
func (l *lowerer) recordRef(t cc.Type, union bool, tag string) *Type {
	if tag == "" {
		r := l.anonRecord(t, "", union, Pos{})
		return &Type{Kind: TNamed, Ref: r, Size: r.Size, Align: r.Align}
	}
	r := l.tagged(t, union, tag)
	kw := "struct "
	if union {
		kw = "union "
	}
	return &Type{Kind: TNamed, Ref: r, Size: r.Size, Align: r.Align, CName: kw + tag}
}

// prim lowers an arithmetic type to the alias the generated file defines.
func (l *lowerer) prim(t cc.Type) *Type {
	if t == nil {
		t = l.ast.Int
	}
	size, align := t.Size(), int64(t.Align())
	if t.VectorSize() > 0 {
		return &Type{Kind: TOpaque, Prim: t.String(), Size: size, Align: align, CName: t.String()}
	}
	p := &Type{Kind: TPrim, Size: size, Align: align, CName: cBase(t)}
	switch t.Kind() {
	case cc.Void:
		return &Type{Kind: TVoid, CName: "void"}
	case cc.Bool:
		// Spelled in full: the kernel's typedef _Bool bool would make
		// a bare "bool" refer to itself.
		p.Prim = "::core::primitive::bool"
	case cc.Char:
		p.Prim, p.Signed = "c_char", l.u.CharSigned
	case cc.Enum:
		if et, ok := t.(*cc.EnumType); ok {
			return l.prim(et.UnderlyingType())
		}
		p.Prim, p.Signed = "c_int", true
	default:
		a, ok := primAliases[t.Kind()]
		if !ok {
			// __int128, long double, vectors, _Float128 ...: the layout is
			// right, the arithmetic is the user's business.
			return &Type{Kind: TOpaque, Prim: t.String(), Size: size, Align: align, CName: t.String()}
		}
		p.Prim, p.Signed = a.name, a.signed
	}
	if size < 0 {
		return &Type{Kind: TOpaque, Prim: fmt.Sprintf("%s (no size)", t), Size: 0, Align: 1, CName: t.String()}
	}
	return p
}

// primAliases are the aliases the generated file defines for C's
// arithmetic types (ctypes), and whether each is signed; char and _Bool are
// prim's own cases.
var primAliases = map[cc.Kind]struct {
	name   string
	signed bool
}{
	cc.SChar: {"c_schar", true}, cc.UChar: {"c_uchar", false},
	cc.Short: {"c_short", true}, cc.UShort: {"c_ushort", false},
	cc.Int: {"c_int", true}, cc.UInt: {"c_uint", false},
	cc.Long: {"c_long", true}, cc.ULong: {"c_ulong", false},
	cc.LongLong: {"c_longlong", true}, cc.ULongLong: {"c_ulonglong", false},
	cc.Float: {"c_float", false}, cc.Float32: {"c_float", false},
	cc.Double: {"c_double", false}, cc.Float64: {"c_double", false},
}
