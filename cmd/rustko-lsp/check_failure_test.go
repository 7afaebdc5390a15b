package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// TestCheckFailureDocuments: when check cannot run (exit 2), --format json
// and sarif still put a parseable document on stdout carrying the error
// (issue 12, step 7); text leaves stdout empty and the error to stderr.
func TestCheckFailureDocuments(t *testing.T) {
	clean := checkModuleDir(t, "kdir", corpusFiles(t, "clean"))
	cases := []struct {
		name string
		o    checkOptions
		args []string
		want string // in the error and the document
	}{
		{"no module", checkOptions{}, []string{t.TempDir()}, "Makefile"},
		{"missing kernel tree", checkOptions{kdir: "/nonexistent/kdir"}, []string{clean}, "/nonexistent/kdir"},
		{"two folders", checkOptions{}, []string{clean, clean}, "at most one module folder"},
		{"kernels: no module", checkOptions{kernels: "all"}, []string{t.TempDir()}, "Makefile"},
		{"kernels and kdir", checkOptions{kernels: "all", kdir: "/x"}, []string{clean}, "exclude each other"},
	}
	for _, tc := range cases {
		for _, format := range []string{"text", "json", "sarif"} {
			t.Run(tc.name+"/"+format, func(t *testing.T) {
				o := tc.o
				o.format = format
				o.dir = "."
				if len(tc.args) == 1 {
					o.dir = tc.args[0]
				}
				var out, errb bytes.Buffer
				code, err := checkCommand(context.Background(), o, tc.args, &out, &errb)
				if code != exitTool || err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("exit %d, err %v; want exit %d and an error mentioning %q", code, err, exitTool, tc.want)
				}
				switch format {
				case "text":
					if out.Len() != 0 {
						t.Errorf("text: stdout %q, want nothing (the error goes to stderr)", out.String())
					}
				case "json":
					var doc struct {
						Kernels     []json.RawMessage `json:"kernels"`
						Diagnostics []struct {
							Code, Severity, Message string
						} `json:"diagnostics"`
					}
					if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
						t.Fatalf("json: %v\n%s", err, out.String())
					}
					if len(doc.Diagnostics) != 1 || doc.Diagnostics[0].Code != "tool-error" || doc.Diagnostics[0].Severity != "error" || doc.Diagnostics[0].Message != err.Error() {
						t.Errorf("json: %s", out.String())
					}
					if (doc.Kernels != nil) != (o.kernels != "") {
						t.Errorf("json: kernels list present=%v for --kernels=%q", doc.Kernels != nil, o.kernels)
					}
				case "sarif":
					var log struct {
						Runs []struct {
							Invocations []struct {
								ExecutionSuccessful bool `json:"executionSuccessful"`
								Notes               []struct {
									Message struct{ Text string }
								} `json:"toolExecutionNotifications"`
							} `json:"invocations"`
							Results []json.RawMessage `json:"results"`
						} `json:"runs"`
					}
					if err := json.Unmarshal(out.Bytes(), &log); err != nil {
						t.Fatalf("sarif: %v\n%s", err, out.String())
					}
					if len(log.Runs) != 1 || len(log.Runs[0].Invocations) != 1 {
						t.Fatalf("sarif: %s", out.String())
					}
					inv := log.Runs[0].Invocations[0]
					if inv.ExecutionSuccessful || len(inv.Notes) != 1 || inv.Notes[0].Message.Text != err.Error() || len(log.Runs[0].Results) != 0 {
						t.Errorf("sarif: %s", out.String())
					}
				}
			})
		}
	}
}
