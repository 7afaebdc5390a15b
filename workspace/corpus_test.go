package workspace

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/internal/testkernel"

	"github.com/rustko/rustko-lsp/internal/testtree"
)

// corpusDir is the corpus: modules in txtar archives, the findings each
// must get marked next to the code. It sits with the analysis, whose own
// tests read its Rust files.
var corpusDir = filepath.Join("..", "diagnostics", "rustsrc", "testdata", "corpus")

// corpusLoader is the corpus tests' one Loader: the kernel tree, its flags
// and its header index are read once for all of them.
var corpusLoader = NewLoader(nil)

// TestCorpus runs every module of the corpus through what `rustko-lsp
// check` runs (the per-file analysis and the module-level findings) and
// compares the findings with the markers written next to the code:
// missing and unexpected findings both fail.
func TestCorpus(t *testing.T) {
	skeleton := testtree.Txtar(t, filepath.Join(corpusDir, "_skeleton.txtar"))
	cases, err := filepath.Glob(filepath.Join(corpusDir, "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		name := strings.TrimSuffix(filepath.Base(c), ".txtar")
		if strings.HasPrefix(name, "_") {
			continue
		}
		t.Run(name, func(t *testing.T) {
			files := map[string]string{}
			for k, v := range skeleton {
				files[k] = v
			}
			for k, v := range testtree.Txtar(t, c) {
				files[k] = v
			}
			dir := testtree.Write(t, files, "markers")
			got := analyzeModule(t, dir)
			want := parseMarkers(t, dir, files)
			for _, p := range compareFindings(dir, got, want) {
				t.Error(p)
			}
			if testing.Verbose() {
				for _, g := range got {
					t.Logf("%s", g)
				}
			}
		})
	}
}

// analyzeModule is `rustko-lsp check` on one module, minus printing: the
// module loaded (on the pinned kernel tree, not the skeleton's $(uname -r)
// default) and analysed as a whole.
func analyzeModule(t testing.TB, dir string) []diagnostics.Finding {
	t.Helper()
	ctx := context.Background()
	w, err := corpusLoader.Load(ctx, dir, Options{Overrides: map[string]string{"KERNEL_BUILD_PATH": testkernel.Dir(t)}, Version: "test"})
	if err != nil {
		t.Fatalf("loading the module: %v", err)
	}
	// The corpus's target JSON cases are judged by current rustc's rules
	// (no toolchain), not by the skeleton's RUST_ROOT=/usr, which is
	// whatever rustc the machine has.
	cp := *w
	cp.Findings = moduleFindings(w.Module, w.Sources, w.License, nil, nil)
	got, err := cp.Analyse(ctx, AnalyseOptions{})
	if err != nil {
		t.Fatalf("analysing the module: %v", err)
	}
	return got
}

// marker is one expected finding.
type marker struct {
	file    string // relative to the module
	line    int
	code    string
	text    string // exactly what the range covers
	message string // a substring of the message, optional
}

func (m marker) String() string {
	s := fmt.Sprintf("%s:%d %s(%q)", m.file, m.line, m.code, m.text)
	if m.message != "" {
		s += fmt.Sprintf(" with message containing %q", m.message)
	}
	return s
}

func parseMarkers(t *testing.T, dir string, files map[string]string) []marker {
	t.Helper()
	var out []marker
	for name, text := range files {
		if name == "markers" {
			for i, line := range strings.Split(text, "\n") {
				line = strings.TrimSpace(line)
				if line == "" || strings.HasPrefix(line, "#") {
					continue
				}
				loc, spec, ok := strings.Cut(line, " ")
				file, ln, ok2 := strings.Cut(loc, ":")
				n, err := strconv.Atoi(ln)
				if !ok || !ok2 || err != nil {
					t.Fatalf("markers:%d: want FILE:LINE code(\"text\"), got %q", i+1, line)
				}
				out = append(out, parseSpecs(t, file, n, spec)...)
			}
			continue
		}
		for i, line := range strings.Split(text, "\n") {
			if _, spec, ok := strings.Cut(line, "//@ "); ok {
				out = append(out, parseSpecs(t, name, i+1, spec)...)
			}
		}
	}
	return out
}

// parseSpecs reads `code("text"[, "message"])[, code(...)]`.
func parseSpecs(t *testing.T, file string, line int, s string) []marker {
	t.Helper()
	var out []marker
	s = strings.TrimSpace(s)
	for s != "" {
		i := strings.IndexByte(s, '(')
		if i <= 0 {
			t.Fatalf("%s:%d: bad marker %q", file, line, s)
		}
		m := marker{file: file, line: line, code: strings.TrimSpace(s[:i])}
		s = s[i+1:]
		var args []string
		for {
			s = strings.TrimLeftFunc(s, unicode.IsSpace)
			q, err := strconv.QuotedPrefix(s)
			if err != nil {
				t.Fatalf("%s:%d: marker %s: want a quoted string at %q", file, line, m.code, s)
			}
			v, _ := strconv.Unquote(q)
			args = append(args, v)
			s = strings.TrimLeftFunc(s[len(q):], unicode.IsSpace)
			if strings.HasPrefix(s, ",") {
				s = s[1:]
				continue
			}
			if !strings.HasPrefix(s, ")") {
				t.Fatalf("%s:%d: marker %s: missing )", file, line, m.code)
			}
			s = strings.TrimLeftFunc(s[1:], unicode.IsSpace)
			break
		}
		m.text = args[0]
		if len(args) > 1 {
			m.message = args[1]
		}
		out = append(out, m)
		s = strings.TrimPrefix(s, ",")
		s = strings.TrimSpace(s)
	}
	return out
}

// compareFindings returns one line per missing, unexpected or misworded
// finding.
func compareFindings(dir string, got []diagnostics.Finding, want []marker) []string {
	var problems []string
	used := make([]bool, len(got))
	for _, w := range want {
		found := false
		for i, g := range got {
			if used[i] || !matches(dir, g, w) {
				continue
			}
			used[i] = true
			found = true
			if w.message != "" && !strings.Contains(g.Message, w.message) {
				problems = append(problems, fmt.Sprintf("%s: message %q does not contain %q", w, g.Message, w.message))
			}
			break
		}
		if !found {
			problems = append(problems, fmt.Sprintf("missing finding %s", w))
		}
	}
	var extra []string
	for i, g := range got {
		problems = append(problems, wellFormed(g)...)
		if !used[i] {
			rel, _ := filepath.Rel(dir, g.File)
			extra = append(extra, fmt.Sprintf("unexpected finding %s:%d:%d %s(%q): %s", rel, g.Range.Start.Line, g.Range.Start.Column, g.Code, rangeText(g), g.Message))
		}
	}
	sort.Strings(extra)
	return append(problems, extra...)
}

func matches(dir string, g diagnostics.Finding, w marker) bool {
	rel, err := filepath.Rel(dir, g.File)
	return err == nil && rel == w.file && g.Range.Start.Line == w.line && g.Code == w.code && rangeText(g) == w.text
}

// rangeText is the source a finding's range covers.
func rangeText(f diagnostics.Finding) string {
	src, err := os.ReadFile(f.File)
	if err != nil {
		return "<" + err.Error() + ">"
	}
	lines := strings.SplitAfter(string(src), "\n")
	off := func(p diagnostics.Position) int {
		n := 0
		for i := 0; i < p.Line-1 && i < len(lines); i++ {
			n += len(lines[i])
		}
		return n + p.Column - 1
	}
	s, e := off(f.Range.Start), off(f.Range.End)
	if s < 0 || e > len(src) || s > e {
		return "<bad range>"
	}
	return string(src[s:e])
}

func wellFormed(f diagnostics.Finding) []string {
	var p []string
	if f.Code == "" || (f.Source != diagnostics.SourceRustko && f.Source != "target-spec") || f.Message == "" {
		p = append(p, fmt.Sprintf("malformed finding %+v", f))
	}
	if f.Range.Start.Line < 1 || f.Range.Start.Column < 1 || f.Range.End.Line < f.Range.Start.Line ||
		f.Range.End.Line == f.Range.Start.Line && f.Range.End.Column < f.Range.Start.Column {
		p = append(p, fmt.Sprintf("bad range in %s", f))
	}
	for _, fx := range f.Fixes {
		if fx.Title == "" || len(fx.Edits) == 0 {
			p = append(p, fmt.Sprintf("empty fix in %s: %+v", f, fx))
		}
		for _, e := range fx.Edits {
			if !filepath.IsAbs(e.File) {
				p = append(p, fmt.Sprintf("fix edit with a relative path in %s: %+v", f, e))
			}
		}
	}
	return p
}

// TestCompareFindings checks the runner itself: a wrong text, a wrong
// message, a missing and an extra finding are all caught.
func TestCompareFindings(t *testing.T) {
	dir := testtree.Write(t, map[string]string{"src/lib.rs": "fn f() { kmalloc(1, 2); }\n"}, "markers")
	f := diagnostics.Finding{File: filepath.Join(dir, "src/lib.rs"), Code: diagnostics.CodeInlineFunction, Source: diagnostics.SourceRustko,
		Message: "kmalloc is inline", Range: diagnostics.Range{Start: diagnostics.Position{Line: 1, Column: 10}, End: diagnostics.Position{Line: 1, Column: 17}}}
	ok := marker{file: "src/lib.rs", line: 1, code: diagnostics.CodeInlineFunction, text: "kmalloc", message: "inline"}
	for _, tc := range []struct {
		name string
		got  []diagnostics.Finding
		want []marker
		n    int
	}{
		{"match", []diagnostics.Finding{f}, []marker{ok}, 0},
		{"missing", nil, []marker{ok}, 1},
		{"unexpected", []diagnostics.Finding{f}, nil, 1},
		{"wrong text", []diagnostics.Finding{f}, []marker{{file: "src/lib.rs", line: 1, code: diagnostics.CodeInlineFunction, text: "kmalloc("}}, 2},
		{"wrong message", []diagnostics.Finding{f}, []marker{{file: "src/lib.rs", line: 1, code: diagnostics.CodeInlineFunction, text: "kmalloc", message: "macro"}}, 1},
		{"wrong line", []diagnostics.Finding{f}, []marker{{file: "src/lib.rs", line: 2, code: diagnostics.CodeInlineFunction, text: "kmalloc"}}, 2},
	} {
		if p := compareFindings(dir, tc.got, tc.want); len(p) != tc.n {
			t.Errorf("%s: got %d problems %q, want %d", tc.name, len(p), p, tc.n)
		}
	}
	if got := parseSpecs(t, "a.rs", 3, `float("f64"), gpl-only("x", "at \"y\""), float("1.5")`); len(got) != 3 || got[1].message != `at "y"` || got[2].text != "1.5" {
		t.Errorf("parseSpecs: %+v", got)
	}
}
