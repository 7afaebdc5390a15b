package bindings

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/rustko/rustko-lsp/bindings/index"
	"github.com/rustko/rustko-lsp/module"
)

// maxRustDeclLines bounds the Rust text stored per item: hover shows the
// start of a record, and the index must stay small enough to load fast.
const maxRustDeclLines = 40

type indexMeta struct {
	release, arch string
	bindingsFile  string
	symvers       *module.Symvers
	rel           func(string) string
	configured    func(Pos) bool
}

// buildIndex records every C name the headers declared, emitted or not.
func buildIndex(u *Unit, w *rustWriter, m indexMeta) *index.Index {
	ix := &index.Index{
		Version:      index.Version,
		Kernel:       m.release,
		Arch:         m.arch,
		CharUnsigned: !u.CharSigned,
		Headers:      append([]string(nil), u.Headers...),
		BindingsFile: m.bindingsFile,
	}
	type entry struct {
		pos Pos
		it  *index.Item
	}
	var es []entry
	add := func(p Pos, it *index.Item) {
		it.Pos = indexPos(p)
		es = append(es, entry{p, it})
	}
	notSelected := func(p Pos) string {
		if p.File == "" {
			return "not used by the configured headers"
		}
		return fmt.Sprintf("declared in %s, which is not among the configured headers and none of their types reach it (add the header to KERNEL_INCLUDE)", m.rel(p.File))
	}
	for _, r := range u.Records {
		if r.Tag == "" {
			continue
		}
		it := &index.Item{Name: r.Tag, Kind: index.Struct, Decl: recordDecl(r)}
		if r.Union {
			it.Kind = index.Union
		}
		recordInfo(it, r, w)
		if !r.reached {
			it.Why = notSelected(r.Pos)
		}
		add(r.Pos, it)
	}
	for _, e := range u.Enums {
		if e.Tag != "" {
			it := &index.Item{Name: e.Tag, Kind: index.Enum, Decl: e.Decl, ValueType: e.Underlying.CName}
			if e.reached {
				it.Rust = e.Name
				it.RustDecl = w.rustDecl(e)
			} else {
				it.Why = notSelected(e.Pos)
			}
			if e.Incomplete {
				it.Why = "declared, never defined in these headers: its values are unknown and unsigned int is assumed"
			}
			add(e.Pos, it)
		}
		ctype := "enum " + e.Tag
		if e.Tag == "" {
			ctype = e.Underlying.CName
			if e.Name != "" {
				ctype = e.Name
			}
		}
		for _, c := range e.Consts {
			it := &index.Item{Name: c.CName, Kind: index.EnumConstant, Value: c.Value.Rust(), ValueType: ctype,
				Decl: fmt.Sprintf("%s = %s", c.CName, c.Value.C())}
			if e.reached {
				it.Rust = c.Name
				typ := e.Name
				if typ == "" {
					typ = w.ty(e.Underlying)
				}
				it.RustDecl = fmt.Sprintf("pub const %s: %s = %s;", c.Name, typ, c.Value.Rust())
			} else {
				it.Why = notSelected(e.Pos)
			}
			add(c.Pos, it)
		}
	}
	for _, td := range u.Typedefs {
		it := &index.Item{Name: td.CName, Kind: index.Typedef, Decl: td.Decl, Size: td.Type.Size, Align: td.Type.Align}
		if r := byValueRecord(td.Type); r != nil && td.Type.Kind == TNamed {
			if _, ok := td.Type.Ref.(*Record); ok {
				it.Fields = recordFields(r)
			}
		}
		switch {
		case td.reached:
			it.Rust = td.Name
			if td.Same {
				it.RustDecl = w.rustDecl(td.Type.Ref)
			} else {
				it.RustDecl = w.rustDecl(td)
			}
		default:
			it.Why = notSelected(td.Pos)
		}
		add(td.Pos, it)
	}
	for _, f := range u.Functions {
		it := &index.Item{Name: f.CName, Kind: index.Function, Decl: f.Decl, Result: f.Sig.ResultC, Variadic: f.Sig.Variadic}
		for _, p := range f.Sig.Params {
			it.Params = append(it.Params, index.Param{Name: p.Name, CType: p.CType})
		}
		it.Export = export(m.symvers, f.CName)
		switch {
		case f.Inline:
			it.Kind = index.InlineFunction
			it.Why = "static inline: compiled into each caller, so the kernel exports no symbol a module could link"
		case f.reached:
			it.Rust = f.Name
			it.RustDecl = w.rustDecl(f)
		default:
			it.Why = notSelected(f.Pos)
		}
		add(f.Pos, it)
	}
	for _, v := range u.Variables {
		it := &index.Item{Name: v.CName, Kind: index.Variable, Decl: v.Decl, Size: v.Type.Size, Align: v.Type.Align}
		it.Export = export(m.symvers, v.CName)
		switch {
		case v.Static:
			it.Why = "static: each includer gets its own copy, there is no symbol to link"
			it.Export = ""
		case v.reached:
			it.Rust = v.Name
			it.RustDecl = w.rustDecl(v)
		default:
			it.Why = notSelected(v.Pos)
		}
		add(v.Pos, it)
	}
	for _, mc := range u.Macros {
		it := &index.Item{Name: mc.CName, Kind: index.Macro, Decl: "#define " + mc.CName + " " + mc.Expansion, Expansion: mc.Expansion}
		if mc.Value.Kind != VNone {
			it.Value = w.constLiteral(mc)
			it.ValueType = mc.CType
		}
		switch {
		case mc.emit:
			it.Rust = mc.Name
			it.RustDecl = w.constDecl(mc)
		case mc.Why != "":
			it.Why = mc.Why
		default:
			it.Why = "no Rust constant of this type"
		}
		add(mc.Pos, it)
	}
	for _, fm := range u.FuncMacros {
		it := &index.Item{Name: fm.CName, Kind: index.FunctionMacro, Expansion: fm.Expansion, Variadic: fm.Variadic,
			Decl: fmt.Sprintf("#define %s(%s) %s", fm.CName, strings.Join(fm.Params, ", "), fm.Expansion),
			Why:  "function-like macro: expanded by the C preprocessor, Rust has no item for it"}
		for _, p := range fm.Params {
			it.Params = append(it.Params, index.Param{Name: p})
		}
		add(fm.Pos, it)
	}
	sort.SliceStable(es, func(i, j int) bool { return posLess(u.FileOrder, es[i].pos, es[j].pos) })
	ix.Items = make([]*index.Item, len(es))
	for i, e := range es {
		ix.Items[i] = e.it
	}
	return ix
}

