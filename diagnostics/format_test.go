package diagnostics

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/format")

// sample returns findings over testdata/format/src/lib.rs (tabs, and a
// non-ASCII identifier before a range) plus the awkward cases: no file, no
// line, a file outside the root that cannot be read, a multi-line range.
func sample(t *testing.T) (root string, fs []Finding) {
	t.Helper()
	root, err := filepath.Abs("testdata/format")
	if err != nil {
		t.Fatal(err)
	}
	lib := filepath.Join(root, "src", "lib.rs")
	rng := func(l1, c1, l2, c2 int) Range { return Range{Start: Position{l1, c1}, End: Position{l2, c2}} }
	slab := "/nonexistent/include/linux/slab.h"
	fs = []Finding{
		{File: lib, Range: rng(12, 18, 12, 30), Severity: Warning, Code: "printk-format", Source: SourceRustko,
			Message: "the format of printk is not a string literal: a % in it is read as a conversion"},
		{File: lib, Range: rng(10, 25, 10, 32), Severity: Error, Code: "inline-function", Source: SourceRustko,
			Message: "kmalloc is a static inline function: it has no symbol to link against",
			Related: []Related{{File: slab, Range: Point(580, 1), Message: "kmalloc is defined here"}},
			Fixes: []Fix{{Title: "Add kmalloc to KERNEL_HELPERS in config.mk", Preferred: true,
				Edits: []Edit{{File: filepath.Join(root, "config.mk"), Range: Point(1, 1), NewText: "KERNEL_HELPERS += kmalloc\n"}}}}},
		{File: lib, Range: rng(11, 9, 11, 12), Severity: Error, Code: "float", Source: SourceRustko,
			Message: "f64 in kernel code: the kernel does not save FPU state for module code"},
		{File: lib, Range: rng(5, 5, 5, 11), Severity: Error, Code: "function-macro", Source: SourceRustko,
			Message: "printk is a macro over _printk since Linux 5.15\ncall _printk instead",
			Fixes:   []Fix{{Title: "Rename to _printk", Edits: []Edit{{File: lib, Range: rng(5, 5, 5, 11), NewText: "_printk"}}}}},
		{File: lib, Range: rng(4, 1, 6, 2), Severity: Hint, Code: CodeLegacyRustKo, Source: SourceRustko,
			Message: "this extern block can come from the generated bindings"},
		{File: lib, Range: Point(1, 1), Severity: Info, Source: SourceRustko, Message: "module hello: licence GPL"},
		{Severity: Error, Source: SourceModpost, Message: `"kmalloc" [hello.ko] undefined!`},
		{File: slab, Range: Point(3, 0), Severity: Warning, Code: "E0000", Source: SourceGCC, Message: "unreadable file, no snippet"},
	}
	return root, fs
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "format", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./diagnostics -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./diagnostics -run %s -update rewrites it)\n--- got\n%s\n--- want\n%s", name, t.Name(), got, want)
	}
}

func TestWriteTextGolden(t *testing.T) {
	root, fs := sample(t)
	for _, color := range []bool{false, true} {
		var b bytes.Buffer
		if err := WriteText(&b, fs, TextOptions{Root: root, Color: color}); err != nil {
			t.Fatal(err)
		}
		name := "text.golden"
		if color {
			name = "text-color.golden"
		}
		golden(t, name, b.Bytes())
	}
}

