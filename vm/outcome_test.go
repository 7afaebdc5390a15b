package vm

import (
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/build/objcheck"
)

// TestExpectFindings: a --expect line the kernel log lacks is an error at
// the crate root even when the module loaded and unloaded cleanly, and
// only once when the boot failed too.
func TestExpectFindings(t *testing.T) {
	clean := &Result{Module: "m", Log: Log{Started: true, Loaded: true, Complete: true, InsmodTried: true,
		InsmodOK: true, RmmodOK: true, Tainted: 0, Kernel: []string{"m: init"}}}
	failed := &Result{Module: "m", Log: Log{Started: true, Loaded: true, Complete: true, InsmodTried: true,
		InsmodErr: "No such file", Tainted: 0, Kernel: []string{"m: Unknown symbol x (err -2)"}}}
	for _, tc := range []struct {
		name   string
		res    *Result
		expect []string
		crate  string
		want   []string
	}{
		{"present", clean, []string{"m: init"}, "/m/src/lib.rs", nil},
		{"lacking", clean, []string{"m: init", "m: exit"}, "/m/src/lib.rs", []string{`the kernel log lacks "m: exit"`}},
		{"boot failed too", failed, []string{"m: exit"}, "/m/src/lib.rs", []string{`the kernel log lacks "m: exit"`}},
		{"no crate", clean, []string{"m: exit"}, "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, f := range expectFindings(tc.res, tc.expect, tc.crate) {
				if f.File != tc.crate || f.Range.Start.Line != 1 || f.Code != CodeRunFailed || f.Source != SourceKernel {
					t.Errorf("finding %+v: want a %s at %s:1", f, CodeRunFailed, tc.crate)
				}
				got = append(got, f.Message)
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("findings %q, want %q", got, tc.want)
			}
		})
	}
}

// TestMoveFrames: every location of every decoded frame is renamed, and a
// copy of the frames taken before keeps its files.
func TestMoveFrames(t *testing.T) {
	frames := []DecodedFrame{{Locations: []objcheck.Location{{File: "/s/src/lib.rs"}, {File: "/usr/lib/rustlib/core.rs"}}}, {}}
	o := &Outcome{Decoded: []Decoded{{Frames: frames}}}
	o.MoveFrames(func(p string) string { return strings.Replace(p, "/s/", "/m/", 1) })
	got := o.Decoded[0].Frames[0].Locations
	if got[0].File != "/m/src/lib.rs" || got[1].File != "/usr/lib/rustlib/core.rs" || len(o.Decoded[0].Frames) != 2 {
		t.Errorf("moved frames %+v", o.Decoded[0].Frames)
	}
	if frames[0].Locations[0].File != "/s/src/lib.rs" {
		t.Errorf("MoveFrames changed the frames it was given: %+v", frames)
	}
}

func TestLastLines(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		n    int
		want string
	}{
		{[]string{"a", "b", "c", "", " "}, 2, "b|c"},
		{[]string{"a"}, 30, "a"},
		{[]string{"", ""}, 30, ""},
	} {
		if got := strings.Join(lastLines(tc.in, tc.n), "|"); got != tc.want {
			t.Errorf("lastLines(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}
