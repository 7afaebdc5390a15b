package build

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/targets"
)

// TestBuildRefusedTarget: a target specification of the module's own that
// rustc refuses is the module's mistake, reported at the file (with what
// the spec check says about it, positioned) and not a build that "could
// not run" (rustko-lsp build's exit 2, with rustc's words and no file).
// Found with a misspelt "target-pointer-width" in a scaffolded module.
func TestBuildRefusedTarget(t *testing.T) {
	needTools(t)
	spec := string(targets.Data("x86_64-unknown-none-gnu"))
	if !strings.Contains(spec, `"target-pointer-width": 64`) {
		t.Fatalf("the embedded spec changed its pointer width line:\n%s", spec)
	}
	for _, tc := range []struct {
		name string
		json string
		want []string // substrings of target-spec findings, each with its line
	}{
		{"misspelt key", strings.Replace(spec, `"target-pointer-width": 64`, `"target-pointer-widht": "64"`, 1),
			[]string{"1:refuses this target specification", "7:did you mean \"target-pointer-width\""}},
		{"not JSON", "{\n  \"arch\": \"x86_64\",\n", []string{"1:refuses this target specification"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := fixture(t, "typeerr", nil)
			// The fixture's Rust does not compile: the build must stop
			// before, at the spec.
			target := filepath.Join(m.Root, "mine.json")
			if err := os.WriteFile(target, []byte(tc.json), 0o644); err != nil {
				t.Fatal(err)
			}
			m = load(t, m.Root, map[string]string{"RUST_ROOT": debianRustRoot, "KERNEL_BUILD_PATH": m.Kernel.Dir, "TARGET": "mine.json"})
			res, err := build(t, m, Options{Mode: ModeRustSrc})
			if err != nil {
				t.Fatalf("build error %v, want findings", err)
			}
			got := map[string]bool{}
			for _, f := range res.Findings {
				if f.Code != diagnostics.CodeTargetSpec || f.File != target {
					continue
				}
				for _, w := range tc.want {
					line, text, _ := strings.Cut(w, ":")
					if strings.Contains(f.Message, text) && line == strconv.Itoa(f.Range.Start.Line) {
						got[w] = true
					}
				}
			}
			for _, w := range tc.want {
				if !got[w] {
					t.Errorf("no target-spec finding at %s:%s", target, w)
				}
			}
			if !diagnostics.HasErrors(res.Findings) || res.KO != "" {
				t.Errorf("findings %v, module %q: want errors and no module", res.Findings, res.KO)
			}
		})
	}
}
