package targets

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/module"

	"github.com/rustko/rustko-lsp/internal/testtree"
)

// TestCheckModuleSpecChoice: findings about a module's target spec are in
// the spec the module really uses, and a variable naming a missing spec is
// reported on the line that set it, in a file that exists.
func TestCheckModuleSpecChoice(t *testing.T) {
	rustko, err := os.ReadFile(filepath.Join("..", "module", "testdata", "rustko", "x86_64-unknown-none-gnu.json"))
	if err != nil {
		t.Fatal(err)
	}
	good := string(Data("x86_64-unknown-none-gnu"))
	cargo := "[package]\nname = \"hello\"\n"
	tests := []struct {
		name      string
		files     map[string]string
		overrides map[string]string
		// want: FILE:LINE:COL per finding (rule after a space), in order.
		want []string
		// msg must be in the first finding's message; notMsg in none.
		msg, notMsg string
	}{
		{"rust.ko layout: the spec at the root is validated at its lines",
			map[string]string{"Makefile": "export KERNEL_MODULE := hello\n", "x86_64-unknown-none-gnu.json": string(rustko)},
			nil,
			[]string{"x86_64-unknown-none-gnu.json:1:1 panic-strategy", "x86_64-unknown-none-gnu.json:2:2 unknown-key",
				"x86_64-unknown-none-gnu.json:6:26 width-type", "x86_64-unknown-none-gnu.json:9:17 data-layout",
				"x86_64-unknown-none-gnu.json:10:19 wrong-type", "x86_64-unknown-none-gnu.json:12:14 soft-float",
				"x86_64-unknown-none-gnu.json:14:2 obsolete-key", "x86_64-unknown-none-gnu.json:15:2 obsolete-key",
				"x86_64-unknown-none-gnu.json:17:2 obsolete-key"},
			"panic-strategy", "did you mean"},
		{"TARGET a target name with its spec at the root",
			map[string]string{"Makefile": "TARGET := x86_64-unknown-none-gnu\n", "x86_64-unknown-none-gnu.json": good},
			nil, nil, "", ""},
		{"TARGET a target name with no spec: the Makefile line, not config.mk",
			map[string]string{"Makefile": "# settings\nTARGET := x86_64-unknown-none-gnu\n-include config.mk\n", "config.mk": "RUST_ROOT := /usr\n"},
			nil, []string{"Makefile:2:11 TARGET"}, "set in Makefile:2", "config.mk"},
		{"TARGET path missing, set in config.mk",
			map[string]string{"Makefile": "-include config.mk\n", "config.mk": "RUST_ROOT := /usr\nTARGET := specs/k.json\n"},
			nil, []string{"config.mk:2:11 TARGET"}, "specs/k.json does not exist", ""},
		{"LLVM_TARGET_SPEC missing",
			map[string]string{"Makefile": "LLVM_TARGET_SPEC := kern\n"},
			nil, []string{"Makefile:1:21 LLVM_TARGET_SPEC"}, "RUST_TARGET_PATH", ""},
		{"TARGET from the command line: the Makefile's first line",
			map[string]string{"Makefile": "KERNEL_MODULE := hello\n"},
			map[string]string{"TARGET": "nope"}, []string{"Makefile:1:1 TARGET"}, "by the command line", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{"Cargo.toml": cargo}
			for k, v := range tc.files {
				files[k] = v
			}
			root := testtree.Write(t, files)
			ov := map[string]string{"KERNEL_BUILD_PATH": ""}
			for k, v := range tc.overrides {
				ov[k] = v
			}
			m, err := module.Load(context.Background(), root, ov)
			if err != nil {
				t.Fatal(err)
			}
			fs := CheckModule(m, nil)
			var got []string
			for _, f := range fs {
				if _, err := os.Stat(f.File); err != nil {
					t.Errorf("finding in a file that does not exist: %s: %s", f.File, f.Message)
				}
				rel, _ := filepath.Rel(root, f.File)
				rule, _, _ := strings.Cut(f.Message, ":")
				if f.Source == SourceTargetSpec && !strings.HasSuffix(f.File, ".json") {
					rule = strings.Fields(f.Message)[0]
				}
				got = append(got, fmtAt(rel, f.Range.Start.Line, f.Range.Start.Column)+" "+rule)
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tc.want, "\n  "))
			}
			if tc.msg != "" && (len(fs) == 0 || !strings.Contains(fs[0].Message, tc.msg)) {
				t.Errorf("first message lacks %q:\n%s", tc.msg, findingLines(fs))
			}
			for _, f := range fs {
				if tc.notMsg != "" && strings.Contains(f.Message, tc.notMsg) {
					t.Errorf("message mentions %q: %s", tc.notMsg, f.Message)
				}
			}
		})
	}
}

