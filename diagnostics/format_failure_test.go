package diagnostics

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// A check that could not run (exit 2) still writes a parseable document
// in the format asked for, carrying the error.
func TestWriteFailure(t *testing.T) {
	const msg = "reading /m/config.mk: KERNEL_INCLUDE: unterminated quote"
	for _, kernels := range []bool{false, true} {
		var b bytes.Buffer
		if err := WriteJSONFailure(&b, msg, kernels); err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Kernels     *[]json.RawMessage `json:"kernels"`
			Diagnostics []map[string]any   `json:"diagnostics"`
		}
		if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
			t.Fatalf("kernels=%v: %v\n%s", kernels, err, b.String())
		}
		if len(doc.Diagnostics) != 1 {
			t.Fatalf("kernels=%v: diagnostics %v", kernels, doc.Diagnostics)
		}
		d := doc.Diagnostics[0]
		if d["code"] != CodeToolError || d["severity"] != "error" || d["message"] != msg || d["source"] != SourceTool {
			t.Errorf("kernels=%v: diagnostic %v", kernels, d)
		}
		// The same keys as any other diagnostic of that format.
		keys := "code column endColumn endLine file line message severity source"
		if kernels {
			keys = "code column endColumn endLine file kernel line message severity source"
		}
		var got []string
		for k := range d {
			got = append(got, k)
		}
		if s := strings.Join(sortedStrings(got), " "); s != keys {
			t.Errorf("kernels=%v: keys %q, want %q", kernels, s, keys)
		}
		if (doc.Kernels != nil) != kernels || (kernels && len(*doc.Kernels) != 0) {
			t.Errorf("kernels=%v: kernels list %v", kernels, doc.Kernels)
		}
	}

	var b bytes.Buffer
	if err := WriteSARIFFailure(&b, msg, "/m", "v1.2.3"); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct{ Name string } `json:"driver"`
			} `json:"tool"`
			Invocations []struct {
				ExecutionSuccessful *bool `json:"executionSuccessful"`
				Notes               []struct {
					Level      string
					Message    struct{ Text string }
					Descriptor struct{ ID string }
				} `json:"toolExecutionNotifications"`
			} `json:"invocations"`
			Results []json.RawMessage `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 || log.Runs[0].Tool.Driver.Name != "rustko-lsp" {
		t.Fatalf("log %s", b.String())
	}
	run := log.Runs[0]
	if run.Results == nil || len(run.Results) != 0 {
		t.Errorf("results %v, want []", run.Results)
	}
	if len(run.Invocations) != 1 || run.Invocations[0].ExecutionSuccessful == nil || *run.Invocations[0].ExecutionSuccessful {
		t.Fatalf("invocations %s", b.String())
	}
	n := run.Invocations[0].Notes
	if len(n) != 1 || n[0].Level != "error" || n[0].Message.Text != msg || n[0].Descriptor.ID != CodeToolError {
		t.Errorf("notifications %+v", n)
	}

	// A run that could check says so too.
	b.Reset()
	if err := WriteSARIF(&b, nil, "/m", "v1.2.3"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"executionSuccessful": true`) {
		t.Errorf("successful run without executionSuccessful: true:\n%s", b.String())
	}
}
