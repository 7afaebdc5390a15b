package rustsrc

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rustko/rustko-lsp/bindings/index"
	"github.com/rustko/rustko-lsp/diagnostics/rustsrc/internal/syntax"
)

// dataModel is the target's C data model: what `long` and plain `char` are.
type dataModel struct {
	longSize   int
	ptrSize    int
	charSigned bool
}

// modelFor returns the Linux data model of an architecture (uname -m or
// kernel SRCARCH spelling). The kernel is LP64 on 64-bit targets; char is
// signed on x86 and unsigned on arm, arm64 and riscv.
func modelFor(arch string) dataModel {
	switch arch {
	case "i386", "i686", "x86_32", "arm", "armv7", "armv7l":
		return dataModel{longSize: 4, ptrSize: 4, charSigned: arch != "arm" && arch != "armv7" && arch != "armv7l"}
	case "aarch64", "arm64", "riscv64", "riscv":
		return dataModel{longSize: 8, ptrSize: 8, charSigned: false}
	}
	return dataModel{longSize: 8, ptrSize: 8, charSigned: true} // x86_64, and the default
}

type ctKind uint8

const (
	ctUnknown ctKind = iota // not understood: never compared
	ctVoid
	ctBool
	ctInt
	ctFloat
	ctPtr
	ctRecord // struct/union (or a Rust array) passed by value
)

// ctype is a type reduced to what the C ABI sees.
type ctype struct {
	kind      ctKind
	size      int
	signed    bool
	signKnown bool
	name      string // records
}

func (t ctype) String() string {
	switch t.kind {
	case ctVoid:
		return "nothing"
	case ctBool:
		return "bool"
	case ctInt:
		if !t.signKnown {
			return fmt.Sprintf("%d-bit integer", t.size*8)
		}
		if t.signed {
			return fmt.Sprintf("%d-bit signed integer", t.size*8)
		}
		return fmt.Sprintf("%d-bit unsigned integer", t.size*8)
	case ctFloat:
		return fmt.Sprintf("%d-bit float", t.size*8)
	case ctPtr:
		return "pointer"
	case ctRecord:
		return t.name + " by value"
	}
	return "unknown"
}

// rust spells the type the way a hand-written extern block would, for the
// quick fix: i32, u64, bool.
func (t ctype) rust() (string, bool) {
	switch t.kind {
	case ctBool:
		return "bool", true
	case ctInt:
		if !t.signKnown || t.size == 0 {
			return "", false
		}
		p := "u"
		if t.signed {
			p = "i"
		}
		return fmt.Sprintf("%s%d", p, t.size*8), true
	case ctFloat:
		return fmt.Sprintf("f%d", t.size*8), true
	}
	return "", false
}

// compatible says whether two types agree as far as the ABI and the value's
// meaning are concerned. Any pointer matches any pointer: the pointee is for
// the Rust type checker, not the calling convention.
func compatible(a, b ctype) bool {
	if a.kind == ctUnknown || b.kind == ctUnknown {
		return true
	}
	if a.kind != b.kind {
		// _Bool and a one-byte unsigned integer are passed alike.
		return false
	}
	switch a.kind {
	case ctInt:
		return a.size == b.size && (!a.signKnown || !b.signKnown || a.signed == b.signed)
	case ctFloat:
		return a.size == b.size
	case ctRecord:
		return a.name == b.name
	}
	return true
}

var cQualifiers = map[string]bool{
	"const": true, "volatile": true, "restrict": true, "__restrict": true, "__restrict__": true, "_Atomic": true,
	"__user": true, "__iomem": true, "__force": true, "__rcu": true, "__percpu": true, "__bitwise": true,
	"__kernel": true, "__must_check": true, "register": true, "static": true, "extern": true, "inline": true,
	"__nocast": true, "__private": true, "__attribute_const__": true, "__always_inline": true,
}

// fixedTypedefs are the kernel's fixed-width typedefs, used when the index
// does not carry the typedef (it only holds what the headers reached).
var fixedTypedefs = map[string]ctype{
	"u8": {ctInt, 1, false, true, ""}, "u16": {ctInt, 2, false, true, ""}, "u32": {ctInt, 4, false, true, ""}, "u64": {ctInt, 8, false, true, ""},
	"s8": {ctInt, 1, true, true, ""}, "s16": {ctInt, 2, true, true, ""}, "s32": {ctInt, 4, true, true, ""}, "s64": {ctInt, 8, true, true, ""},
	"__u8": {ctInt, 1, false, true, ""}, "__u16": {ctInt, 2, false, true, ""}, "__u32": {ctInt, 4, false, true, ""}, "__u64": {ctInt, 8, false, true, ""},
	"__s8": {ctInt, 1, true, true, ""}, "__s16": {ctInt, 2, true, true, ""}, "__s32": {ctInt, 4, true, true, ""}, "__s64": {ctInt, 8, true, true, ""},
	"uint8_t": {ctInt, 1, false, true, ""}, "uint16_t": {ctInt, 2, false, true, ""}, "uint32_t": {ctInt, 4, false, true, ""}, "uint64_t": {ctInt, 8, false, true, ""},
	"int8_t": {ctInt, 1, true, true, ""}, "int16_t": {ctInt, 2, true, true, ""}, "int32_t": {ctInt, 4, true, true, ""}, "int64_t": {ctInt, 8, true, true, ""},
	"bool": {ctBool, 1, false, true, ""}, "loff_t": {ctInt, 8, true, true, ""},
}

