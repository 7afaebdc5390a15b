package bindings

// The IR sits between the C front end and the Rust and index writers. It is
// deliberately free of cc/v4 types: codegen and the index are tested on IR
// built by hand, and a front end change touches lower*.go only.

// Pos is a header position (absolute file, 1-based line and byte column).
type Pos struct {
	File string
	Line int
	Col  int
}

// TypeKind says which fields of a Type are meaningful.
type TypeKind uint8

const (
	TVoid    TypeKind = iota
	TPrim             // an arithmetic C type: Prim names its Rust alias (c_int, bool, f64 ...)
	TPointer          // Elem is the pointee; Const when the pointee is const-qualified
	TArray            // Elem, Len (-1: unknown length)
	TFunc             // a function type: only behind a pointer or a typedef
	TNamed            // a record, enum or typedef: Ref
	TOpaque           // a C type Rust has no exact match for: a blob of Size and Align
)

// Type is a C type as the Rust writer needs it: sizes and alignments are the
// C compiler's, names are resolved to IR items.
type Type struct {
	Kind   TypeKind
	Prim   string // TPrim: Rust alias name; TOpaque: what it stands for ("__int128")
	Signed bool   // TPrim integers
	Size   int64
	Align  int64
	Const  bool // TPointer: the pointee is const
	// Volatile (TPointer: the pointee is volatile) changes nothing in Rust,
	// which has no volatile pointers; the gcc oracle spells the C type with it.
	Volatile bool
	// AddrSpace (TPointer) is the pointee's named address space (__seg_gs:
	// the kernel's __percpu on 7.x), as Volatile: a pointer all the same.
	AddrSpace string
	Elem      *Type
	Len       int64
	Fn        *FuncSig
	Ref       Named  // TNamed
	CName     string // the C spelling, for the index and comments
}

// Named is an IR item a type can refer to by name.
type Named interface {
	rustName() string
	reach(u *Unit)
}

// FuncSig is a function prototype.
type FuncSig struct {
	Params   []Param
	Result   *Type
	ResultC  string // C spelling of the result type
	Variadic bool
	NoProto  bool // K&R "int f()": no parameter information
}

// Param is one function parameter.
type Param struct {
	Name  string
	Type  *Type
	CType string
}

// MemberKind tells the Rust writer what a record member is.
type MemberKind uint8

const (
	MField   MemberKind = iota // a C member at its C offset
	MPad                       // explicit padding bytes
	MBitUnit                   // storage for a run of bit-fields, with accessors
)

// Member is one field of the generated Rust record: the Rust layout is the C
// layout made explicit, so rustc's repr(C) algorithm lands every member on
// the C offset.
type Member struct {
	Kind     MemberKind
	Name     string // Rust name
	CName    string // C name ("" for anonymous members and synthesized ones)
	Type     *Type  // MField
	Offset   int64
	Size     int64
	Bits     []Bitfield // MBitUnit
	FAM      bool       // flexible (or zero-length) array member
	AnonType bool       // an anonymous struct/union member whose fields C reaches directly
	CType    string     // C spelling of the member's type
	Decl     string     // the member's C declaration, qualifiers kept, for hover
	Pos      Pos        // the member's declarator, so hover and definition land on its line
	align    int64      // Rust alignment of the member's type
}

// Bitfield is one C bit-field inside a storage unit.
type Bitfield struct {
	CName    string
	Name     string // Rust getter name; the setter is set_<Name>
	Type     *Type
	BitOff   int // from the start of the unit, LSB first (little-endian)
	Width    int
	Signed   bool
	CType    string
	AbsOff   int64  // byte offset of the C access unit, for the index
	UnitBits int    // bit offset inside the C access unit, for the index
	Decl     string // "type name: width", qualifiers kept, for hover
	Pos      Pos
}

// CField is a C member as the index reports it: anonymous members are
// flattened, offsets are from the start of the outermost record.
type CField struct {
	Name     string
	RustPath string
	CType    string
	Offset   int64
	BitOff   int
	BitWidth int
}

