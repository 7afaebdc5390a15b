package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/rustko/rustko-lsp/bindings/index"
)

// synthetic is a tiny index in the shape bindings/ writes, over a fake
// header, to test rendering and resolution on their own; the acceptance
// tests use the real 6.1 headers.
func synthetic(t *testing.T, dir string) *index.Index {
	hdr := filepath.Join(dir, "include", "linux", "fs.h")
	must(t, os.MkdirAll(filepath.Dir(hdr), 0o755))
	must(t, os.WriteFile(hdr, []byte("/* é */\nstruct file_operations {\n\tstruct module *owner;\n\tssize_t (*read)(void);\n};\n#define GFP_KERNEL (__GFP_RECLAIM | __GFP_IO | __GFP_FS)\n"), 0o644))
	return &index.Index{Version: index.Version, Kernel: "test", Items: []*index.Item{
		{Name: "file_operations", Kind: index.Struct, Decl: "struct file_operations {\n\tstruct module *owner;\n\tssize_t (*read)(void);\n}",
			Pos: index.Pos{File: hdr, Line: 2, Column: 8}, Rust: "file_operations", RustDecl: "#[repr(C)]\npub struct file_operations { ... }",
			Size: 280, Align: 8, Fields: []index.Field{
				{Name: "owner", RustName: "owner", CType: "struct module *", Offset: 0},
				{Name: "read", RustName: "read", CType: "ssize_t (*)(void)", Offset: 8},
			}},
		{Name: "GFP_KERNEL", Kind: index.Macro, Decl: "#define GFP_KERNEL (__GFP_RECLAIM | __GFP_IO | __GFP_FS)",
			Pos: index.Pos{File: hdr, Line: 6, Column: 9}, Rust: "GFP_KERNEL", RustDecl: "pub const GFP_KERNEL: gfp_t = 0xcc0;",
			Value: "0xcc0", ValueType: "gfp_t", Expansion: "(__GFP_RECLAIM | __GFP_IO | __GFP_FS)"},
		{Name: "kmalloc", Kind: index.InlineFunction, Decl: "static inline void *kmalloc(size_t size, gfp_t flags)",
			Pos: index.Pos{File: hdr, Line: 1, Column: 1}, Why: "static inline: no symbol to link",
			Verdict: &index.Verdict{Class: "inline", Advice: "add kmalloc to KERNEL_HELPERS to get a C wrapper", Target: "__kmalloc"}},
	}}
}

func TestHoverAndDefinitionOnSyntheticIndex(t *testing.T) {
	const src = "static mut FOPS: bindings::file_operations = bindings::file_operations {\n    read: None,\n    ..EMPTY\n};\nfn f() { let p = bindings::kmalloc(8, bindings::GFP_KERNEL); }\n"
	tests := []struct {
		name     string
		at       string // cursor on the first byte of this text's last identifier occurrence
		markdown bool
		want     []string
		defLine  uint32
		defChar  uint32
	}{
		{"record, markdown", "file_operations {", true, []string{"**struct file_operations** (kernel C)", "```c\nstruct file_operations {", "size 280 bytes, align 8", "```rust\n#[repr(C)]", "fs.h:2]("}, 1, 7},
		{"field offset", "read:", true, []string{"field read of struct file_operations", "offset 8 bytes", "(size 280, align 8)"}, 1, 7},
		{"macro, plain text", "GFP_KERNEL)", false, []string{"macro GFP_KERNEL (kernel C)", "value 0xcc0 (C type gfp_t)", "expands to (__GFP_RECLAIM | __GFP_IO | __GFP_FS)", "    pub const GFP_KERNEL"}, 5, 8},
		{"inline function verdict", "kmalloc(", true, []string{"inline-function kmalloc", "inline: add kmalloc to KERNEL_HELPERS to get a C wrapper (use __kmalloc)", "no Rust item: static inline"}, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := tempModule(t, src)
			fake := newFake(root)
			fake.ix = synthetic(t, t.TempDir())
			h := start(t, fake)
			p := &protocol.InitializeParams{}
			if tc.markdown {
				p.Capabilities.TextDocument = &protocol.TextDocumentClientCapabilities{Hover: &protocol.HoverClientCapabilities{ContentFormat: []protocol.MarkupKind{"markdown", "plaintext"}}}
			}
			h.initialize(t, p)
			lib := filepath.Join(root, "src", "lib.rs")
			h.open(t, lib, src)
			body := newText(src)
			pos := body.position(strings.Index(src, tc.at), utf16)
			tdp := protocol.TextDocumentPositionParams{TextDocument: protocol.TextDocumentIdentifier{URI: uri.File(lib)}, Position: pos}
			var hv *protocol.Hover
			h.waitFor(t, 2*time.Second, "a hover once the index is loaded", func() bool {
				var err error
				hv, err = h.server.Hover(h.ctx, &protocol.HoverParams{TextDocumentPositionParams: tdp})
				must(t, err)
				return hv != nil
			})
			mc, ok := hv.Contents.(*protocol.MarkupContent)
			if !ok {
				t.Fatalf("contents %T, want MarkupContent", hv.Contents)
			}
			wantKind := protocol.MarkupKindPlainText
			if tc.markdown {
				wantKind = protocol.MarkupKindMarkdown
			}
			if mc.Kind != wantKind {
				t.Errorf("kind %q, want %q", mc.Kind, wantKind)
			}
			for _, w := range tc.want {
				if !strings.Contains(mc.Value, w) {
					t.Errorf("hover lacks %q:\n%s", w, mc.Value)
				}
			}
			if !tc.markdown && strings.Contains(mc.Value, "```") {
				t.Errorf("plain-text hover contains markdown:\n%s", mc.Value)
			}
			def, err := h.server.Definition(h.ctx, &protocol.DefinitionParams{TextDocumentPositionParams: tdp})
			must(t, err)
			loc, ok := def.(*protocol.Location)
			if !ok {
				t.Fatalf("definition = %#v, want a location", def)
			}
			if !strings.HasSuffix(string(loc.URI), "/include/linux/fs.h") || loc.Range.Start.Line != tc.defLine || loc.Range.Start.Character != tc.defChar {
				t.Errorf("definition = %s %+v, want fs.h line %d char %d", loc.URI, loc.Range.Start, tc.defLine, tc.defChar)
			}
			h.shutdown(t)
		})
	}
}

func TestHoverOnNothingIsNull(t *testing.T) {
	root := tempModule(t, "fn main() { let local = 1; }\n")
	fake := newFake(root)
	fake.ix = synthetic(t, t.TempDir())
	h := start(t, fake)
	h.initialize(t, nil)
	lib := filepath.Join(root, "src", "lib.rs")
	h.open(t, lib, "fn main() { let local = 1; }\n")
	for _, c := range []uint32{0, 3, 16, 28, 500} {
		hv, err := h.server.Hover(h.ctx, &protocol.HoverParams{TextDocumentPositionParams: protocol.TextDocumentPositionParams{
			TextDocument: protocol.TextDocumentIdentifier{URI: uri.File(lib)}, Position: protocol.Position{Line: 0, Character: c}}})
		if err != nil || hv != nil {
			t.Errorf("hover at %d = %+v, %v; want null", c, hv, err)
		}
	}
	h.shutdown(t)
}
