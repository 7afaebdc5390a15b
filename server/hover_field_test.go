package server

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

// fieldLib reads fields of struct file through a pointer, as a module's
// file operations do.
const fieldLib = `#![no_std]
#[allow(dead_code)]
mod bindings;

pub unsafe fn peek(f: *const bindings::file) -> u32 {
    let f = &*f;
    let _ops = f.f_op;
    f.f_flags
}

#[panic_handler]
fn panic(_info: &core::panic::PanicInfo) -> ! {
    loop {}
}
`

// TestRealFieldHoverAndDefinition: on the real 6.1 index, a field's hover
// shows the header's declaration with its qualifiers, and hover and
// definition point at the field's own line of include/linux/fs.h, not at
// the first line of struct file.
func TestRealFieldHoverAndDefinition(t *testing.T) {
	root := copyModule(t, fieldLib)
	h := startReal(t, root, "")
	lib := filepath.Join(root, "src", "lib.rs")
	h.open(t, lib, fieldLib)
	h.waitFor(t, realTimeout, "the index (bindings of the 6 default headers)", func() bool {
		return h.hoverAt(t, lib, fieldLib, "f_flags\n") != nil
	})
	tests := []struct {
		at       string // cursor on the first byte of this text
		decl     string // in the hover's C block
		hdrLine  string // the header line definition and "declared in" point at, trimmed
		notInDoc string
	}{
		{"f_op;", "```c\nconst struct file_operations *f_op;\n```", "const struct file_operations\t*f_op;", "struct file_operations *f_op;\n```"},
		{"f_flags\n", "```c\nunsigned int f_flags;\n```", "unsigned int \t\tf_flags;", ""},
	}
	for _, tc := range tests {
		t.Run(strings.TrimRight(tc.at, ";\n"), func(t *testing.T) {
			got := hoverValue(h.hoverAt(t, lib, fieldLib, tc.at))
			if !strings.Contains(got, tc.decl) || !strings.Contains(got, "of struct file") {
				t.Errorf("hover lacks %q:\n%s", tc.decl, got)
			}
			if tc.notInDoc != "" && strings.Contains(got, "```c\n"+tc.notInDoc) {
				t.Errorf("hover drops the const:\n%s", got)
			}
			off := strings.Index(fieldLib, tc.at)
			def, err := h.server.Definition(h.ctx, &protocol.DefinitionParams{TextDocumentPositionParams: protocol.TextDocumentPositionParams{
				TextDocument: protocol.TextDocumentIdentifier{URI: uri.File(lib)}, Position: newText(fieldLib).position(off, utf16)}})
			must(t, err)
			loc, ok := def.(*protocol.Location)
			if !ok {
				t.Fatalf("definition = %#v, want a location", def)
			}
			_, hdr := uriKey(loc.URI)
			if !strings.HasSuffix(hdr, "/include/linux/fs.h") {
				t.Fatalf("definition in %s, want include/linux/fs.h", hdr)
			}
			hb, err := os.ReadFile(hdr)
			must(t, err)
			line := newText(string(hb)).line(int(loc.Range.Start.Line))
			if strings.TrimSpace(line) != tc.hdrLine {
				t.Errorf("definition on fs.h:%d %q, want %q", loc.Range.Start.Line+1, line, tc.hdrLine)
			}
			if want := fmt.Sprintf("fs.h:%d](", loc.Range.Start.Line+1); !strings.Contains(got, want) {
				t.Errorf("hover's \"declared in\" lacks %q:\n%s", want, got)
			}
			// The column is the field name's, in UTF-16 units.
			if name := strings.TrimRight(tc.at, ";\n"); !strings.HasPrefix(line[byteCol(line, int(loc.Range.Start.Character)):], name) {
				t.Errorf("definition column %d of %q is not on %s", loc.Range.Start.Character, line, name)
			}
		})
	}
	h.shutdown(t)
}

// byteCol is the byte offset of a UTF-16 column in an ASCII header line.
func byteCol(line string, col int) int { return min(col, len(line)) }
