package diagnostics

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// kernelRuns is a matrix of three kernels over the format sample: one with
// every sample finding and a built .ko, one whose headers did not parse (a
// two-line reason), and one clean.
func kernelRuns(t *testing.T) (string, []KernelRun) {
	t.Helper()
	root, fs := sample(t)
	return root, []KernelRun{
		{Release: "6.1.0-57-amd64", Dir: "/usr/src/linux-headers-6.1.0-57-amd64", Findings: fs,
			Artifact: filepath.Join(root, "build", "6.1.0-57-amd64", "hello.ko")},
		{Release: "6.12.118+deb12-amd64", Dir: "/usr/src/linux-headers-6.12.118+deb12-amd64",
			Findings: fs[:1], // ignored: the check did not run
			Err:      "the kernel headers do not parse (1 problem(s)):\n  asm/current.h:41:1: unexpected 'typeof'"},
		{Release: "6.12.118+deb12-rt-amd64", Dir: "/usr/src/linux-headers-6.12.118+deb12-rt-amd64"},
		{Dir: "/nonexistent/tree", Err: "/nonexistent/tree is not a kernel build tree: does not exist"},
	}
}

func TestWriteKernelsGolden(t *testing.T) {
	root, runs := kernelRuns(t)
	tests := []struct {
		golden string
		write  func(*bytes.Buffer) error
	}{
		{"kernels-text.golden", func(b *bytes.Buffer) error { return WriteTextKernels(b, runs, TextOptions{Root: root}) }},
		{"kernels-text-color.golden", func(b *bytes.Buffer) error {
			return WriteTextKernels(b, runs, TextOptions{Root: root, Color: true})
		}},
		{"kernels-json.golden", func(b *bytes.Buffer) error { return WriteJSONKernels(b, runs, root) }},
		{"kernels-sarif.golden", func(b *bytes.Buffer) error { return WriteSARIFKernels(b, runs, root, "v1.2.3") }},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			var b bytes.Buffer
			if err := tt.write(&b); err != nil {
				t.Fatal(err)
			}
			out := bytes.ReplaceAll(b.Bytes(), []byte("file://"+filepath.ToSlash(root)+"/"), []byte("file:///ROOT/"))
			golden(t, tt.golden, out)
		})
	}
}

// The text of each kernel is WriteText's for its findings, under one header
// per kernel; a kernel that was not checked shows its reason and nothing
// else.
func TestWriteTextKernelsGroups(t *testing.T) {
	root, runs := kernelRuns(t)
	var b bytes.Buffer
	if err := WriteTextKernels(&b, runs, TextOptions{Root: root}); err != nil {
		t.Fatal(err)
	}
	var alone bytes.Buffer
	if err := WriteText(&alone, runs[0].Findings, TextOptions{Root: root}); err != nil {
		t.Fatal(err)
	}
	want := "== kernel 6.1.0-57-amd64 (/usr/src/linux-headers-6.1.0-57-amd64): 4 errors, 2 warnings, 1 info, 1 hint; built build/6.1.0-57-amd64/hello.ko\n" +
		alone.String() +
		"== kernel 6.12.118+deb12-amd64 (/usr/src/linux-headers-6.12.118+deb12-amd64): not checked: the kernel headers do not parse (1 problem(s)):\n" +
		"      asm/current.h:41:1: unexpected 'typeof'\n" +
		"== kernel 6.12.118+deb12-rt-amd64 (/usr/src/linux-headers-6.12.118+deb12-rt-amd64): no findings\n" +
		"== kernel /nonexistent/tree: not checked: /nonexistent/tree is not a kernel build tree: does not exist\n"
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
	for _, line := range strings.Split(b.String(), "\n") {
		if strings.HasPrefix(line, "== ") && strings.Count(line, ":") > 3 && !strings.Contains(line, "not checked") {
			t.Errorf("header %q could read as a file:line:col: finding", line)
		}
	}
}

