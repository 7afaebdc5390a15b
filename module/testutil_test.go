package module

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// treeFile finds rel in kernel tree kdir, or in the source tree its Makefile
// includes: Debian's flavour trees (linux-headers-<release>-amd64) hold only
// the configuration and the generated files, the headers live in -common.
func treeFile(t testing.TB, kdir, rel string) string {
	t.Helper()
	if p := filepath.Join(kdir, rel); isFile(p) {
		return p
	}
	b, err := os.ReadFile(filepath.Join(kdir, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if inc, ok := strings.CutPrefix(strings.TrimSpace(line), "include "); ok {
			if p := filepath.Join(filepath.Dir(strings.TrimSpace(inc)), rel); isFile(p) {
				return p
			}
		}
	}
	t.Fatalf("%s is in neither %s nor the tree its Makefile includes", rel, kdir)
	return ""
}
