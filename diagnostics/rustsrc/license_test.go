package rustsrc

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/module"

	"github.com/rustko/rustko-lsp/internal/testtree"
)

func TestReadLicense(t *testing.T) {
	tests := []struct {
		name, file, src string
		value           string // "" with want "" means ErrNoLicense
		line, col       int
		endLine, endCol int
		source          string
	}{
		{"C shim", "m.c", "#include <linux/module.h>\nMODULE_LICENSE(\"GPL\");\n", "GPL", 2, 17, 2, 20, "MODULE_LICENSE"},
		{"C concatenation", "m.c", "MODULE_LICENSE( \"Dual \"\n  \"MIT/GPL\" );", "Dual MIT/GPL", 1, 18, 2, 11, "MODULE_LICENSE"},
		{"C comments are skipped", "m.c", "// MODULE_LICENSE(\"MIT\");\n/* MODULE_LICENSE(\"BSD\"); */\nMODULE_LICENSE(\"GPL v2\");\n", "GPL v2", 3, 17, 3, 23, "MODULE_LICENSE"},
		{"C string mentioning it is skipped", "m.c", "const char *s = \"MODULE_LICENSE(\\\"MIT\\\")\";\nMODULE_LICENSE(\"GPL\");", "GPL", 2, 17, 2, 20, "MODULE_LICENSE"},
		{"C escapes decode", "m.c", "MODULE_LICENSE(\"GPL\\x20v2\");", "GPL v2", 1, 17, 1, 26, "MODULE_LICENSE"},
		{"C #define is not a declaration", "m.c", "#define LIC \\\n  MODULE_LICENSE(\"Proprietary\")\nLIC;\n", "", 0, 0, 0, 0, ""},
		{"C quote in a directive", "m.c", "#warning this won't build\nMODULE_LICENSE(\"GPL\");\n", "GPL", 2, 17, 2, 20, "MODULE_LICENSE"},
		{"C directive after an unterminated quote", "m.c", "x = 'a;\n#define L MODULE_LICENSE(\"MIT\")\nMODULE_LICENSE(\"GPL\");\n", "GPL", 3, 17, 3, 20, "MODULE_LICENSE"},
		{"C non-literal argument", "m.c", "MODULE_LICENSE(LIC);\n", "", 0, 0, 0, 0, ""},
		{"C empty licence", "m.c", "MODULE_LICENSE(\"\");", "", 1, 17, 1, 17, "MODULE_LICENSE"},
		{"MIT alone", "m.c", "MODULE_LICENSE(\"MIT\");", "MIT", 1, 17, 1, 20, "MODULE_LICENSE"},
		{"Rust byte string", "lib.rs", "#[link_section = \".modinfo\"]\n#[used]\npub static LICENSE: [u8; 12] = *b\"license=GPL\\0\";\n", "GPL", 3, 43, 3, 46, ".modinfo"},
		{"Rust several entries and a lifetime", "lib.rs", "#[link_section = \".modinfo\"]\nstatic M: &'static [u8] = b\"author=me\\0license=Dual MIT/GPL\\0\";", "Dual MIT/GPL", 2, 48, 2, 60, ".modinfo"},
		{"Rust byte chars", "lib.rs", "#[link_section=\".modinfo\"] static L: [u8; 12] = [b'l', b'i', b'c', b'e', b'n', b's', b'e', b'=', b'M', b'I', b'T', 0];", "MIT", 1, 100, 1, 113, ".modinfo"},
		{"Rust 2024 unsafe attribute and raw string", "lib.rs", "#[unsafe(link_section = \".modinfo\")]\n#[used]\nstatic L: [u8; 12] = *br#\"license=GPL\"#;\n", "GPL", 3, 35, 3, 38, ".modinfo"},
		{"Rust: other sections and comments do not count", "lib.rs", "// #[link_section = \".modinfo\"] static A: [u8;3] = *b\"license=X\";\n/* #[link_section = \".modinfo\"] /* nested */ */\n" +
			"#[link_section = \".text\"] static B: [u8; 11] = *b\"license=GPL\";\nconst S: &str = \"link_section = \\\".modinfo\\\" license=GPL\";\n", "", 0, 0, 0, 0, ""},
		{"Rust modinfo without licence", "lib.rs", "#[link_section = \".modinfo\"]\nstatic A: [u8; 10] = *b\"author=me\\0\";\n", "", 0, 0, 0, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := testtree.Write(t, map[string]string{tt.file: tt.src})
			path := filepath.Join(root, tt.file)
			l, err := ReadLicense([]string{path})
			if tt.source == "" {
				if !errors.Is(err, ErrNoLicense) {
					t.Fatalf("got %v, %v; want ErrNoLicense", l, err)
				}
				if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), `MODULE_LICENSE("GPL")`) {
					t.Errorf("error %q should name the file and the fix", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := module.License{Value: tt.value, File: path, Line: tt.line, Column: tt.col, EndLine: tt.endLine, EndColumn: tt.endCol, Source: tt.source}
			if *l != want {
				t.Errorf("License = %#v, want %#v", *l, want)
			}
		})
	}
}

func TestReadLicenseOrder(t *testing.T) {
	root := testtree.Write(t, map[string]string{
		"src/module.c": "int x;\n",
		"src/lib.rs":   "#[link_section = \".modinfo\"] static L: [u8; 16] = *b\"license=Dual BSD/GPL\";",
		"src/other.c":  "MODULE_LICENSE(\"MIT\");\n",
	})
	files := []string{filepath.Join(root, "src/module.c"), filepath.Join(root, "src/lib.rs"), filepath.Join(root, "src/other.c")}
	l, err := ReadLicense(files)
	if err != nil {
		t.Fatal(err)
	}
	if l.Value != "Dual BSD/GPL" {
		t.Errorf("first licence = %q, want %q", l.Value, "Dual BSD/GPL")
	}
	all, err := ReadLicenses(files)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 {
		t.Errorf("all = %d licences, want 2: %v", len(all), all)
	}
	if _, err := ReadLicense([]string{filepath.Join(root, "missing.c")}); err == nil || errors.Is(err, ErrNoLicense) {
		t.Errorf("unreadable file: err = %v, want a read error", err)
	}
}

// FuzzLicenseLexer: any C or Rust text lexes without a panic, and every
// licence found has an in-bounds, ordered range.
func FuzzLicenseLexer(f *testing.F) {
	f.Add("MODULE_LICENSE(\"GPL\");", false)
	f.Add("#define X \\\nMODULE_LICENSE(\"a\" \"b\")\n/* x", false)
	f.Add("#[link_section = \".modinfo\"] static L: &'static [u8] = b\"license=GPL\\0\\x41\\u{1F600}\";", true)
	f.Add("#[link_section=\".modinfo\"] static L: [u8;3] = [b'l', b'\\'', 'a'];  r##\"x\"# /* /* */", true)
	f.Fuzz(func(t *testing.T, src string, rust bool) {
		var ls []module.License
		if rust {
			ls = rustLicenses("f.rs", []byte(src))
		} else {
			ls = cLicenses("f.c", []byte(src))
		}
		lines := newPositions("", []byte(src)).lines
		for _, l := range ls {
			if l.Line < 1 || l.Line > len(lines) || l.EndLine < l.Line || (l.EndLine == l.Line && l.EndColumn < l.Column) {
				t.Fatalf("bad range %+v in %q", l, src)
			}
			if off := lines[l.EndLine-1] + l.EndColumn - 1; off > len(src) {
				t.Fatalf("range end %d beyond the source (%d bytes): %+v", off, len(src), l)
			}
		}
	})
}
