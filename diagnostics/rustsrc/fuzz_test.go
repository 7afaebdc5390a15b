package rustsrc

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/module"

	"github.com/rustko/rustko-lsp/internal/testtree"
)

// The corpus (testdata/corpus) is a set of modules in txtar archives:
// workspace's TestCorpus runs each through the whole check, the tests here
// read their Rust files as inputs to the analysis.

// FuzzAnalyze: no input makes the parser or any check panic, and every
// finding stays inside the file.
func FuzzAnalyze(f *testing.F) {
	cases, _ := filepath.Glob(filepath.Join("testdata", "corpus", "*.txtar"))
	for _, c := range cases {
		for name, text := range testtree.Txtar(f, c) {
			if strings.HasSuffix(name, ".rs") {
				f.Add([]byte(text))
			}
		}
	}
	f.Add(bigFile(60))
	f.Add([]byte("use bindings::{self, *, kfree as};\nextern { fn }\n#[no_mangle] fn x("))
	ix := fixtureIndex(f)
	dir := f.TempDir()
	m := &module.Module{Root: dir, ConfigFile: filepath.Join(dir, "config.mk")}
	m.Vars.CFiles = []string{filepath.Join(dir, "module.c")}
	if err := os.WriteFile(m.Vars.CFiles[0], []byte("void f(void) { rust_main(); x(); }\n"), 0o644); err != nil {
		f.Fatal(err)
	}
	env := &Env{Index: ix, Module: m}
	f.Fuzz(func(t *testing.T, src []byte) {
		pf, err := ParseWith(filepath.Join(dir, "lib.rs"), src, env)
		if err != nil {
			return
		}
		lines := strings.Count(string(src), "\n") + 1
		for _, x := range Analyze(pf, env) {
			if x.File == pf.Path && (x.Range.Start.Line < 1 || x.Range.End.Line > lines || x.Range.Start.Column < 1) {
				t.Fatalf("finding outside the %d-line input: %s", lines, x)
			}
		}
		for _, r := range pf.refs {
			if got := pf.refAt(r.node.Start); got == nil || got.Range != r.Range {
				t.Fatalf("refAt does not find its own ref %+v", r)
			}
		}
	})
}