// cType reduces a C type as the index spells it ("const char *", "gfp_t",
// "unsigned long", "struct file *", "void (*)(int)") to its ABI shape,
// looking typedefs up in ix.
func (m dataModel) cType(ix *index.Index, s string) ctype {
	return m.cTypeDepth(ix, s, 0)
}

func (m dataModel) cTypeDepth(ix *index.Index, s string, depth int) ctype {
	if depth > 16 {
		return ctype{}
	}
	s = stripAttributes(s)
	if strings.Contains(s, "(*") || strings.Contains(s, "( *") || strings.ContainsAny(s, "*[") {
		return ctype{kind: ctPtr, size: m.ptrSize}
	}
	words := cWords(s)
	if len(words) == 0 {
		return ctype{kind: ctInt, size: 4, signed: true, signKnown: true} // "signed"/"unsigned" alone mean int
	}
	switch words[0] {
	case "struct", "union":
		if len(words) > 1 {
			return ctype{kind: ctRecord, name: words[0] + " " + words[1]}
		}
		return ctype{}
	case "enum":
		return ctype{kind: ctInt, size: 4}
	}
	if t, ok := m.builtin(words); ok {
		return t
	}
	if len(words) == 1 {
		return m.typedef(ix, words[0], depth)
	}
	return ctype{}
}

func (m dataModel) typedef(ix *index.Index, name string, depth int) ctype {
	for _, it := range ix.Lookup(name) {
		if it.Kind != index.Typedef {
			continue
		}
		// Decl is "typedef <what it names> name", as bindings writes it.
		d := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(it.Decl), ";"))
		d = strings.TrimPrefix(d, "typedef ")
		if strings.HasSuffix(d, name) {
			under := strings.TrimSpace(strings.TrimSuffix(d, name))
			if under != "" {
				return m.cTypeDepth(ix, under, depth+1)
			}
		}
		if strings.Contains(d, "(*") {
			return ctype{kind: ctPtr, size: m.ptrSize}
		}
	}
	if t, ok := fixedTypedefs[name]; ok {
		return t
	}
	switch name {
	case "size_t", "uintptr_t", "__kernel_size_t", "__kernel_ulong_t":
		return ctype{kind: ctInt, size: m.longSize, signKnown: true}
	case "ssize_t", "ptrdiff_t", "intptr_t", "__kernel_ssize_t", "__kernel_long_t":
		return ctype{kind: ctInt, size: m.longSize, signed: true, signKnown: true}
	}
	return ctype{}
}

// builtin reads C's arithmetic type names in any order: "unsigned long",
// "long unsigned int", "signed char", "_Bool".
func (m dataModel) builtin(words []string) (ctype, bool) {
	var longs, shorts, chars, ints int
	signed, unsigned := false, false
	for _, w := range words {
		switch w {
		case "void":
			return ctype{kind: ctVoid}, true
		case "_Bool":
			return ctype{kind: ctBool, size: 1, signKnown: true}, true
		case "float":
			return ctype{kind: ctFloat, size: 4}, true
		case "double":
			if longs > 0 {
				return ctype{kind: ctFloat, size: 16}, true
			}
			return ctype{kind: ctFloat, size: 8}, true
		case "__int128":
			return ctype{kind: ctInt, size: 16, signed: !unsigned, signKnown: true}, true
		case "long":
			longs++
		case "short":
			shorts++
		case "char":
			chars++
		case "int":
			ints++
		case "signed", "__signed__":
			signed = true
		case "unsigned":
			unsigned = true
		default:
			return ctype{}, false
		}
	}
	t := ctype{kind: ctInt, signed: !unsigned, signKnown: true}
	switch {
	case chars > 0:
		t.size = 1
		if !signed && !unsigned {
			t.signed = m.charSigned
		}
	case shorts > 0:
		t.size = 2
	case longs >= 2:
		t.size = 8
	case longs == 1:
		t.size = m.longSize
	default:
		t.size = 4
	}
	return t, true
}

// stripAttributes removes __attribute__((...)) groups.
func stripAttributes(s string) string {
	for {
		i := strings.Index(s, "__attribute__")
		if i < 0 {
			return s
		}
		j := i + len("__attribute__")
		depth := 0
		k := j
		for ; k < len(s); k++ {
			if s[k] == '(' {
				depth++
			} else if s[k] == ')' {
				depth--
				if depth == 0 {
					k++
					break
				}
			}
		}
		s = s[:i] + s[k:]
	}
}