// Record is a struct or union.
type Record struct {
	Tag      string // C tag, "" when anonymous
	Name     string // Rust name
	Union    bool
	Size     int64
	Align    int64
	Complete bool
	ReprAlg  int64 // repr(align(N)) needed, 0 when the natural alignment is right
	Members  []Member
	Fields   []CField
	Opaque   string // why the body is a blob of Size/Align bytes; "" for a real body
	Pos      Pos
	Decl     string
	reached  bool
	order    int

	// Anonymous records are named after where they are used: parent's
	// Rust name, "__", the member's Rust name.
	parent         *Record
	via            string
	firstMemberPos Pos
	raw            []Member // members before layout
	bad            string   // the front end's layout cannot be trusted: why
	laid           bool
	named          bool
	packN          int64 // repr(packed(N)), 0: not packed
	hasAln         int8  // memo of containsAlign: 0 unknown, 1 no, 2 yes
}

// Enum is a C enumeration; Rust gets a type alias and typed constants.
type Enum struct {
	Tag        string // "" for an anonymous enum
	Name       string // Rust alias name ("" for anonymous: constants use Underlying)
	Underlying *Type
	Consts     []EnumConst
	Incomplete bool // declared, never defined: Underlying is assumed
	Pos        Pos
	Decl       string
	reached    bool
	order      int
}

// EnumConst is one enumerator.
type EnumConst struct {
	CName string
	Name  string
	Value Value
	Pos   Pos
}

// Typedef is a C typedef.
type Typedef struct {
	CName   string
	Name    string
	Type    *Type
	Pos     Pos
	Decl    string
	reached bool
	order   int
	// Same is set when the typedef names a record or enum of the same
	// name (typedef struct foo foo): Rust already has the name.
	Same bool
}

// Function is an extern function declaration.
type Function struct {
	CName   string
	Name    string
	Sig     *FuncSig
	Inline  bool // static inline or any definition in a header: no symbol
	Pos     Pos
	Decl    string
	reached bool
	order   int
}

// Variable is an extern variable.
type Variable struct {
	CName   string
	Name    string
	Type    *Type
	Const   bool
	Static  bool // internal linkage: no symbol to link against
	Pos     Pos
	Decl    string
	reached bool
	order   int
}

// MacroConst is an object-like macro and, when it has one, its value.
type MacroConst struct {
	CName     string
	Name      string
	Value     Value // Kind == VNone: no value, Why says why
	Type      *Type
	CType     string // C type of the value, as C spells it (gfp_t, unsigned long)
	Why       string
	Pos       Pos
	Expansion string
	emit      bool
}

// FuncMacro is a function-like macro: the index records it, Rust gets nothing.
type FuncMacro struct {
	CName     string
	Params    []string
	Variadic  bool
	Expansion string
	Pos       Pos
}

// Unit is everything one generation produced.
type Unit struct {
	Records    []*Record
	Enums      []*Enum
	Typedefs   []*Typedef
	Functions  []*Function
	Variables  []*Variable
	Macros     []*MacroConst
	FuncMacros []*FuncMacro

	// CharSigned is the target's char signedness; LongSize the size of long.
	CharSigned bool
	LongSize   int64

	// Headers are the configured headers, as given.
	Headers []string
	// FileOrder numbers header files in the order the translation unit
	// first declares something in them; output follows it.
	FileOrder map[string]int
	// Issues are things the front end met and worked around (opaque records
	// and the like); the index carries them per item too.
	Issues []string
}

func (r *Record) rustName() string  { return r.Name }
func (e *Enum) rustName() string    { return e.Name }
func (t *Typedef) rustName() string { return t.Name }

func (r *Record) reach(u *Unit) {
	if r.reached {
		return
	}
	r.reached = true
	for i := range r.Members {
		m := &r.Members[i]
		m.Type.reach(u)
		for _, b := range m.Bits {
			b.Type.reach(u)
		}
	}
}

func (e *Enum) reach(u *Unit) { e.reached = true }

func (t *Typedef) reach(u *Unit) {
	if t.reached {
		return
	}
	t.reached = true
	t.Type.reach(u)
}

// reach marks every named item t mentions as needed in the output.
func (t *Type) reach(u *Unit) {
	for t != nil {
		switch t.Kind {
		case TNamed:
			t.Ref.reach(u)
			return
		case TPointer, TArray:
			t = t.Elem
		case TFunc:
			t.Fn.reach(u)
			return
		default:
			return
		}
	}
}

func (f *FuncSig) reach(u *Unit) {
	f.Result.reach(u)
	for _, p := range f.Params {
		p.Type.reach(u)
	}
}
