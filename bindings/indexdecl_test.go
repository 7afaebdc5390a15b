package bindings

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/bindings/index"
)

// TestIndexDeclsOnRealHeaders: on the pinned tree, members keep the
// qualifiers the header writes (cc/v4 drops a member pointee's const) and
// the line of their own declarator; records the layout proves packed say
// so. What hover and definition show comes from here.
func TestIndexDeclsOnRealHeaders(t *testing.T) {
	k, f := realKernel(t)
	dir := t.TempDir()
	res, err := Generate(context.Background(), Options{Kernel: k, Flags: f, Headers: sixHeaders,
		Out: filepath.Join(dir, "bindings.rs"), NoCache: true, CacheDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	// The round trip through the stored form must keep what hover reads.
	ix, err := LoadIndex(res.IndexFile)
	if err != nil {
		t.Fatal(err)
	}
	record := func(name string) *index.Item {
		for _, it := range ix.Lookup(name) {
			if it.Kind == index.Struct && len(it.Fields) > 0 {
				return it
			}
		}
		t.Fatalf("no struct %s with fields in the index", name)
		return nil
	}
	fields := []struct {
		record, field string
		decl          string
		line          string // the header line the field's position must be on
	}{
		{"file", "f_op", "const struct file_operations *f_op", "const struct file_operations\t*f_op;"},
		{"file", "f_flags", "unsigned int f_flags", "unsigned int \t\tf_flags;"},
		{"file", "f_cred", "const struct cred *f_cred", "const struct cred\t*f_cred;"},
		{"file_operations", "owner", "struct module *owner", "struct module *owner;"},
		{"module", "name", "char name[56]", "char name[MODULE_NAME_LEN];"},
	}
	for _, tc := range fields {
		t.Run(tc.record+"."+tc.field, func(t *testing.T) {
			rec := record(tc.record)
			var fl *index.Field
			for i := range rec.Fields {
				if rec.Fields[i].Name == tc.field {
					fl = &rec.Fields[i]
				}
			}
			if fl == nil {
				t.Fatalf("struct %s has no field %s", tc.record, tc.field)
			}
			if fl.Decl != tc.decl {
				t.Errorf("decl %q, want %q", fl.Decl, tc.decl)
			}
			if fl.Pos.File != rec.Pos.File || fl.Pos.Line <= rec.Pos.Line {
				t.Fatalf("field at %+v, record at %+v: want a later line of the same header", fl.Pos, rec.Pos)
			}
			b, err := os.ReadFile(fl.Pos.File)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(string(b), "\n")
			// Whitespace differs between kernels (6.1 and 7.x align
			// fs.h's fields with other tabs): compare it collapsed.
			if got := strings.Join(strings.Fields(lines[fl.Pos.Line-1]), " "); got != strings.Join(strings.Fields(tc.line), " ") {
				t.Errorf("%s:%d is %q, want %q", fl.Pos.File, fl.Pos.Line, got, tc.line)
			}
		})
	}
	if d := record("file").Decl; !strings.Contains(d, "\tconst struct file_operations *f_op;\n") {
		t.Errorf("struct file's declaration lacks the const of f_op:\n%s", d)
	}
	// Attributes the layout proves: desc_struct is "} __attribute__((packed));"
	// in asm/desc_defs.h, file_operations has none that matter. (alt_instr,
	// packed too, is not reached from the six headers on 7.x.)
	records := []struct {
		name string
		end  string
	}{
		{"desc_struct", "} __packed"},
		{"file_operations", "}"},
	}
	for _, tc := range records {
		if d := record(tc.name).Decl; !strings.HasSuffix(d, "\n"+tc.end) {
			t.Errorf("struct %s's declaration ends %q, want %q", tc.name, d[strings.LastIndex(d, "\n")+1:], tc.end)
		}
	}
}
