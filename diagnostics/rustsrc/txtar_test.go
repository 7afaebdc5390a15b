package rustsrc

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The corpus (testdata/corpus) is a set of modules in txtar archives:
// workspace's TestCorpus runs each through the whole check, the tests here
// read their Rust files as inputs to the analysis.

// readTxtar reads a txtar archive (golang.org/x/tools/txtar's format: a
// comment, then files introduced by "-- name --" lines).
func readTxtar(t testing.TB, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	name := ""
	var cur strings.Builder
	flush := func() {
		if name != "" {
			files[name] = cur.String()
		}
		cur.Reset()
	}
	for _, line := range strings.SplitAfter(string(b), "\n") {
		trim := strings.TrimRight(line, "\r\n")
		if strings.HasPrefix(trim, "-- ") && strings.HasSuffix(trim, " --") && len(trim) > 6 {
			flush()
			name = strings.TrimSpace(trim[3 : len(trim)-3])
			continue
		}
		if name != "" {
			cur.WriteString(line)
		}
	}
	flush()
	return files
}

func writeTree(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if name == "markers" {
			continue
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