// cWords are the words of a C type that say what it is: without
// __attribute__s, qualifiers and storage classes.
func cWords(s string) []string {
	return slices.DeleteFunc(strings.Fields(stripAttributes(s)), func(w string) bool { return cQualifiers[w] })
}

// normalizeCType is the spelling the constant table is keyed by.
func normalizeCType(s string) string {
	return strings.Join(cWords(s), " ")
}

// isBuiltinCType says whether a type is spelled with C keywords only
// (int, unsigned long): such types have too many unrelated constants to
// suggest one.
func isBuiltinCType(s string) bool {
	_, ok := modelFor("").builtin(strings.Fields(s))
	return ok
}

// rustAliases are the C type aliases of core::ffi, libc and the generated
// bindings whose shape the data model does not change.
var rustAliases = map[string]ctype{
	"c_schar": {ctInt, 1, true, true, ""}, "c_uchar": {ctInt, 1, false, true, ""},
	"c_short": {ctInt, 2, true, true, ""}, "c_ushort": {ctInt, 2, false, true, ""},
	"c_int": {ctInt, 4, true, true, ""}, "c_uint": {ctInt, 4, false, true, ""},
	"c_longlong": {ctInt, 8, true, true, ""}, "c_ulonglong": {ctInt, 8, false, true, ""},
	"c_float": {kind: ctFloat, size: 4}, "c_double": {kind: ctFloat, size: 8},
}

// rustAlias is the shape of a C type alias of Rust's: rustAliases, and
// c_char and c_long as the data model has them.
func (m dataModel) rustAlias(name string) (ctype, bool) {
	switch name {
	case "c_char":
		return ctype{kind: ctInt, size: 1, signed: m.charSigned, signKnown: true}, true
	case "c_long", "c_ulong":
		return ctype{kind: ctInt, size: m.longSize, signed: name == "c_long", signKnown: true}, true
	}
	t, ok := rustAliases[name]
	return t, ok
}

// rustType reduces a Rust type node of a hand-written declaration to its ABI
// shape. Paths into the bindings go through the resolver's item.
func (a *analysis) rustType(n *syntax.Node) ctype {
	m := a.env.model
	if n == nil {
		return ctype{kind: ctVoid}
	}
	switch n.Kind {
	case "primitive_type":
		switch t := n.Text(); t {
		case "bool":
			return ctype{kind: ctBool, size: 1, signKnown: true}
		case "f32":
			return ctype{kind: ctFloat, size: 4}
		case "f64":
			return ctype{kind: ctFloat, size: 8}
		case "isize", "usize":
			return ctype{kind: ctInt, size: m.ptrSize, signed: t == "isize", signKnown: true}
		case "char":
			return ctype{kind: ctInt, size: 4, signKnown: true}
		default:
			var bits int
			if _, err := fmt.Sscanf(t[1:], "%d", &bits); err == nil && (t[0] == 'i' || t[0] == 'u') {
				return ctype{kind: ctInt, size: bits / 8, signed: t[0] == 'i', signKnown: true}
			}
		}
	case "unit_type", "never_type":
		return ctype{kind: ctVoid}
	case "pointer_type", "reference_type", "function_type":
		return ctype{kind: ctPtr, size: m.ptrSize}
	case "array_type":
		return ctype{kind: ctRecord, name: n.Text()}
	case "generic_type":
		base := n.ChildByField("type")
		if base != nil {
			switch lastSegment(base) {
			case "Option", "NonNull":
				return ctype{kind: ctPtr, size: m.ptrSize}
			}
		}
	case "type_identifier", "scoped_type_identifier":
		name := lastSegment(n)
		if t, ok := m.rustAlias(name); ok {
			return t
		}
		if r := a.refAt(n); r != nil && r.Item != nil {
			return a.itemType(r.Item)
		}
		if alias := a.localTypeAlias(name); alias != nil {
			return a.rustType(alias)
		}
	}
	return ctype{}
}

func (a *analysis) itemType(it *index.Item) ctype {
	switch it.Kind {
	case index.Typedef:
		return a.env.model.cType(a.env.Index, it.Name)
	case index.Struct:
		return ctype{kind: ctRecord, name: "struct " + it.Name}
	case index.Union:
		return ctype{kind: ctRecord, name: "union " + it.Name}
	case index.Enum:
		return ctype{kind: ctInt, size: 4}
	}
	return ctype{}
}

func lastSegment(n *syntax.Node) string {
	if n.Kind == "scoped_type_identifier" || n.Kind == "scoped_identifier" {
		if name := n.ChildByField("name"); name != nil {
			return name.Text()
		}
	}
	return n.Text()
}
