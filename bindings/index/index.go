// Package index holds what rustko knows about every C name the configured
// kernel headers declare: its kind, declaration, header position, the Rust item
// it became (or why none), layout, export status and, for inline functions and
// macros, the macro verdict. Hover and diagnostics read it; bindings/ writes
// it. It is a leaf package so readers need not link the C front end.
package index

import "sync"

// Version changes whenever the stored form changes; a stored index of another
// version is regenerated, never misread.
const Version = 2

// Kind is what a C name denotes.
type Kind string

const (
	Struct         Kind = "struct"
	Union          Kind = "union"
	Enum           Kind = "enum"
	EnumConstant   Kind = "enum-constant"
	Typedef        Kind = "typedef"
	Function       Kind = "function"        // extern function declaration
	InlineFunction Kind = "inline-function" // static inline / extern inline: no symbol
	Variable       Kind = "variable"
	Macro          Kind = "macro"          // object-like
	FunctionMacro  Kind = "function-macro" // function-like
)

// Export is whether a module can link a function or variable.
type Export string

const (
	ExportUnknown Export = ""
	Exported      Export = "exported"
	GPLOnly       Export = "gpl-only"
	NotExported   Export = "not-exported"
)

// Pos is a header position: absolute file, 1-based line and byte column.
type Pos struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

// Field is one member of a record, with its place in the record.
type Field struct {
	Name      string `json:"name"` // C name; "" for an anonymous member
	RustName  string `json:"rust"` // name in the generated struct
	CType     string `json:"ctype"`
	Offset    int64  `json:"offset"`              // bytes
	BitOffset int    `json:"bitOffset,omitempty"` // within the storage unit, for bit-fields
	BitWidth  int    `json:"bitWidth,omitempty"`  // 0: not a bit-field
	// Decl is the member's C declaration with its qualifiers, as hover
	// shows it ("const struct file_operations *f_op"); Pos is its
	// declarator, so definition lands on the member's own line.
	Decl string `json:"decl,omitempty"`
	Pos  Pos    `json:"pos"`
}

// Param is one parameter of a function or function-like macro.
type Param struct {
	Name  string `json:"name"`
	CType string `json:"ctype,omitempty"` // "" for macro parameters
}

// Verdict is the verdict's advice for a name that has no symbol to link:
// what it expands to and what the author should do instead.
type Verdict struct {
	Class  string `json:"class"`            // e.g. "exported-call", "inline", "declares", "hidden-state", "idiom", "no-value"
	Advice string `json:"advice"`           // one sentence a person can act on
	Target string `json:"target,omitempty"` // the function or helper to use instead (printk -> _printk)
}

// Verdict classes for static inline functions that KERNEL_HELPERS lists
// (bindings/cwrap): wrapped ones have a Rust item that calls the C helper,
// refused ones say why in Advice.
const (
	VerdictHelper   = "helper"
	VerdictNoHelper = "no-helper"
)

// Item is one C name.
type Item struct {
	Name     string `json:"name"`
	Kind     Kind   `json:"kind"`
	Decl     string `json:"decl"` // C declaration text, as written (macros: "#define ...")
	Pos      Pos    `json:"pos"`
	Rust     string `json:"rust,omitempty"`     // Rust item name in the bindings module; "" when none
	RustDecl string `json:"rustDecl,omitempty"` // the generated Rust item's text (first lines)
	Why      string `json:"why,omitempty"`      // why there is no Rust item, or why it is opaque

	Size   int64   `json:"size,omitempty"` // records, typedefs of records
	Align  int64   `json:"align,omitempty"`
	Fields []Field `json:"fields,omitempty"`

	Params   []Param `json:"params,omitempty"`
	Result   string  `json:"result,omitempty"` // C return type
	Variadic bool    `json:"variadic,omitempty"`
	Export   Export  `json:"export,omitempty"`

	Value     string `json:"value,omitempty"`     // macro and enum constant value, as Rust would write it
	ValueType string `json:"valueType,omitempty"` // C type of the value (gfp_t, unsigned long)
	Expansion string `json:"expansion,omitempty"` // macro replacement list

	Verdict *Verdict `json:"verdict,omitempty"`
}

// Index is the whole table for one set of headers against one kernel.
type Index struct {
	Version int    `json:"version"`
	Kernel  string `json:"kernel"` // release, e.g. 6.1.0-56-amd64
	Arch    string `json:"arch"`
	// CharUnsigned: plain char is unsigned in this tree's build (kbuild
	// passes -funsigned-char since 6.2), so the bindings' c_char is u8.
	CharUnsigned bool     `json:"charUnsigned,omitempty"`
	Headers      []string `json:"headers"`
	// BindingsFile is where the generated Rust lives (absolute), so
	// definition requests on generated items can land in it.
	BindingsFile string  `json:"bindingsFile,omitempty"`
	Items        []*Item `json:"items"`

	once   sync.Once
	byName map[string][]*Item
	byRust map[string]*Item

	fieldsOnce sync.Once
	byField    map[string][]*Item // fields.go
}

func (ix *Index) build() {
	ix.byName = make(map[string][]*Item, len(ix.Items))
	ix.byRust = make(map[string]*Item, len(ix.Items))
	for _, it := range ix.Items {
		ix.byName[it.Name] = append(ix.byName[it.Name], it)
		if it.Rust != "" {
			if _, dup := ix.byRust[it.Rust]; !dup {
				ix.byRust[it.Rust] = it
			}
		}
	}
}

// Lookup returns every item called name (a struct tag and a typedef may share
// one), in the order they were added. Call it only after Items is complete.
func (ix *Index) Lookup(name string) []*Item {
	if ix == nil {
		return nil
	}
	ix.once.Do(ix.build)
	return ix.byName[name]
}

// LookupRust returns the item whose generated Rust item is called name.
// Call it only after Items is complete.
func (ix *Index) LookupRust(name string) *Item {
	if ix == nil {
		return nil
	}
	ix.once.Do(ix.build)
	return ix.byRust[name]
}
