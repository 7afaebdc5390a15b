package rustsrc

import (
	"fmt"

	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/diagnostics/rustsrc/internal/syntax"
)

// File is one parsed Rust source file. It does not change after ParseWith
// and may be shared between goroutines.
type File struct {
	Path string // absolute
	Src  []byte

	tree *syntax.Tree // kept for Reparse
	root *syntax.Node
	syms *symbols
	env  *Env   // what refs were resolved against; may be nil
	refs []cRef // in source order
}

// ParseWith parses src (the text of path) and resolves its references
// against env. A nil env resolves through the default bindings paths
// without an index (cRef.Item stays nil). Syntax errors do not fail it: the
// tree keeps what it could read.
func ParseWith(path string, src []byte, env *Env) (*File, error) {
	t, err := syntax.ParseTree(syntax.Rust, src)
	if err != nil {
		return nil, fmt.Errorf("parsing %s: %w", path, err)
	}
	return newFile(path, src, t, env, 0), nil
}

// Reparse parses src, a new version of f's text, reusing f's syntax tree
// for the parts that did not change (the editor's case: one keystroke in a
// large file). f itself is unchanged.
func (f *File) Reparse(src []byte, env *Env) (*File, error) {
	t, err := f.tree.Reparse(src)
	if err != nil {
		return nil, fmt.Errorf("parsing %s: %w", f.Path, err)
	}
	return newFile(f.Path, src, t, env, len(f.refs)), nil
}

func newFile(path string, src []byte, t *syntax.Tree, env *Env, refsHint int) *File {
	f := &File{Path: path, Src: src, tree: t, root: t.Root, env: env}
	f.syms = collectSymbols(t.Root, env.bindingsPaths(), env.sourceSet().Cfg(path))
	f.refs = resolveAll(t.Root, f.syms, env, refsHint)
	return f
}

// rangeOf converts a node's extent to a finding range.
func rangeOf(n *syntax.Node) diagnostics.Range {
	return diagnostics.Range{
		Start: diagnostics.Position{Line: n.Line, Column: n.Col},
		End:   diagnostics.Position{Line: n.EndLine, Column: n.EndCol},
	}
}
