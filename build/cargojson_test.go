package build

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/diagnostics"
)

// The testdata files are real cargo output: rustc 1.63 (Debian) for the
// module in /tmp/proto/bad, and both toolchains for host mode.
func TestParseCargoMessages(t *testing.T) {
	const root = "/tmp/proto/bad"
	type want struct {
		file      string // relative to root
		line, col int
		endCol    int // 0: not checked
		sev       diagnostics.Severity
		code      string
		msg       string // substring
		related   int
		fixes     int
	}
	tests := []struct {
		name      string
		file      string
		root      string
		host      bool
		success   bool
		fresh     bool
		artifacts int
		want      []want
	}{
		{
			name: "type error, macro from core re-homed to the call", file: "type-error.jsonl", root: root,
			want: []want{
				// `let x: i32 = "héllo";` -- é is two bytes, so the end moves one further in bytes than in chars.
				{file: "src/lib.rs", line: 9, col: 18, endCol: 26, sev: diagnostics.Error, code: "E0308", msg: "expected `i32`, found `&str`", related: 1},
				{file: "src/lib.rs", line: 16, col: 5, sev: diagnostics.Error, code: "E0308", msg: "mismatched types", related: 1},
			},
		},
		{
			name: "warnings with machine-applicable fixes", file: "warnings.jsonl", root: root, success: true, artifacts: 1,
			want: []want{
				{file: "src/lib.rs", line: 9, col: 9, sev: diagnostics.Warning, code: "unused_variables", msg: "unused variable: `x`", fixes: 1},
				{file: "src/lib.rs", line: 10, col: 9, sev: diagnostics.Warning, code: "unused_variables", fixes: 1},
				{file: "src/lib.rs", line: 11, col: 9, sev: diagnostics.Warning, code: "unused_mut", msg: "does not need to be mutable", fixes: 1},
			},
		},
		{name: "rustc 1.95 host ABI warnings dropped in host mode", file: "host-abi-1.95.jsonl", root: "/tmp/proto/hello", host: true, success: true, artifacts: 1},
		{name: "rustc 1.63 host soft-float warning dropped in host mode", file: "host-abi-1.63.jsonl", root: "/tmp/proto/hello", host: true, success: true, artifacts: 1},
		{
			name: "the same warnings kept outside host mode", file: "host-abi-1.95.jsonl", root: "/tmp/proto/hello", success: true, artifacts: 1,
			want: []want{
				{file: "src/lib.rs", line: 1, col: 1, sev: diagnostics.Warning, msg: "soft-float"},
				{file: "src/lib.rs", line: 1, col: 1, sev: diagnostics.Warning, msg: "sse2"},
				{file: "src/lib.rs", line: 1, col: 1, sev: diagnostics.Warning, msg: "soft-float"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "cargo", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			got := parseCargoMessages(data, tt.root, tt.host)
			if got.Success != tt.success || got.Fresh != tt.fresh || len(got.Artifacts) != tt.artifacts {
				t.Errorf("success %v fresh %v artifacts %d, want %v %v %d", got.Success, got.Fresh, len(got.Artifacts), tt.success, tt.fresh, tt.artifacts)
			}
			if len(got.Findings) != len(tt.want) {
				for _, f := range got.Findings {
					t.Log(f)
				}
				t.Fatalf("%d findings, want %d", len(got.Findings), len(tt.want))
			}
			for i, w := range tt.want {
				f := got.Findings[i]
				if f.File != filepath.Join(tt.root, w.file) || f.Range.Start.Line != w.line || f.Range.Start.Column != w.col ||
					f.Severity != w.sev || f.Code != w.code || f.Source != diagnostics.SourceRustc {
					t.Errorf("finding %d = %s (%s), want %s:%d:%d %s [%s]", i, f, f.Source, w.file, w.line, w.col, w.sev, w.code)
				}
				if w.endCol != 0 && f.Range.End.Column != w.endCol {
					t.Errorf("finding %d ends at column %d, want %d", i, f.Range.End.Column, w.endCol)
				}
				if !strings.Contains(f.Message, w.msg) {
					t.Errorf("finding %d message %q lacks %q", i, f.Message, w.msg)
				}
				if len(f.Related) != w.related {
					t.Errorf("finding %d has %d related, want %d: %+v", i, len(f.Related), w.related, f.Related)
				}
				if len(f.Fixes) != w.fixes {
					t.Errorf("finding %d has %d fixes, want %d", i, len(f.Fixes), w.fixes)
				}
			}
		})
	}
}

func TestParseCargoFixEdits(t *testing.T) {
	data, err := os.ReadFile("testdata/cargo/warnings.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	got := parseCargoMessages(data, "/tmp/proto/bad", false)
	want := []diagnostics.Fix{
		{Title: "if this is intentional, prefix it with an underscore", Preferred: true, Edits: []diagnostics.Edit{
			{File: "/tmp/proto/bad/src/lib.rs", Range: diagnostics.Range{Start: diagnostics.Position{Line: 9, Column: 9}, End: diagnostics.Position{Line: 9, Column: 10}}, NewText: "_x"}}},
		{Title: "if this is intentional, prefix it with an underscore", Preferred: true, Edits: []diagnostics.Edit{
			{File: "/tmp/proto/bad/src/lib.rs", Range: diagnostics.Range{Start: diagnostics.Position{Line: 10, Column: 9}, End: diagnostics.Position{Line: 10, Column: 15}}, NewText: "_unused"}}},
		{Title: "remove this `mut`", Preferred: true, Edits: []diagnostics.Edit{
			{File: "/tmp/proto/bad/src/lib.rs", Range: diagnostics.Range{Start: diagnostics.Position{Line: 11, Column: 9}, End: diagnostics.Position{Line: 11, Column: 13}}, NewText: ""}}},
	}
	for i, w := range want {
		if len(got.Findings[i].Fixes) != 1 {
			t.Fatalf("finding %d: %d fixes", i, len(got.Findings[i].Fixes))
		}
		g := got.Findings[i].Fixes[0]
		if g.Title != w.Title || g.Preferred != w.Preferred || len(g.Edits) != 1 || g.Edits[0] != w.Edits[0] {
			t.Errorf("fix %d = %+v, want %+v", i, g, w)
		}
	}
}

func TestByteColumn(t *testing.T) {
	tests := []struct {
		text string
		col  int
		want int
	}{
		{"abc", 1, 1},
		{"abc", 3, 3},
		{"abc", 4, 4}, // just past the end
		{"abc", 6, 6},
		{"héllo", 3, 4},
		{"日本語x", 4, 10},
		{"", 5, 5}, // no text: the character column is kept
		{"abc", 0, 1},
		{"abc", -3, 1},
	}
	for _, tt := range tests {
		if got := byteColumn(tt.text, tt.col); got != tt.want {
			t.Errorf("byteColumn(%q, %d) = %d, want %d", tt.text, tt.col, got, tt.want)
		}
	}
}

func TestCargoFailure(t *testing.T) {
	tests := []struct {
		name, stderr string
		file         string
		line, col    int
	}{
		{"cargo 1.65 TOML error", "error: failed to parse manifest at `/m/Cargo.toml`\n\nCaused by:\n  could not parse input as TOML\n\nCaused by:\n  TOML parse error at line 22, column 7\n", "/m/Cargo.toml", 22, 7},
		{"cargo 1.95 TOML error", "error: key with no value, expected `=`\n  --> Cargo.toml:22:7\n   |\n22 | bogus line\n", "/m/Cargo.toml", 22, 7},
		{"missing target spec", "   Compiling x\nerror: target path \"/nonexist.json\" is not a valid file\n", "/m/Cargo.toml", 1, 1},
		{"nothing said", "", "/m/Cargo.toml", 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := cargoFailure("/m", []byte(tt.stderr))
			if f.File != tt.file || f.Range.Start.Line != tt.line || f.Range.Start.Column != tt.col || f.Severity != diagnostics.Error {
				t.Errorf("got %s", f)
			}
			if strings.HasPrefix(f.Message, "error:") || f.Message == "" {
				t.Errorf("message %q", f.Message)
			}
		})
	}
}

func FuzzParseCargoMessages(f *testing.F) {
	files, _ := filepath.Glob("testdata/cargo/*.jsonl")
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, false)
		f.Add(data, true)
	}
	f.Add([]byte(`{"reason":"compiler-message","message":{"level":"error","message":"x","spans":[{"file_name":"a.rs","line_start":-1,"column_start":99,"column_end":-5,"text":[{"text":"é"}],"expansion":{"span":{"file_name":"/abs.rs"}}}]}}`), false)
	f.Fuzz(func(t *testing.T, data []byte, host bool) {
		res := parseCargoMessages(data, "/m", host)
		for _, fd := range res.Findings {
			checkFinding(t, fd)
		}
	})
}

