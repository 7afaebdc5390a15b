package server

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/rustko/rustko-lsp/bindings/index"
)

// maxDeclLines keeps a hover readable: a huge struct's declaration is cut.
const maxDeclLines = 40

// Hover shows the kernel item behind a Rust identifier: its C declaration,
// where it is declared, the generated Rust item, and what only the kernel
// knows (layout, macro values, export status, the macro verdict).
func (s *Server) Hover(ctx context.Context, p *protocol.HoverParams) (*protocol.Hover, error) {
	tg, _ := s.at(ctx, p.TextDocumentPositionParams)
	if tg == nil {
		return nil, nil
	}
	s.mu.Lock()
	markdown, enc := s.caps.markdown, s.enc
	s.mu.Unlock()
	kind := protocol.MarkupKindPlainText
	if markdown {
		kind = protocol.MarkupKindMarkdown
	}
	r := protocol.Range{Start: tg.text.position(tg.id.start, enc), End: tg.text.position(tg.id.end, enc)}
	return &protocol.Hover{
		Contents: &protocol.MarkupContent{Kind: kind, Value: hoverText(tg, markdown)},
		Range:    &r,
	}, nil
}

// hoverText renders a target; markdown and plain text carry the same facts.
func hoverText(tg *target, md bool) string {
	it := tg.item
	var b strings.Builder
	code := func(lang, body string) {
		if md {
			fmt.Fprintf(&b, "```%s\n%s\n```\n", lang, body)
		} else {
			b.WriteString(indent(body))
			b.WriteString("\n")
		}
	}
	title := fmt.Sprintf("%s %s", it.Kind, it.Name)
	if tg.field != nil {
		title = fmt.Sprintf("field %s of %s %s", fieldName(tg.field), it.Kind, it.Name)
	}
	if md {
		fmt.Fprintf(&b, "**%s** (kernel C)\n\n", title)
	} else {
		fmt.Fprintf(&b, "%s (kernel C)\n\n", title)
	}

	if tg.field != nil {
		f := tg.field
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

	if it.Decl != "" && tg.field == nil {
		code("c", clip(it.Decl, maxDeclLines))
	}
	if at := tg.declPos(); at.File != "" {
		loc := fmt.Sprintf("%s:%d", at.File, at.Line)
		if md {
			fmt.Fprintf(&b, "declared in [%s](%s#L%d)\n\n", loc, uri.File(at.File), at.Line)
		} else {
			fmt.Fprintf(&b, "declared in %s\n\n", loc)
		}
	}
	if (it.Kind == index.Struct || it.Kind == index.Union || it.Size > 0) && tg.field == nil {
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
	if v := tg.verdict; v != nil {
		fmt.Fprintf(&b, "%s: %s", v.Class, v.Advice)
		if v.Target != "" {
			fmt.Fprintf(&b, " (use %s)", v.Target)
		}
		b.WriteString("\n\n")
	}
	if it.RustDecl != "" {
		b.WriteString("generated Rust:\n")
		code("rust", clip(it.RustDecl, maxDeclLines))
	} else if it.Why != "" {
		fmt.Fprintf(&b, "no Rust item: %s\n", it.Why)
	}
	return strings.TrimRight(b.String(), "\n")
}

// declPos is where the target is declared: a field's own declarator when
// the index has it, not the first line of its record.
func (tg *target) declPos() index.Pos {
	if f := tg.field; f != nil && f.Pos.File != "" && f.Pos.Line > 0 {
		return f.Pos
	}
	return tg.item.Pos
}

func fieldName(f *index.Field) string {
	if f.Name != "" {
		return f.Name
	}
	return f.RustName
}

func clip(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) <= n {
		return strings.Join(lines, "\n")
	}
	return strings.Join(lines[:n], "\n") + fmt.Sprintf("\n… (%d more lines)", len(lines)-n)
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}

// Definition jumps from a Rust identifier to the C declaration in the
// kernel header.
func (s *Server) Definition(ctx context.Context, p *protocol.DefinitionParams) (protocol.DefinitionResult, error) {
	tg, _ := s.at(ctx, p.TextDocumentPositionParams)
	if tg == nil || tg.declPos().File == "" {
		return nil, nil
	}
	loc := s.location(tg.declPos())
	return &loc, nil
}

// location converts a header position (1-based line and byte column) into
// an LSP location, reading the header to count columns in the client's
// encoding.
func (s *Server) location(p index.Pos) protocol.Location {
	s.mu.Lock()
	enc := s.enc
	s.mu.Unlock()
	path := filepath.Clean(p.File)
	t := s.fileText(path, nil)
	line := max(p.Line-1, 0)
	pos := protocol.Position{Line: uint32(line), Character: enc.fromByte(t.line(line), max(p.Column-1, 0))}
	return protocol.Location{URI: uri.File(path), Range: protocol.Range{Start: pos, End: pos}}
}