func TestWriteJSONKernels(t *testing.T) {
	root, runs := kernelRuns(t)
	var b bytes.Buffer
	if err := WriteJSONKernels(&b, runs, root); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Kernels []struct {
			Release, Dir, Error, Artifact string
			Errors, Warnings              int
		} `json:"kernels"`
		Diagnostics []map[string]any `json:"diagnostics"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Kernels) != 4 {
		t.Fatalf("kernels %+v", doc.Kernels)
	}
	k := doc.Kernels
	if k[0].Release != "6.1.0-57-amd64" || k[0].Errors != 4 || k[0].Warnings != 2 || k[0].Artifact != "build/6.1.0-57-amd64/hello.ko" || k[0].Error != "" {
		t.Errorf("kernel 0: %+v", k[0])
	}
	if !strings.Contains(k[1].Error, "do not parse") || k[1].Errors != 0 {
		t.Errorf("kernel 1 (not checked): %+v", k[1])
	}
	if k[2].Error != "" || k[2].Errors != 0 || k[3].Dir != "/nonexistent/tree" || k[3].Release != "" {
		t.Errorf("kernels 2, 3: %+v %+v", k[2], k[3])
	}
	// The kernel that ran has its findings, each naming it, with the
	// single-kernel fields unchanged; each kernel that was not checked has
	// one tool-error diagnostic (exit 2 must never read as clean).
	failed := map[string]string{runs[1].Label(): runs[1].Err, runs[3].Label(): runs[3].Err}
	if len(doc.Diagnostics) != len(runs[0].Findings)+len(failed) {
		t.Fatalf("%d diagnostics, want %d", len(doc.Diagnostics), len(runs[0].Findings)+len(failed))
	}
	keys := "code column endColumn endLine file kernel line message severity source"
	for _, d := range doc.Diagnostics {
		var got []string
		for k := range d {
			if (k == "related" || k == "fixes") && d["code"] != CodeToolError {
				continue // the findings' related places and fixes, as in WriteJSON
			}
			got = append(got, k)
		}
		if s := strings.Join(sortedStrings(got), " "); s != keys {
			t.Errorf("diagnostic keys %q, want %q (and related, fixes)", s, keys)
		}
		if d["code"] == CodeToolError {
			kernel, _ := d["kernel"].(string)
			if msg, ok := failed[kernel]; !ok || d["message"] != msg || d["severity"] != "error" || d["file"] != "" {
				t.Errorf("tool-error %v: want one per kernel not checked, with its reason", d)
			}
			delete(failed, kernel)
			continue
		}
		if d["kernel"] != "6.1.0-57-amd64" {
			t.Errorf("diagnostic %v: kernel", d)
		}
	}
	if len(failed) != 0 {
		t.Errorf("no tool-error for %v", failed)
	}

	b.Reset()
	if err := WriteJSONKernels(&b, nil, root); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(strings.Fields(b.String()), ""); got != `{"kernels":[],"diagnostics":[]}` {
		t.Errorf("no kernels: %s", b.String())
	}
}

func TestWriteSARIFKernels(t *testing.T) {
	root, runs := kernelRuns(t)
	var b bytes.Buffer
	if err := WriteSARIFKernels(&b, runs, root, "v1.2.3"); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Runs []struct {
			AutomationDetails struct{ ID string } `json:"automationDetails"`
			Invocations       []struct {
				ExecutionSuccessful bool `json:"executionSuccessful"`
				Notes               []struct {
					Level   string
					Message struct{ Text string }
				} `json:"toolExecutionNotifications"`
			} `json:"invocations"`
			Results    []json.RawMessage `json:"results"`
			Properties map[string]string `json:"properties"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	if len(log.Runs) != len(runs) {
		t.Fatalf("%d runs for %d kernels", len(log.Runs), len(runs))
	}
	ids := map[string]bool{}
	for i, run := range log.Runs {
		r := runs[i]
		if ids[run.AutomationDetails.ID] || !strings.Contains(run.AutomationDetails.ID, r.Label()) {
			t.Errorf("run %d: automation id %q (must be distinct and name the kernel)", i, run.AutomationDetails.ID)
		}
		ids[run.AutomationDetails.ID] = true
		if run.Properties["kernel"] != r.Release || run.Properties["kernelDir"] != r.Dir {
			t.Errorf("run %d: properties %v", i, run.Properties)
		}
		if len(run.Invocations) != 1 || run.Invocations[0].ExecutionSuccessful != (r.Err == "") {
			t.Errorf("run %d: invocations %+v", i, run.Invocations)
			continue
		}
		want := len(r.Findings)
		if r.Err != "" {
			want = 0
			if n := run.Invocations[0].Notes; len(n) != 1 || n[0].Level != "error" || n[0].Message.Text != r.Err {
				t.Errorf("run %d: notifications %+v", i, n)
			}
		}
		if len(run.Results) != want {
			t.Errorf("run %d: %d results, want %d", i, len(run.Results), want)
		}
	}
}
