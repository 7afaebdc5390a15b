package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/internal/testkernel"
)

// TestCheckRustkoLayout: `check` on a module in rust.ko's own layout
// (module/testdata/rustko: Makefile + kbuild.mk + x86_64-unknown-none-gnu.json
// at the root, no TARGET, no config.mk, KERNEL_INCLUDE written with quotes)
// finds the spec the way kbuild.mk's --target does, reports the keys the
// module's rustc rejects or ignores at their lines, and finishes (exit 1, a
// JSON document) instead of stopping on the quoted header.
func TestCheckRustkoLayout(t *testing.T) {
	home, err := os.UserHomeDir()
	if err != nil {
		t.Fatal(err)
	}
	const spec = "x86_64-unknown-none-gnu.json"
	// Each rustc's verdict on the spec's lines: 1.63 ignores the "_" note
	// and the removed keys with a warning and wants the string width;
	// current rustc refuses all of them and wants an integer width.
	tests := []struct {
		name, rustRoot string
		want           []string
	}{
		{"rustc 1.63", "/usr", []string{
			"1 error panic-strategy", "2 warning unknown-key", "9 warning data-layout", "10 error wrong-type",
			"12 error soft-float", "14 warning obsolete-key", "15 warning obsolete-key", "17 warning obsolete-key"}},
		{"rustc 1.95", filepath.Join(home, ".cargo"), []string{
			"1 error panic-strategy", "2 error unknown-key", "6 error width-type", "9 error data-layout", "10 error wrong-type",
			"12 error soft-float", "14 error obsolete-key", "15 error obsolete-key", "17 error obsolete-key"}},
	}
	dir := checkModuleDir(t, "rustko-layout", treeFiles(t, filepath.Join("..", "..", "module", "testdata", "rustko")))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := os.Stat(filepath.Join(tc.rustRoot, "bin", "rustc")); err != nil {
				t.Fatalf("%s needs %s/bin/rustc (Debian: apt-get install rustc; rustup's stable in ~/.cargo): %v", tc.name, tc.rustRoot, err)
			}
			t.Setenv("RUST_ROOT", tc.rustRoot)
			code, out, errs, err := runCheckFor(t, checkOptions{dir: dir, kdir: testkernel.Dir(t), format: "json"})
			if err != nil || code != exitFindings {
				t.Fatalf("exit %d, err %v\n%s", code, err, errs)
			}
			// Exit 1 with a JSON document: the quoted header was found (before,
			// `"linux/delay.h"` stopped check with exit 2 and no JSON).
			var doc struct {
				Diagnostics []struct {
					File, Severity, Message, Code string
					Line                          int
				} `json:"diagnostics"`
			}
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, out)
			}
			var got []string
			for _, d := range doc.Diagnostics {
				// The migrate plan's legacy-rust.ko finding on the spec is
				// TestMigratePlan's; this test is about the validator.
				if filepath.Base(d.File) != spec || d.Code == "legacy-rust.ko" {
					continue
				}
				rule, _, _ := strings.Cut(d.Message, ":")
				got = append(got, fmt.Sprintf("%d %s %s", d.Line, d.Severity, rule))
				if strings.Contains(d.Message, "did you mean") {
					t.Errorf("line %d: %s", d.Line, d.Message)
				}
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("findings in %s:\n  %s\nwant\n  %s", spec, strings.Join(got, "\n  "), strings.Join(tc.want, "\n  "))
			}
		})
	}
}