// The caret line copies the source's tabs and counts runes, so the marks sit
// under the range in any terminal.
func TestWriteTextCaretAlignment(t *testing.T) {
	src := "\tlet größe = f(x);\n"
	read := func(string) ([]byte, error) { return []byte(src), nil }
	var b bytes.Buffer
	// Bytes: \t(1) "let "(2-5) "größe"(6-12) " = "(13-15) "f(x)"(16-19): twelve
	// runes between the tab and the range.
	f := Finding{File: "/m/a.rs", Range: Range{Start: Position{1, 16}, End: Position{1, 20}}, Severity: Error, Message: "m"}
	if err := WriteText(&b, []Finding{f}, TextOptions{ReadFile: read}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(b.String(), "\n")
	if len(lines) < 3 {
		t.Fatalf("output:\n%s", b.String())
	}
	caret := lines[2]
	want := "   | \t" + strings.Repeat(" ", 12) + "^~~~"
	if caret != want {
		t.Errorf("caret line %q, want %q", caret, want)
	}
	// A read error only drops the snippet.
	b.Reset()
	WriteText(&b, []Finding{f}, TextOptions{ReadFile: func(string) ([]byte, error) { return nil, errors.New("gone") }})
	if got := b.String(); got != "/m/a.rs:1:16: error: m\n" {
		t.Errorf("without the file: %q", got)
	}
}

func TestWriteJSONGolden(t *testing.T) {
	root, fs := sample(t)
	var b bytes.Buffer
	if err := WriteJSON(&b, fs, root); err != nil {
		t.Fatal(err)
	}
	golden(t, "json.golden", b.Bytes())

	var decoded struct {
		Diagnostics []map[string]any `json:"diagnostics"`
	}
	if err := json.Unmarshal(b.Bytes(), &decoded); err != nil {
		t.Fatal(err)
	}
	// The nine fields always; related and fixes only where the finding has
	// some.
	keys := "code column endColumn endLine file line message severity source"
	withRelated, wantRelated, withFixes, wantFixes := 0, 0, 0, 0
	for _, f := range fs {
		if len(f.Related) > 0 {
			wantRelated++
		}
		if len(f.Fixes) > 0 {
			wantFixes++
		}
	}
	for _, d := range decoded.Diagnostics {
		var got []string
		for k := range d {
			switch k {
			case "related":
				withRelated++
				continue
			case "fixes":
				withFixes++
				continue
			}
			got = append(got, k)
		}
		if s := strings.Join(sortedStrings(got), " "); s != keys {
			t.Errorf("diagnostic keys %q, want exactly %q (and related, fixes)", s, keys)
		}
	}
	if withRelated != wantRelated {
		t.Errorf("%d diagnostics carry related, want %d (the findings with related places)", withRelated, wantRelated)
	}
	if withFixes != wantFixes || wantFixes == 0 {
		t.Errorf("%d diagnostics carry fixes, want %d (the findings with fixes; the sample must have some)", withFixes, wantFixes)
	}
	if d := decoded.Diagnostics[len(decoded.Diagnostics)-1]; d["file"] != "src/lib.rs" || d["line"].(float64) != 12 {
		t.Errorf("last diagnostic %v: files must be relative to the root and sorted", d)
	}

	b.Reset()
	if err := WriteJSON(&b, nil, root); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(strings.Fields(b.String()), ""); got != `{"diagnostics":[]}` {
		t.Errorf("no findings: %s", b.String())
	}
}

// TestJSONRelated: related places have the diagnostic's position fields,
// files relative to the root like the diagnostic's own.
func TestJSONRelated(t *testing.T) {
	root := "/m"
	for _, tc := range []struct {
		name string
		rel  []Related
		want string
	}{
		{"none", nil, `null`},
		{"inside and outside the root", []Related{
			{File: "/m/src/crash.c", Range: Range{Start: Position{23, 2}, End: Position{23, 9}}, Message: "called from crash_init"},
			{File: "/usr/lib/rustlib/src/rust/library/core/src/ptr/mod.rs", Range: Point(1574, 9), Message: "inlined"},
		}, `[{"file":"src/crash.c","line":23,"column":2,"endLine":23,"endColumn":9,"message":"called from crash_init"},` +
			`{"file":"/usr/lib/rustlib/src/rust/library/core/src/ptr/mod.rs","line":1574,"column":9,"endLine":1574,"endColumn":9,"message":"inlined"}]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := toJSONDiagnostic(Finding{File: "/m/src/lib.rs", Range: Point(20, 18), Severity: Error, Code: "module-oops", Message: "BUG", Related: tc.rel}, root)
			got, err := json.Marshal(d.Related)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("related %s, want %s", got, tc.want)
			}
		})
	}
}

// TestJSONFixes: a fix's edits have the diagnostic's position fields and
// the new text, files relative to the root (a new file's too: migrate's
// fixes create the rustko crate), so a script can apply what the editor's
// code action would.
func TestJSONFixes(t *testing.T) {
	root := "/m"
	for _, tc := range []struct {
		name  string
		fixes []Fix
		want  string
	}{
		{"none", nil, `null`},
		{"edit and new file", []Fix{{Title: "Depend on rustko", Preferred: true, Edits: []Edit{
			{File: "/m/Cargo.toml", Range: Range{Start: Position{10, 1}, End: Position{12, 1}}, NewText: "rustko = { path = \"rustko\" }\n"},
			{File: "/m/rustko/Cargo.toml", Range: Point(1, 1), NewText: "[package]\n"},
		}}, {Title: "Other", Edits: []Edit{{File: "/elsewhere/x.rs", Range: Point(2, 3), NewText: ""}}}},
			`[{"title":"Depend on rustko","preferred":true,"edits":[` +
				`{"file":"Cargo.toml","line":10,"column":1,"endLine":12,"endColumn":1,"newText":"rustko = { path = \"rustko\" }\n"},` +
				`{"file":"rustko/Cargo.toml","line":1,"column":1,"endLine":1,"endColumn":1,"newText":"[package]\n"}]},` +
				`{"title":"Other","edits":[{"file":"/elsewhere/x.rs","line":2,"column":3,"endLine":2,"endColumn":3,"newText":""}]}]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := toJSONDiagnostic(Finding{File: "/m/Cargo.toml", Range: Point(10, 1), Severity: Warning, Code: "legacy-rust.ko", Message: "m", Fixes: tc.fixes}, root)
			got, err := json.Marshal(d.Fixes)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("fixes %s\nwant       %s", got, tc.want)
			}
		})
	}
}