// checkFinding asserts what every parser promises: absolute files and
// positions a client can use.
func checkFinding(t *testing.T, f diagnostics.Finding) {
	t.Helper()
	if !filepath.IsAbs(f.File) {
		t.Fatalf("relative file in %s", f)
	}
	ranges := []diagnostics.Range{f.Range}
	for _, r := range f.Related {
		if !filepath.IsAbs(r.File) {
			t.Fatalf("relative related file %q in %s", r.File, f)
		}
		ranges = append(ranges, r.Range)
	}
	for _, fx := range f.Fixes {
		for _, e := range fx.Edits {
			if !filepath.IsAbs(e.File) {
				t.Fatalf("relative edit file %q in %s", e.File, f)
			}
			ranges = append(ranges, e.Range)
		}
	}
	for _, r := range ranges {
		if r.Start.Line < 1 || r.Start.Column < 1 || r.End.Line < r.Start.Line || (r.End.Line == r.Start.Line && r.End.Column < r.Start.Column) {
			t.Fatalf("bad range %+v in %s", r, f)
		}
	}
	if f.Severity < diagnostics.Error || f.Severity > diagnostics.Hint {
		t.Fatalf("bad severity in %s", f)
	}
}

// TestNonUTF8CrateRoot: rustc 1.63 says a crate root that is not UTF-8
// cannot be read, without a position (real output, ROOT standing for the
// module); the finding goes on the first byte that is not UTF-8.
func TestNonUTF8CrateRoot(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "src"), 0o755); err != nil {
		t.Fatal(err)
	}
	// é in Latin-1: line 3, after "// caf" (6 bytes).
	if err := os.WriteFile(filepath.Join(root, "src", "lib.rs"), []byte("#![no_std]\npub fn g() {}\n// caf\xe9\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("testdata/cargo/non-utf8-1.63.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	got := parseCargoMessages([]byte(strings.ReplaceAll(string(data), "ROOT", root)), root, false)
	if len(got.Findings) != 1 {
		t.Fatalf("findings %v, want one", got.Findings)
	}
	f := got.Findings[0]
	if f.File != filepath.Join(root, "src", "lib.rs") || f.Range.Start != (diagnostics.Position{Line: 3, Column: 7}) ||
		!strings.Contains(f.Message, "byte `233` is not valid UTF-8") {
		t.Errorf("got %s, want src/lib.rs:3:7 naming byte 233", f)
	}
}