func export(s *module.Symvers, name string) index.Export {
	if s == nil {
		return index.ExportUnknown
	}
	e, ok := s.Lookup(name)
	switch {
	case !ok:
		return index.NotExported
	case e.GPLOnly():
		return index.GPLOnly
	}
	return index.Exported
}

func recordInfo(it *index.Item, r *Record, w *rustWriter) {
	if r.Complete && r.bad == "" {
		it.Size, it.Align = r.Size, r.Align
		it.Fields = recordFields(r)
	}
	if r.reached {
		it.Rust = r.Name
		it.RustDecl = w.rustDecl(r)
	}
	switch {
	case r.bad != "":
		it.Why = "the C front end's layout cannot be trusted: " + r.bad
	case !r.Complete:
		it.Why = "declared but never defined in these headers: Rust gets an opaque type to use behind pointers"
	case r.Opaque != "":
		it.Why = "opaque in Rust (right size and alignment, no fields): " + r.Opaque
	}
}

// indexPos is where the index says a name is declared. The front end's
// own sources ("<va_list>", gcc's va_list record) are no file an editor can
// open: such names have no position, as a builtin has none.
func indexPos(p Pos) index.Pos {
	if strings.HasPrefix(p.File, "<") {
		return index.Pos{}
	}
	return index.Pos{File: p.File, Line: p.Line, Column: p.Col}
}

// recordDecl is a record's declaration with the attributes its layout
// proved: the header's text is not kept, but `__packed` and `__aligned(N)`
// are what a Rust author must know to use the type, so they are spelled
// the way the kernel's compiler_attributes.h does.
func recordDecl(r *Record) string {
	var attrs []string
	if r.packN > 0 {
		attrs = append(attrs, "__packed")
		if r.packN > 1 {
			attrs = append(attrs, fmt.Sprintf("__aligned(%d)", r.packN))
		}
	} else if r.ReprAlg > 0 {
		attrs = append(attrs, fmt.Sprintf("__aligned(%d)", r.ReprAlg))
	}
	if len(attrs) == 0 || !strings.HasSuffix(r.Decl, "}") {
		return r.Decl
	}
	return r.Decl + " " + strings.Join(attrs, " ")
}

// recordFields flattens a record's C members, anonymous members included,
// with offsets from the start of the record and their Rust access paths.
func recordFields(r *Record) []index.Field {
	var out []index.Field
	flattenFields(r, 0, "", r.reached && r.Opaque == "", &out, 0)
	return out
}

func flattenFields(r *Record, base int64, prefix string, rust bool, out *[]index.Field, depth int) {
	if depth > 16 {
		return
	}
	members := r.Members
	if len(members) == 0 {
		members = r.raw
	}
	for _, m := range members {
		switch m.Kind {
		case MField:
			if m.AnonType {
				if sub := byValueRecord(m.Type); sub != nil {
					flattenFields(sub, base+m.Offset, prefix+m.Name+".", rust, out, depth+1)
				}
				continue
			}
			f := index.Field{Name: m.CName, CType: m.CType, Offset: base + m.Offset, Decl: m.Decl, Pos: indexPos(m.Pos)}
			if rust {
				f.RustName = prefix + m.Name
			}
			*out = append(*out, f)
		case MBitUnit:
			for _, b := range m.Bits {
				f := index.Field{Name: b.CName, CType: b.CType, Offset: base + b.AbsOff, BitOffset: b.UnitBits, BitWidth: b.Width,
					Decl: b.Decl, Pos: indexPos(b.Pos)}
				if rust {
					f.RustName = prefix + b.Name + "()"
				}
				*out = append(*out, f)
			}
		}
	}
}

// relHeader shortens a header path to how #include names it.
func relHeader(dirs []string) func(string) string {
	sorted := append([]string(nil), dirs...)
	sort.Slice(sorted, func(i, j int) bool { return len(sorted[i]) > len(sorted[j]) })
	return func(p string) string {
		for _, d := range sorted {
			if rel, err := filepath.Rel(d, p); err == nil && !strings.HasPrefix(rel, "..") {
				return rel
			}
		}
		return p
	}
}
