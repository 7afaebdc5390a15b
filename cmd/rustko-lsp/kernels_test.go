package main

import (
	"bytes"
	"context"
	"debug/elf"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/internal/testkernel"
	"github.com/rustko/rustko-lsp/module"
)

// matrixTrees are the trees the matrix tests run over: the pinned 6.1 tree
// and Debian 12's newest plain 6.12 backport (the release moves, so the
// newest installed one; the test fails when there is none).
func matrixTrees(t *testing.T) (k61, k612 string) {
	t.Helper()
	found, _ := filepath.Glob("/usr/src/linux-headers-6.12.*+deb12-amd64")
	sort.Slice(found, func(i, j int) bool { return found[i] < found[j] })
	var plain []string
	for _, d := range found {
		if testkernel.Configured(d) {
			plain = append(plain, d)
		}
	}
	if len(plain) == 0 {
		t.Fatal("no Debian 12 6.12 headers (/usr/src/linux-headers-6.12.*+deb12-amd64): scripts/kernels.sh installs them")
	}
	return testkernel.Dir(t), plain[len(plain)-1]
}

func releaseOf(t *testing.T, dir string) string {
	t.Helper()
	k, err := module.FindKernel(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	return k.Release
}

func runCheckKernelsFor(t *testing.T, o checkOptions) (int, string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	code, err := runCheckKernels(context.Background(), o, &out, &errb)
	return code, out.String(), errb.String(), err
}

type kernelsDoc struct {
	Kernels []struct {
		Release, Dir, Error string
		Errors, Warnings    int
	} `json:"kernels"`
	Diagnostics []struct {
		File, Severity, Code, Source, Message, Kernel string
		Line, Column                                  int
	} `json:"diagnostics"`
}

// TestCheckKernelsExample: examples/hello over 6.1 and 6.12, each kernel
// checked with its own bindings in BUILD_DIRECTORY/<release> (the module's
// src/ gets none), reported under its own header, clean on both.
func TestCheckKernelsExample(t *testing.T) {
	k61, k612 := matrixTrees(t)
	r61, r612 := releaseOf(t, k61), releaseOf(t, k612)
	files := treeFiles(t, filepath.Join("..", "..", "examples", "hello"))
	delete(files, "src/bindings.rs")
	dir := checkModuleDir(t, "hello-kernels", files)
	os.Remove(filepath.Join(dir, "src", "bindings.index"))
	list := k61 + "," + k612

	code, out, errs, err := runCheckKernelsFor(t, checkOptions{dir: dir, kernels: list, format: "text"})
	if err != nil {
		t.Fatalf("check --kernels: %v\n%s", err, errs)
	}
	// 6.12's headers did not parse before cc/v4 learnt __seg_gs; it must
	// now be checked like any other kernel, not merely reported.
	want := fmt.Sprintf("== kernel %s (%s): no findings\n== kernel %s (%s): no findings\n", r61, k61, r612, k612)
	if code != exitOK || out != want {
		t.Fatalf("exit %d, stdout:\n%s\nwant exit 0 and:\n%s\nstderr:\n%s", code, out, want, errs)
	}
	for _, w := range []string{"checking hello against 2 kernel(s): " + r61 + ", " + r612, "[" + r61 + "] rustko: bindings", "hello on " + r612 + ": 0 error(s)"} {
		if !strings.Contains(errs, w) {
			t.Errorf("stderr lacks %q:\n%s", w, errs)
		}
	}
	for _, r := range []string{r61, r612} {
		for _, f := range []string{"src/bindings.rs", "src/bindings.index"} {
			if _, err := os.Stat(filepath.Join(dir, "build", r, f)); err != nil {
				t.Errorf("%s's bindings: %v", r, err)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "src", "bindings.rs")); !os.IsNotExist(err) {
		t.Errorf("check --kernels wrote the module's own src/bindings.rs (%v)", err)
	}

	// The same run in JSON and SARIF, and with a tree that cannot be
	// checked: it is reported, the others still run, the exit is 2.
	code, out, errs, err = runCheckKernelsFor(t, checkOptions{dir: dir, kernels: list + ",/nonexistent/kdir", format: "json"})
	if err != nil || code != exitTool {
		t.Fatalf("with a missing tree: exit %d, err %v\n%s", code, err, errs)
	}
	var doc kernelsDoc
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(doc.Kernels) != 3 || doc.Kernels[0].Release != r61 || doc.Kernels[1].Release != r612 || doc.Kernels[0].Error != "" || doc.Kernels[1].Error != "" ||
		doc.Kernels[2].Dir != "/nonexistent/kdir" || !strings.Contains(doc.Kernels[2].Error, "/nonexistent/kdir") ||
		// The tree that could not be checked is also one tool-error
		// diagnostic, so tools that read only diagnostics see it.
		len(doc.Diagnostics) != 1 || doc.Diagnostics[0].Code != "tool-error" || doc.Diagnostics[0].Kernel != "/nonexistent/kdir" {
		t.Errorf("kernels %+v, diagnostics %+v", doc.Kernels, doc.Diagnostics)
	}

	code, out, _, err = runCheckKernelsFor(t, checkOptions{dir: dir, kernels: list, format: "sarif"})
	var sarif struct {
		Runs []struct {
			AutomationDetails struct{ ID string } `json:"automationDetails"`
			Results           []any               `json:"results"`
		} `json:"runs"`
	}
	if err != nil || code != exitOK || json.Unmarshal([]byte(out), &sarif) != nil || len(sarif.Runs) != 2 ||
		!strings.Contains(sarif.Runs[0].AutomationDetails.ID, r61) || !strings.Contains(sarif.Runs[1].AutomationDetails.ID, r612) {
		t.Errorf("SARIF: exit %d, err %v\n%s", code, err, out)
	}
}

// TestCheckKernelsFindings: rust.ko's original style has findings on every
// kernel; each diagnostic names its kernel, and the 6.1 part is exactly
// what check --kdir gives for 6.1 alone.
func TestCheckKernelsFindings(t *testing.T) {
	k61, k612 := matrixTrees(t)
	r61, r612 := releaseOf(t, k61), releaseOf(t, k612)
	dir := checkModuleDir(t, "rustko-original-kernels", corpusFiles(t, "rustko_original"))
	code, out, errs, err := runCheckKernelsFor(t, checkOptions{dir: dir, kernels: k612 + "," + k61, format: "json"})
	if err != nil || code != exitFindings {
		t.Fatalf("exit %d, err %v\n%s\n%s", code, err, out, errs)
	}
	var doc kernelsDoc
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Kernels) != 2 || doc.Kernels[0].Release != r612 || doc.Kernels[1].Release != r61 {
		t.Fatalf("kernels %+v: want %s then %s, as listed", doc.Kernels, r612, r61)
	}
	per := map[string][]string{}
	for _, d := range doc.Diagnostics {
		per[d.Kernel] = append(per[d.Kernel], fmt.Sprintf("%s:%d:%d %s", d.File, d.Line, d.Column, d.Code))
	}
	for _, k := range doc.Kernels {
		if k.Error != "" || k.Errors == 0 || len(per[k.Release]) != k.Errors+k.Warnings {
			t.Errorf("kernel %+v: %d diagnostics %v", k, len(per[k.Release]), per[k.Release])
		}
	}
	if len(per) != 2 {
		t.Errorf("diagnostics name kernels %v", per)
	}

	code, single, errs, err := runCheckFor(t, checkOptions{dir: dir, kdir: k61, format: "json"})
	if err != nil || code != exitFindings {
		t.Fatalf("check --kdir %s: exit %d, err %v\n%s", k61, code, err, errs)
	}
	var alone kernelsDoc
	if err := json.Unmarshal([]byte(single), &alone); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, d := range alone.Diagnostics {
		want = append(want, fmt.Sprintf("%s:%d:%d %s", d.File, d.Line, d.Column, d.Code))
	}
	if strings.Join(per[r61], "\n") != strings.Join(want, "\n") {
		t.Errorf("6.1 in the matrix:\n  %s\nalone:\n  %s", strings.Join(per[r61], "\n  "), strings.Join(want, "\n  "))
	}
}

// TestBuildKernels: build --kernels writes one .ko per kernel at
// BUILD_DIRECTORY/<release>/hello.ko, each made for its kernel (vermagic),
// and leaves the module's own src/ and hello.ko alone.
func TestBuildKernels(t *testing.T) {
	k61, k612 := matrixTrees(t)
	r61, r612 := releaseOf(t, k61), releaseOf(t, k612)
	files := treeFiles(t, filepath.Join("..", "..", "examples", "hello"))
	delete(files, "src/bindings.rs")
	dir := checkModuleDir(t, "hello-build-kernels", files)
	os.Remove(filepath.Join(dir, "src", "bindings.index"))
	os.Remove(filepath.Join(dir, "hello.ko"))
	var out, errb bytes.Buffer
	code, err := runBuildKernels(context.Background(), dir, k61+","+k612, "auto", false, &out, &errb)
	if err != nil || code != exitOK {
		t.Fatalf("build --kernels: exit %d, err %v\n%s\n%s", code, err, out.String(), errb.String())
	}
	for _, r := range []string{r61, r612} {
		ko := filepath.Join(dir, "build", r, "hello.ko")
		if !strings.Contains(errb.String(), "rustko: "+r+": built "+ko+"\n") {
			t.Errorf("stderr does not say where %s's module is:\n%s", r, errb.String())
		}
		if !strings.Contains(out.String(), "== kernel "+r+" (") || !strings.Contains(out.String(), "built build/"+r+"/hello.ko") {
			t.Errorf("stdout lacks %s's header:\n%s", r, out.String())
		}
		if vm := vermagic(t, ko); !strings.HasPrefix(vm, r+" ") {
			t.Errorf("%s: vermagic %q, want release %s", ko, vm, r)
		}
	}
	for _, f := range []string{"src/bindings.rs", "hello.ko"} {
		if _, err := os.Stat(filepath.Join(dir, f)); !os.IsNotExist(err) {
			t.Errorf("build --kernels wrote the module's own %s (%v)", f, err)
		}
	}
}

// vermagic reads the vermagic= string of a .ko's .modinfo.
func vermagic(t *testing.T, ko string) string {
	t.Helper()
	f, err := elf.Open(ko)
	if err != nil {
		t.Fatalf("%s: %v", ko, err)
	}
	defer f.Close()
	s := f.Section(".modinfo")
	if s == nil {
		t.Fatalf("%s has no .modinfo", ko)
	}
	data, err := s.Data()
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range bytes.Split(data, []byte{0}) {
		if v, ok := bytes.CutPrefix(kv, []byte("vermagic=")); ok {
			return string(v)
		}
	}
	t.Fatalf("%s: no vermagic in .modinfo", ko)
	return ""
}

func TestWorstExit(t *testing.T) {
	errF := []diagnostics.Finding{{Severity: diagnostics.Error}}
	warnF := []diagnostics.Finding{{Severity: diagnostics.Warning}}
	tests := []struct {
		runs []diagnostics.KernelRun
		want int
	}{
		{nil, exitOK},
		{[]diagnostics.KernelRun{{}, {Findings: warnF}}, exitOK},
		{[]diagnostics.KernelRun{{Findings: warnF}, {Findings: errF}}, exitFindings},
		{[]diagnostics.KernelRun{{Err: "no"}, {Findings: errF}}, exitTool},
		{[]diagnostics.KernelRun{{Findings: errF}, {Err: "no"}}, exitTool},
	}
	for i, tt := range tests {
		if got := worstExit(tt.runs); got != tt.want {
			t.Errorf("%d: %d, want %d", i, got, tt.want)
		}
	}
}

// Lines from kernels checked at once never mix within a line.
func TestPrefixWriter(t *testing.T) {
	var b bytes.Buffer
	l := &lineLog{w: &b}
	var wg sync.WaitGroup
	for _, name := range []string{"a", "b"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := l.prefixed("[" + name + "] ")
			for i := 0; i < 100; i++ {
				fmt.Fprintf(w, "line %d", i)
				fmt.Fprintf(w, " of %s\n", name)
			}
			fmt.Fprint(w, "tail")
			w.Flush()
		}()
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 202 {
		t.Fatalf("%d lines", len(lines))
	}
	for _, line := range lines {
		name := line[1:2]
		if !strings.HasPrefix(line, "["+name+"] ") || (!strings.HasSuffix(line, " of "+name) && line != "["+name+"] tail") {
			t.Errorf("mixed line %q", line)
		}
	}
}
