package diagnostics

import (
	"cmp"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Sort orders findings by file, position and code, so that every output
// format, and two runs over the same module, list them the same way.
func Sort(fs []Finding) { SortUnder(fs, "") }

// SortUnder orders findings as Sort does, but compares files as they are
// shown: relative to root when inside it. The order then does not depend on
// where the module is checked out (a CI clone and a laptop list the same).
func SortUnder(fs []Finding, root string) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		if a.File != b.File {
			return strings.Compare(relPath(root, a.File), relPath(root, b.File))
		}
		return cmp.Or(
			cmp.Compare(a.Range.Start.Line, b.Range.Start.Line),
			cmp.Compare(a.Range.Start.Column, b.Range.Start.Column),
			strings.Compare(a.Code, b.Code),
			cmp.Compare(a.Severity, b.Severity),
			cmp.Compare(a.Range.End.Line, b.Range.End.Line),
			cmp.Compare(a.Range.End.Column, b.Range.End.Column),
			strings.Compare(a.Message, b.Message),
		)
	})
}

// sorted returns a copy sorted as shown under root, leaving the caller's
// slice alone. Every format goes through it, so in a test binary it is
// also where a finding with a made-up code fails the test.
func sorted(fs []Finding, root string) []Finding {
	if testing.Testing() {
		if err := CheckCodes(fs); err != nil {
			panic(err)
		}
	}
	out := append([]Finding(nil), fs...)
	SortUnder(out, root)
	return out
}

// HasErrors reports whether any finding is an error: what decides
// `rustko-lsp check`'s exit status.
func HasErrors(fs []Finding) bool {
	return slices.ContainsFunc(fs, func(f Finding) bool { return f.Severity == Error })
}

// Summary counts findings by severity: "2 errors, 1 warning", or "" for none.
func Summary(fs []Finding) string {
	counts := map[Severity]int{}
	for _, f := range fs {
		counts[f.Severity]++
	}
	var parts []string
	for _, s := range []Severity{Error, Warning, Info, Hint} {
		if n := counts[s]; n > 0 {
			word := s.String()
			if (s == Error || s == Warning) && n > 1 {
				word += "s"
			}
			parts = append(parts, fmt.Sprintf("%d %s", n, word))
		}
	}
	return strings.Join(parts, ", ")
}

// relPath shows file relative to root when it lies inside root, with
// forward slashes; otherwise the path unchanged.
func relPath(root, file string) string {
	if root == "" || file == "" || !filepath.IsAbs(file) {
		return file
	}
	rel, err := filepath.Rel(root, file)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return file
	}
	return filepath.ToSlash(rel)
}
