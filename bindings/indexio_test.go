package bindings

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/bindings/index"
	"github.com/rustko/rustko-lsp/internal/cputime"
)

func sampleIndex() *index.Index {
	return &index.Index{
		Version: index.Version, Kernel: "6.12.57+deb13-amd64", Arch: "x86_64", CharUnsigned: true,
		Headers: []string{"linux/fs.h", "linux/slab.h"}, BindingsFile: "/m/src/bindings.rs",
		Items: []*index.Item{
			{Name: "file", Kind: index.Struct, Decl: "struct file {\n\tint x;\n}", Pos: index.Pos{File: "/k/include/linux/fs.h", Line: 940, Column: 1},
				Rust: "file", RustDecl: "pub struct file {", Size: 232, Align: 8,
				Fields: []index.Field{{Name: "f_mode", RustName: "f_mode", CType: "fmode_t", Offset: 20,
					Decl: "fmode_t f_mode", Pos: index.Pos{File: "/k/include/linux/fs.h", Line: 948, Column: 12}},
					{Name: "bits", RustName: "bits()", CType: "unsigned int", Offset: 24, BitOffset: 3, BitWidth: 5}}},
			{Name: "__kmalloc", Kind: index.Function, Decl: "extern void *__kmalloc(size_t size, gfp_t flags)", Rust: "__kmalloc",
				Params: []index.Param{{Name: "size", CType: "size_t"}, {Name: "flags", CType: "gfp_t"}}, Result: "void *", Export: index.Exported},
			{Name: "_printk", Kind: index.Function, Variadic: true, Export: index.GPLOnly},
			{Name: "GFP_KERNEL", Kind: index.Macro, Value: "0xcc0", ValueType: "gfp_t", Expansion: "(__GFP_RECLAIM | __GFP_IO | __GFP_FS)", Rust: "GFP_KERNEL"},
			{Name: "printk", Kind: index.FunctionMacro, Params: []index.Param{{Name: "fmt"}, {Name: "..."}}, Why: "function-like macro",
				Verdict: &index.Verdict{Class: "exported-call", Advice: "call _printk", Target: "_printk"}},
			{Name: "neg", Kind: index.EnumConstant, Value: "-2", Size: -1},
		},
	}
}

func TestIndexRoundTrip(t *testing.T) {
	ix := sampleIndex()
	p := filepath.Join(t.TempDir(), "b.index")
	if err := os.WriteFile(p, writeIndexBytes(ix), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := LoadIndex(p)
	if err != nil {
		t.Fatal(err)
	}
	if got.Kernel != ix.Kernel || got.Arch != ix.Arch || got.CharUnsigned != ix.CharUnsigned || got.BindingsFile != ix.BindingsFile || !reflect.DeepEqual(got.Headers, ix.Headers) {
		t.Errorf("header: %+v", got)
	}
	if len(got.Items) != len(ix.Items) {
		t.Fatalf("%d items, want %d", len(got.Items), len(ix.Items))
	}
	for i := range ix.Items {
		if !reflect.DeepEqual(got.Items[i], ix.Items[i]) {
			t.Errorf("item %d:\n got %+v\nwant %+v", i, got.Items[i], ix.Items[i])
		}
	}
	if it := got.LookupRust("GFP_KERNEL"); it == nil || it.Value != "0xcc0" {
		t.Errorf("lookup after load: %+v", it)
	}
}

func TestLoadIndexErrors(t *testing.T) {
	good := writeIndexBytes(sampleIndex())
	wrongVersion := append([]byte(indexMagic), 1, byte(index.Version+1))
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "not a rustko bindings index"},
		{"json", []byte(`{"version":1}`), "not a rustko bindings index"},
		{"other version", wrongVersion, "regenerate"},
		{"truncated", good[:len(good)/2], "corrupt"},
		{"trailing bytes", append(append([]byte(nil), good...), 0), "after the last item"},
	}
	for _, tc := range tests {
		p := filepath.Join(t.TempDir(), "b.index")
		if err := os.WriteFile(p, tc.data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := LoadIndex(p)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "rustko-lsp bindgen") {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	if _, err := LoadIndex(filepath.Join(t.TempDir(), "missing")); err == nil || !strings.Contains(err.Error(), "rustko-lsp bindgen") {
		t.Errorf("missing file: %v", err)
	}
}

// FuzzLoadIndex: the index is read from disk, so any bytes must give an
// index or an error, never a panic or a huge allocation.
func FuzzLoadIndex(f *testing.F) {
	good := writeIndexBytes(sampleIndex())
	f.Add(good)
	f.Add(good[:len(good)-3])
	f.Add([]byte(indexMagic))
	f.Add(append([]byte(indexMagic), 1, 1, 0xff, 0xff, 0xff, 0xff, 0x0f))
	f.Fuzz(func(t *testing.T, b []byte) {
		ix, err := decodeIndex(b)
		if err == nil {
			// What decodes must encode back to something that decodes the same.
			again, err := decodeIndex(writeIndexBytes(ix))
			if err != nil || len(again.Items) != len(ix.Items) {
				t.Fatalf("re-encoding a decoded index: %v", err)
			}
		}
	})
}

func BenchmarkLoadIndex(b *testing.B) {
	k, f := realKernel(b)
	dir := b.TempDir()
	res, err := Generate(b.Context(), Options{Kernel: k, Flags: f, Headers: sixHeaders, Out: filepath.Join(dir, "bindings.rs"), CacheDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(res.Index.Items)), "items")
	b.ResetTimer()
	cpu0, n := cputime.Process(), 0
	defer func() { reportCPU(b, cpu0, n) }()
	for b.Loop() {
		n++
		if _, err := LoadIndex(res.IndexFile); err != nil {
			b.Fatal(err)
		}
	}
}
