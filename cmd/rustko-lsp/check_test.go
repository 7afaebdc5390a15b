package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/internal/testkernel"
	"github.com/rustko/rustko-lsp/internal/testtree"
)

// checkModuleDir copies a module into a folder that stays the same from
// run to run (the bindings cache is keyed by the output path), so only the
// first run on a machine generates bindings.
func checkModuleDir(t *testing.T, name string, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("rustko-check-test-%d", os.Getuid()), name)
	if err := os.RemoveAll(filepath.Join(dir, "src")); err != nil {
		t.Fatal(err)
	}
	return testtree.WriteIn(t, dir, files)
}

// treeFiles reads a folder's files (what `cp -r` would copy).
func treeFiles(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		out[filepath.ToSlash(rel)] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// corpusFiles reads one module of the analysis corpus (txtar, on top of the
// corpus skeleton).
func corpusFiles(t *testing.T, name string) map[string]string {
	t.Helper()
	files := map[string]string{}
	for _, n := range []string{"_skeleton", name} {
		b, err := os.ReadFile(filepath.Join("..", "..", "diagnostics", "rustsrc", "testdata", "corpus", n+".txtar"))
		if err != nil {
			t.Fatal(err)
		}
		cur := ""
		for _, line := range strings.SplitAfter(string(b), "\n") {
			if tl := strings.TrimRight(line, "\n"); strings.HasPrefix(tl, "-- ") && strings.HasSuffix(tl, " --") {
				cur = strings.TrimSpace(tl[3 : len(tl)-3])
				files[cur] = ""
				continue
			}
			if cur != "" {
				files[cur] += line
			}
		}
	}
	delete(files, "markers")
	return files
}

func runCheckFor(t *testing.T, o checkOptions) (int, string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	code, err := runCheck(context.Background(), o, &out, &errb)
	return code, out.String(), errb.String(), err
}

// jsonDiagnostic is one diagnostic of check's JSON output.
type jsonDiagnostic struct {
	File, Severity, Code, Source, Message string
	Line, Column, EndLine, EndColumn      int
}

// checkJSON runs check with JSON output in process and decodes its
// diagnostics; a tool error (exit 2) fails the test.
func checkJSON(t *testing.T, o checkOptions) (int, []jsonDiagnostic, string) {
	t.Helper()
	o.format = "json"
	code, out, errs, err := runCheckFor(t, o)
	if err != nil || code == exitTool {
		t.Fatalf("check: exit %d, %v\n%s", code, err, errs)
	}
	var doc struct {
		Diagnostics []jsonDiagnostic `json:"diagnostics"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("check's JSON: %v\n%s", err, out)
	}
	return code, doc.Diagnostics, out
}

// TestCheckExample: the example module is clean — no finding, exit 0 — and
// the text summary names the kernel and the module.
func TestCheckExample(t *testing.T) {
	files := treeFiles(t, filepath.Join("..", "..", "examples", "hello"))
	delete(files, "src/bindings.rs")
	dir := checkModuleDir(t, "hello", files)
	code, out, errs, err := runCheckFor(t, checkOptions{dir: dir, kdir: testkernel.Dir(t), format: "text"})
	if err != nil || code != exitOK || out != "" {
		t.Fatalf("check of examples/hello: exit %d, err %v, findings:\n%s\n%s", code, err, out, errs)
	}
	for _, want := range []string{"kernel 6.", "module hello", "0 error(s), 0 warning(s)"} {
		if !strings.Contains(errs, want) {
			t.Errorf("summary on stderr lacks %q:\n%s", want, errs)
		}
	}
}

// TestCheckRustkoStyle: rust.ko's own style of code gets its findings in
// JSON, exits 1, and SARIF carries the same results.
func TestCheckRustkoStyle(t *testing.T) {
	dir := checkModuleDir(t, "rustko-original", corpusFiles(t, "rustko_original"))
	kdir := testkernel.Dir(t)
	code, diags, _ := checkJSON(t, checkOptions{dir: dir, kdir: kdir})
	if code != exitFindings {
		t.Fatalf("exit %d, want %d", code, exitFindings)
	}
	var got []string
	for _, d := range diags {
		got = append(got, fmt.Sprintf("%s:%d:%d %s", d.File, d.Line, d.Column, d.Code))
	}
	want := []string{
		"src/lib.rs:2:1 legacy-rust.ko", "src/lib.rs:17:17 function-macro", "src/lib.rs:17:24 printk-format", "src/lib.rs:23:29 hard-coded-constant",
		"src/lib.rs:32:8 missing-extern-c", "src/module.c:21:17 non-gpl-license",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}

	code, out, _, err := runCheckFor(t, checkOptions{dir: dir, kdir: kdir, format: "sarif"})
	if err != nil || code != exitFindings {
		t.Fatalf("sarif: exit %d, err %v", code, err)
	}
	var sarif struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []struct {
				RuleID string `json:"ruleId"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &sarif); err != nil || sarif.Version != "2.1.0" || len(sarif.Runs) != 1 || len(sarif.Runs[0].Results) != len(want) {
		t.Errorf("SARIF: %v %+v", err, sarif)
	}
}

func TestCheckToolFailures(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    checkOptions
		want string
	}{
		{"no module", checkOptions{dir: t.TempDir(), format: "text"}, "Makefile"},
		{"missing kernel tree", checkOptions{dir: checkModuleDir(t, "kdir", corpusFiles(t, "clean")), kdir: "/nonexistent/kdir", format: "text"}, "/nonexistent/kdir"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, _, err := runCheckFor(t, tc.o)
			if code != exitTool || err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("exit %d, err %v; want exit %d and an error mentioning %q", code, err, exitTool, tc.want)
			}
		})
	}
	var errb bytes.Buffer
	if code := run([]string{"check", "--format", "xml", "."}, os.Stdin, &bytes.Buffer{}, &errb); code != exitTool || !strings.Contains(errb.String(), "--format") {
		t.Errorf("bad --format: exit %d, %s", code, errb.String())
	}
}

// TestCheckBuild: with --build the build runs too (in its own build folder)
// and its findings join the analysis; the example builds without errors.
// Its only finding may be that rustc 1.63 cannot generate the kernel's
// mitigations (codegen-unsupported, a warning by design).
func TestCheckBuild(t *testing.T) {
	files := treeFiles(t, filepath.Join("..", "..", "examples", "hello"))
	delete(files, "src/bindings.rs")
	dir := checkModuleDir(t, "hello-build", files)
	code, out, errs, err := runCheckFor(t, checkOptions{dir: dir, kdir: testkernel.Dir(t), format: "text", build: true})
	if err != nil || code != exitOK {
		t.Fatalf("check --build of examples/hello: exit %d, err %v\n%s\n%s", code, err, out, errs)
	}
	finding := regexp.MustCompile(`^\S+?:(\d+:)*\s*(error|warning|info|hint): `)
	for _, line := range strings.Split(out, "\n") {
		if finding.MatchString(line) && !(strings.Contains(line, " warning: ") && strings.HasSuffix(line, "[codegen-unsupported]")) {
			t.Errorf("unexpected finding: %s\n%s", line, out)
		}
	}
	if !strings.Contains(errs, "rustko: build kbuild") {
		t.Errorf("no build progress on stderr:\n%s", errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "hello.ko")); err != nil {
		t.Errorf("check --build left no hello.ko: %v", err)
	}
}
