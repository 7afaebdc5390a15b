package rustsrc

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/diagnostics/rustsrc/internal/syntax"
)

// SymbolUse is one identifier of a Rust file that names a linker symbol.
type SymbolUse struct {
	Name  string            // as written: the symbol, or the Rust name #[link_name] gives it
	Range diagnostics.Range // the identifier
	Decl  bool              // the name of a fn or static item (extern "C" declarations among them)
	Call  bool              // called: f(...), path::f(...), f::<T>, also inside a macro's tokens
}

// SymbolUses finds where a Rust file names the linker symbol sym: the
// identifiers spelled name (sym itself, or the last path segment of a
// mangled Rust symbol), then those spelled as the items that
// #[link_name = "sym"] renames, each in source order. Comments, strings
// and attributes are not uses. The build asks this after a failed link,
// when the file may not even parse: tree-sitter keeps what it could read.
func SymbolUses(src []byte, sym, name string) ([]SymbolUse, error) {
	// Most files name none of the symbols modpost lists: no parse for them.
	if name == "" || !bytes.Contains(src, []byte(name)) && !bytes.Contains(src, []byte(sym)) {
		return nil, nil
	}
	root, err := syntax.Parse(syntax.Rust, src)
	if err != nil {
		return nil, fmt.Errorf("parsing for %s: %w", sym, err)
	}
	names := []string{name}
	root.Walk(func(n *syntax.Node) bool {
		if n.Is("function_item", "function_signature_item", "static_item") && attrValue(n, "link_name") == sym {
			if id := n.ChildByField("name"); id != nil && !slices.Contains(names, id.Text()) {
				names = append(names, id.Text())
			}
		}
		return true
	})
	byName := map[string][]*syntax.Node{}
	root.Walk(func(n *syntax.Node) bool {
		switch n.Kind {
		case "attribute_item", "inner_attribute_item":
			// #[cfg(x)] names no item; comments and strings hold no
			// identifiers in the tree.
			return false
		case "identifier":
			if slices.Contains(names, n.Text()) && !isTokenField(n) {
				byName[n.Text()] = append(byName[n.Text()], n)
			}
		}
		return true
	})
	var out []SymbolUse
	for _, nm := range names {
		for _, n := range byName[nm] {
			out = append(out, SymbolUse{Name: nm, Range: rangeOf(n), Decl: isItemName(n), Call: isCalled(n)})
		}
	}
	return out, nil
}

// isTokenField says whether an identifier among a macro's tokens follows
// a ".": a field or method, which tree-sitter parses as such only outside
// macros.
func isTokenField(n *syntax.Node) bool {
	return n.Parent.Is("token_tree") && sibling(n, -1).Is(".")
}

// isItemName says whether an identifier is the name a fn or static item
// declares.
func isItemName(n *syntax.Node) bool {
	return n.Field == "name" && n.Parent.Is("function_item", "function_signature_item", "static_item")
}

// isCalled says whether an identifier is what a call calls, through the
// path it ends and the turbofish it carries; inside a macro's tokens,
// which tree-sitter leaves unparsed, whether "(" or "::<" follows it.
func isCalled(n *syntax.Node) bool {
	for n.Parent.Is("scoped_identifier") && n.Field == "name" {
		n = n.Parent
	}
	if n.Parent.Is("token_tree") {
		next := sibling(n, 1)
		return next.Is("token_tree") && strings.HasPrefix(next.Text(), "(") || next.Is("::") && sibling(n, 2).Is("<")
	}
	return n.Field == "function" && n.Parent.Is("call_expression", "generic_function")
}

// sibling is the node d places after n under the same parent, or nil.
func sibling(n *syntax.Node, d int) *syntax.Node {
	if n.Parent == nil {
		return nil
	}
	kids := n.Parent.Children
	if i := slices.Index(kids, n); i >= 0 && i+d >= 0 && i+d < len(kids) {
		return kids[i+d]
	}
	return nil
}
