package cwrap

import (
	"strings"

	"modernc.org/cc/v4"
)

// unit indexes the file-scope names of a translation unit the way the
// analysis asks about them: is it defined here (a body to read), declared
// extern (a symbol to link), a typedef, an enumerator, a macro?
type unit struct {
	ast      *cc.AST
	defs     map[string]*cc.FunctionDefinition // first definition of each function
	decls    map[string]*cc.Declarator         // first file-scope declaration of each function or variable
	typedefs map[string]*cc.Declarator
	// asmNames are the symbols of declarations renamed with an asm label
	// (fortify-string.h's __RENAME: __real_strnlen is strnlen).
	asmNames map[string]string
	// files are the headers the translation unit declares something in.
	files map[string]bool
}

func newUnit(ast *cc.AST) *unit {
	u := &unit{
		ast:      ast,
		defs:     map[string]*cc.FunctionDefinition{},
		decls:    map[string]*cc.Declarator{},
		typedefs: map[string]*cc.Declarator{},
		asmNames: map[string]string{},
		files:    map[string]bool{},
	}
	for tu := ast.TranslationUnit; tu != nil; tu = tu.TranslationUnit {
		ed := tu.ExternalDeclaration
		if ed == nil {
			continue
		}
		u.files[ed.Position().Filename] = true
		switch ed.Case {
		case cc.ExternalDeclarationFuncDef:
			fd := ed.FunctionDefinition
			if fd == nil || fd.Declarator == nil {
				continue
			}
			name := fd.Declarator.Name()
			if _, ok := u.defs[name]; !ok {
				u.defs[name] = fd
			}
			if _, ok := u.decls[name]; !ok {
				u.decls[name] = fd.Declarator
			}
		case cc.ExternalDeclarationDecl:
			d := ed.Declaration
			if d == nil {
				continue
			}
			for il := d.InitDeclaratorList; il != nil; il = il.InitDeclaratorList {
				if il.InitDeclarator == nil || il.InitDeclarator.Declarator == nil {
					continue
				}
				dd := il.InitDeclarator.Declarator
				name := dd.Name()
				if name == "" {
					continue
				}
				if dd.IsTypename() {
					if _, ok := u.typedefs[name]; !ok {
						u.typedefs[name] = dd
					}
					continue
				}
				if _, ok := u.decls[name]; !ok {
					u.decls[name] = dd
				}
				if asm := il.InitDeclarator.Asm; asm != nil {
					if sym := strings.Trim(asm.Token3.SrcStr(), `"`); sym != "" {
						u.asmNames[name] = sym
					}
				}
			}
		}
	}
	return u
}

// isFunction reports whether name is a file-scope function.
func (u *unit) isFunction(name string) bool {
	d := u.decls[name]
	return d != nil && d.Type() != nil && d.Type().Kind() == cc.Function
}

// isVariable reports whether name is a file-scope object.
func (u *unit) isVariable(name string) bool {
	d := u.decls[name]
	return d != nil && d.Type() != nil && d.Type().Kind() != cc.Function
}

// enumValue returns the value of an enumerator (the kernel's false and
// true are enumerators).
func (u *unit) enumValue(name string) (int64, bool) {
	for _, n := range u.ast.Scope.Nodes[name] {
		if e, ok := n.(*cc.Enumerator); ok {
			switch v := e.Value().(type) {
			case cc.Int64Value:
				return int64(v), true
			case cc.UInt64Value:
				return int64(v), true
			}
		}
	}
	return 0, false
}

// isMacro reports whether name is a macro, and whether it is function-like.
func (u *unit) isMacro(name string) (fnLike, ok bool) {
	m := u.ast.Macros[name]
	if m == nil {
		return false, false
	}
	return m.IsFnLike, true
}

// isBuiltin reports whether a name is the compiler's, not the kernel's:
// nothing to link, nothing to analyse.
func isBuiltin(name string) bool {
	return strings.HasPrefix(name, "__builtin_") || strings.HasPrefix(name, "__atomic_") ||
		strings.HasPrefix(name, "__sync_") || name == "__func__" || name == "__FUNCTION__" ||
		name == "__PRETTY_FUNCTION__" || strings.HasPrefix(name, "__ccgo")
}

// bodiesSkipped reports whether the front end left function bodies out:
// it then gives every definition an empty block, where a parsed body
// always holds at least the __func__ declaration cc/v4 injects.
func (u *unit) bodiesSkipped() bool {
	n, empty := 0, 0
	for _, fd := range u.defs {
		n++
		if fd.CompoundStatement == nil || fd.CompoundStatement.BlockItemList == nil {
			empty++
		}
	}
	return n > 0 && empty == n
}