func fmtAt(file string, line, col int) string { return fmt.Sprintf("%s:%d:%d", file, line, col) }

// TestCommentKeyAndSuggestions: rust.ko's "_" note key is reported as a
// note, with no spelling suggestion; real typos still get one.
func TestCommentKeyAndSuggestions(t *testing.T) {
	for _, tc := range []struct{ key, suggest string }{
		{"_", ""}, {"//", ""}, {"comment", ""}, {"_comment", ""},
		{"disable-red-zone", "disable-redzone"}, {"data-layout_", "data-layout"}, {"cpux", "cpu"},
		{"o", ""}, {"oss", "os"}, {"abcdefgh", ""},
	} {
		if got := closestKey(tc.key); isCommentKey(tc.key) && got != "" && tc.suggest == "" || !isCommentKey(tc.key) && got != tc.suggest {
			t.Errorf("closestKey(%q) = %q, want %q", tc.key, got, tc.suggest)
		}
	}
	data := []byte("{\n  \"_\": \"a note\",\n" + strings.TrimPrefix(string(Data("x86_64-unknown-none-gnu")), "{\n"))
	for _, f := range ValidateFor("/m/x.json", data, Toolchain{}) {
		if f.Range.Start.Line == 2 && (strings.Contains(f.Message, "did you mean") || !strings.Contains(f.Message, "note")) {
			t.Errorf("the \"_\" key: %s", f.Message)
		}
	}
}

// TestRustkoSpecAgainstRustc: the rust.ko spec's format problems (the "_"
// note, removed keys, a string pointer width, a pre-LLVM-10 data-layout),
// on an otherwise sound spec, judged as each real rustc judges them: rustc
// 1.63 builds with it and names the keys it ignores, which the validator
// reports as warnings with no error; current rustc refuses it, and the
// validator reports errors at those lines.
func TestRustkoSpecAgainstRustc(t *testing.T) {
	for _, tc := range testToolchains(t) {
		t.Run(tc.Release.String(), func(t *testing.T) {
			rendered, err := Render("x86_64-unknown-none-gnu", tc)
			if err != nil {
				t.Fatal(err)
			}
			s := strings.Replace(string(rendered), "{\n", "{\n  \"_\": \"kernel target, after breenix's\",\n  \"custom-unwind-resume\": true,\n  \"no-compiler-rt\": true,\n", 1)
			s = regexp.MustCompile(`"data-layout": "[^"]*"`).ReplaceAllString(s, `"data-layout": "e-m:e-i64:64-f80:128-n8:16:32:64-S128"`)
			s = strings.Replace(s, `"target-pointer-width": 64`, `"target-pointer-width": "64"`, 1)
			path := filepath.Join(t.TempDir(), "x86_64-unknown-none-gnu.json")
			if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
				t.Fatal(err)
			}
			stderr, _, rustcErr := compileSpec(t, tc, path)
			fs := ValidateFor(path, []byte(s), tc)
			errs := map[int]bool{}
			warns := map[int]bool{}
			for _, f := range fs {
				switch f.Severity {
				case diagnostics.Error:
					errs[f.Range.Start.Line] = true
				case diagnostics.Warning:
					warns[f.Range.Start.Line] = true
				}
			}
			if !tc.atLeast(sinceSerdeSpecs) {
				if rustcErr != nil || !strings.Contains(stderr, "unused fields: _, custom-unwind-resume, no-compiler-rt") {
					t.Fatalf("%s was expected to build with an unused-fields warning: %v\n%s", tc.Path, rustcErr, stderr)
				}
				if len(errs) != 0 || !warns[2] || !warns[3] || !warns[4] {
					t.Errorf("%s accepts the spec; the validator must warn at lines 2-4 and report no error:\n%s", tc.Path, findingLines(fs))
				}
				for _, f := range fs {
					if strings.Contains(f.Message, "data-layout") && !strings.Contains(f.Message, "accepts it") {
						t.Errorf("data-layout: %s", f.Message)
					}
				}
				return
			}
			if rustcErr == nil {
				t.Fatalf("%s was expected to refuse the spec:\n%s", tc.Path, stderr)
			}
			if !errs[2] || !errs[3] || !errs[4] {
				t.Errorf("%s refuses the spec (%s); the validator must report errors at lines 2-4:\n%s", tc.Path, strings.TrimSpace(stderr), findingLines(fs))
			}
		})
	}
}
