package workspace

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/diagnostics"

	"github.com/rustko/rustko-lsp/internal/testtree"
)

// TestQuickFixes applies the quick fixes the findings carry, one at a time,
// the way an editor would (config.mk edits included), reloads the module
// and analyses again, until no finding offers a fix. What remains must be
// exactly the findings that have no fix.
func TestQuickFixes(t *testing.T) {
	skeleton := testtree.Txtar(t, filepath.Join(corpusDir, "_skeleton.txtar"))
	for _, tc := range []struct {
		corpus string
		left   []string // code:text of the findings no fix removes
	}{
		// Every finding on rust.ko's own style of code has a fix, and
		// applying them all leaves a clean module.
		{"rustko_original", nil},
		{"not_declared", []string{"not-declared:no_such_kernel_function"}},
		{"signature_mismatch", []string{"signature-mismatch:(a: *const c_void, b: u32)"}},
		{"inline_function", []string{"inline-function:get_current"}},
		{"hard_coded_constant", nil},
		{"gpl_only", nil},
		{"missing_extern_c", nil},
		{"function_macro", []string{"function-macro:pr_info", "function-macro:mutex_init"}},
		{"macro_without_value", nil},
	} {
		t.Run(tc.corpus, func(t *testing.T) {
			files := map[string]string{}
			for k, v := range skeleton {
				files[k] = v
			}
			for k, v := range testtree.Txtar(t, filepath.Join(corpusDir, tc.corpus+".txtar")) {
				files[k] = v
			}
			dir := testtree.Write(t, files, "markers")
			var got []diagnostics.Finding
			for round := 0; ; round++ {
				got = analyzeModule(t, dir)
				i := slicesIndexFunc(got, func(f diagnostics.Finding) bool { return len(f.Fixes) > 0 })
				if i < 0 {
					break
				}
				if round > 20 {
					t.Fatalf("fixes do not converge; still offered: %s", got[i])
				}
				fix := got[i].Fixes[0]
				for _, x := range got[i].Fixes {
					if x.Preferred {
						fix = x
						break
					}
				}
				if err := applyFix(fix); err != nil {
					t.Fatalf("applying %q for %s: %v", fix.Title, got[i], err)
				}
			}
			var left []string
			for _, f := range got {
				left = append(left, f.Code+":"+rangeText(f))
			}
			sort.Strings(left)
			want := append([]string(nil), tc.left...)
			sort.Strings(want)
			if strings.Join(left, "\n") != strings.Join(want, "\n") {
				t.Errorf("after every fix, left:\n  %s\nwant:\n  %s", strings.Join(left, "\n  "), strings.Join(want, "\n  "))
				for _, f := range got {
					t.Log(f)
				}
			}
		})
	}
}

func slicesIndexFunc(fs []diagnostics.Finding, ok func(diagnostics.Finding) bool) int {
	for i, f := range fs {
		if ok(f) {
			return i
		}
	}
	return -1
}

// applyFix makes a fix's edits on disk, last edit first within a file so
// earlier positions stay valid; an edit at 1:1 of a missing file creates it.
func applyFix(fix diagnostics.Fix) error {
	byFile := map[string][]diagnostics.Edit{}
	for _, e := range fix.Edits {
		byFile[e.File] = append(byFile[e.File], e)
	}
	for file, edits := range byFile {
		src, err := os.ReadFile(file)
		if err != nil && !os.IsNotExist(err) {
			return err
		}
		sort.Slice(edits, func(i, j int) bool {
			a, b := edits[i].Range.Start, edits[j].Range.Start
			return a.Line > b.Line || a.Line == b.Line && a.Column > b.Column
		})
		for _, e := range edits {
			s, err1 := offsetOf(src, e.Range.Start)
			end, err2 := offsetOf(src, e.Range.End)
			if err1 != nil || err2 != nil || end < s {
				return fmt.Errorf("edit %+v does not fit %s", e, file)
			}
			src = append(append(append([]byte(nil), src[:s]...), e.NewText...), src[end:]...)
		}
		if err := os.WriteFile(file, src, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func offsetOf(src []byte, p diagnostics.Position) (int, error) {
	line, off := 1, 0
	for line < p.Line {
		i := strings.IndexByte(string(src[off:]), '\n')
		if i < 0 {
			return 0, fmt.Errorf("line %d past the end", p.Line)
		}
		off += i + 1
		line++
	}
	if off+p.Column-1 > len(src) {
		return 0, fmt.Errorf("column %d past the end of line %d", p.Column, p.Line)
	}
	return off + p.Column - 1, nil
}