func TestWriteSARIFGolden(t *testing.T) {
	root, fs := sample(t)
	var b bytes.Buffer
	if err := WriteSARIF(&b, fs, root, "v1.2.3"); err != nil {
		t.Fatal(err)
	}
	// The root's absolute path differs between machines.
	out := bytes.ReplaceAll(b.Bytes(), []byte("file://"+filepath.ToSlash(root)+"/"), []byte("file:///ROOT/"))
	golden(t, "sarif.golden", out)

	var log struct {
		Schema  string `json:"$schema"`
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID string `json:"id"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex int    `json:"ruleIndex"`
				Level     string `json:"level"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI       string `json:"uri"`
							URIBaseID string `json:"uriBaseId"`
						} `json:"artifactLocation"`
						Region struct {
							StartLine, StartColumn, EndLine, EndColumn int
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || !strings.Contains(log.Schema, "sarif-schema-2.1.0") || len(log.Runs) != 1 || log.Runs[0].Tool.Driver.Name != "rustko-lsp" {
		t.Fatalf("SARIF header: %+v", log)
	}
	run := log.Runs[0]
	if len(run.Results) != len(fs) {
		t.Errorf("%d results for %d findings", len(run.Results), len(fs))
	}
	for _, r := range run.Results {
		if r.RuleIndex >= len(run.Tool.Driver.Rules) || run.Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID {
			t.Errorf("result %s points at rule %d", r.RuleID, r.RuleIndex)
		}
		if r.Level != "error" && r.Level != "warning" && r.Level != "note" {
			t.Errorf("level %q", r.Level)
		}
		if r.RuleID == "inline-function" {
			loc := r.Locations[0].PhysicalLocation
			// "größe" is 7 bytes but 5 UTF-16 code units: byte column 25 is unit column 23.
			if loc.ArtifactLocation.URI != "src/lib.rs" || loc.ArtifactLocation.URIBaseID != "SRCROOT" || loc.Region.StartColumn != 23 || loc.Region.EndColumn != 30 {
				t.Errorf("inline-function location %+v", loc)
			}
		}
	}
}

func TestSortHasErrorsSummary(t *testing.T) {
	fs := []Finding{
		{File: "b", Range: Point(1, 1), Code: "x", Severity: Warning},
		{File: "a", Range: Point(2, 1), Code: "x", Severity: Error},
		{File: "a", Range: Point(1, 5), Code: "y", Severity: Info},
		{File: "a", Range: Point(1, 5), Code: "x", Severity: Warning, Message: "2"},
		{File: "a", Range: Point(1, 5), Code: "x", Severity: Warning, Message: "1"},
	}
	Sort(fs)
	var order []string
	for _, f := range fs {
		order = append(order, f.File+f.Code+f.Message)
	}
	if got := strings.Join(order, ","); got != "ax1,ax2,ay,ax,bx" {
		t.Errorf("order %s", got)
	}
	if !HasErrors(fs) || HasErrors(fs[2:3]) || HasErrors(nil) {
		t.Error("HasErrors")
	}
	if got := Summary(fs); got != "1 error, 3 warnings, 1 info" {
		t.Errorf("Summary %q", got)
	}
	if Summary(nil) != "" {
		t.Error("Summary of nothing")
	}
}

func TestRelPath(t *testing.T) {
	tests := []struct{ root, file, want string }{
		{"/m", "/m/src/lib.rs", "src/lib.rs"},
		{"/m/", "/m/x.json", "x.json"},
		{"/m", "/mod/x.rs", "/mod/x.rs"},
		{"/m", "/usr/src/linux/slab.h", "/usr/src/linux/slab.h"},
		{"", "/m/a", "/m/a"},
		{"/m", "rel/a", "rel/a"},
		{"/m", "", ""},
		{"/m", "/m/..x/a", "..x/a"},
	}
	for _, tt := range tests {
		if got := relPath(tt.root, tt.file); got != tt.want {
			t.Errorf("relPath(%q, %q) = %q, want %q", tt.root, tt.file, got, tt.want)
		}
	}
}

func sortedStrings(s []string) []string {
	out := append([]string{}, s...)
	sort.Strings(out)
	return out
}

// The CI clone lives somewhere else than a laptop's checkout: the order of
// the output must not depend on where the module root is, only on the paths
// as shown. (Sorting absolute paths put /nonexistent/... before the module's
// files under /work and after them under a root that sorts before "/n".)
func TestSortIndependentOfCheckout(t *testing.T) {
	outside := "/nonexistent/include/linux/slab.h"
	for _, root := range []string{"/a/mod", "/work/mod", "/zz/mod"} {
		fs := []Finding{
			{File: filepath.Join(root, "src", "lib.rs"), Range: Point(1, 1), Message: "in"},
			{File: outside, Range: Point(1, 1), Message: "out"},
		}
		var got []string
		for _, f := range sorted(fs, root) {
			got = append(got, relPath(root, f.File))
		}
		want := []string{outside, "src/lib.rs"}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("root %s: order %v, want %v", root, got, want)
		}
	}
}
