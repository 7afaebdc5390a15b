package rustsrc

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/rustko/rustko-lsp/bindings/index"
)

// maxDeclLines keeps a hover readable: a huge struct's declaration is cut.
const maxDeclLines = 40

// render writes the hover of a target; markdown and plain text carry the
// same facts: its C declaration, where it is declared, the generated Rust
// item, and what only the kernel knows (layout, macro values, export
// status, the macro verdict).
func (tg *Target) render(md bool) string {
	it := tg.Item
	var b strings.Builder
	code := func(lang, body string) {
		if md {
			fmt.Fprintf(&b, "```%s\n%s\n```\n", lang, body)
		} else {
			b.WriteString(indentBlock(body))
			b.WriteString("\n")
		}
	}
	title := fmt.Sprintf("%s %s", it.Kind, it.Name)
	if tg.Field != nil {
		title = fmt.Sprintf("field %s of %s %s", fieldName(tg.Field), it.Kind, it.Name)
	}
	if md {
		fmt.Fprintf(&b, "**%s** (kernel C)\n\n", title)
	} else {
		fmt.Fprintf(&b, "%s (kernel C)\n\n", title)
	}

	if tg.Field != nil {
		f := tg.Field
		decl := f.Decl
		if decl == "" {
			// An index without member declarations: the type's spelling.
			decl = f.CType + " " + fieldName(f)
		}
		code("c", decl+";")
		fmt.Fprintf(&b, "offset %d bytes", f.Offset)
		if f.BitWidth > 0 {
			fmt.Fprintf(&b, " (bit-field: %d bits from bit %d of that unit)", f.BitWidth, f.BitOffset)
		}
		fmt.Fprintf(&b, " in %s %s (size %d, align %d)\n\n", it.Kind, it.Name, it.Size, it.Align)
	}

	if it.Decl != "" && tg.Field == nil {
		code("c", clipLines(it.Decl, maxDeclLines))
	}
	if at := tg.declPos(); at.File != "" {
		loc := fmt.Sprintf("%s:%d", at.File, at.Line)
		if md {
			fmt.Fprintf(&b, "declared in [%s](%s#L%d)\n\n", loc, fileURI(at.File), at.Line)
		} else {
			fmt.Fprintf(&b, "declared in %s\n\n", loc)
		}
	}
	if (it.Kind == index.Struct || it.Kind == index.Union || it.Size > 0) && tg.Field == nil {
		fmt.Fprintf(&b, "size %d bytes, align %d\n\n", it.Size, it.Align)
	}
	if it.Value != "" {
		fmt.Fprintf(&b, "value %s", it.Value)
		if it.ValueType != "" {
			fmt.Fprintf(&b, " (C type %s)", it.ValueType)
		}
		b.WriteString("\n\n")
	}
	if it.Expansion != "" {
		if md {
			fmt.Fprintf(&b, "expands to `%s`\n\n", it.Expansion)
		} else {
			fmt.Fprintf(&b, "expands to %s\n\n", it.Expansion)
		}
	}
	switch it.Export {
	case index.Exported:
		b.WriteString("exported to modules\n\n")
	case index.GPLOnly:
		b.WriteString("exported to GPL-compatible modules only (EXPORT_SYMBOL_GPL)\n\n")
	case index.NotExported:
		b.WriteString("not exported: a module cannot link it\n\n")
	}
	if v := tg.Verdict; v != nil {
		fmt.Fprintf(&b, "%s: %s", v.Class, v.Advice)
		if v.Target != "" {
			fmt.Fprintf(&b, " (use %s)", v.Target)
		}
		b.WriteString("\n\n")
	}
	if it.RustDecl != "" {
		b.WriteString("generated Rust:\n")
		code("rust", clipLines(it.RustDecl, maxDeclLines))
	} else if it.Why != "" {
		fmt.Fprintf(&b, "no Rust item: %s\n", it.Why)
	}
	return strings.TrimRight(b.String(), "\n")
}

func fieldName(f *index.Field) string {
	if f.Name != "" {
		return f.Name
	}
	return f.RustName
}

// clipLines keeps the first n lines of s. Most declarations are short:
// counting first spares them the split, a fifth of a hover's work.
func clipLines(s string, n int) string {
	s = strings.TrimRight(s, "\n")
	if strings.Count(s, "\n") < n {
		return s
	}
	lines := strings.Split(s, "\n")
	return strings.Join(lines[:n], "\n") + fmt.Sprintf("\n… (%d more lines)", len(lines)-n)
}

func indentBlock(s string) string {
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}

// fileURI is the file: URI of an absolute path, for a Markdown link.
func fileURI(path string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
}
