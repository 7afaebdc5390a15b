package vm

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// FuzzParseLog: the serial log is whatever the guest kernel and the module
// under test printed, a crashing module's included. Parsing never panics,
// every kernel line it keeps is a line the guest printed (timestamps and
// markers taken off, nothing invented), and the reports' frames come from
// their own lines.
func FuzzParseLog(f *testing.F) {
	// The real boot logs' tails, from the insmod step: whole logs (25 KB)
	// slow the instrumented fuzzer to a few executions a second.
	logs, _ := filepath.Glob(filepath.Join("testdata", "*.log"))
	for _, p := range logs {
		if b, err := os.ReadFile(p); err == nil {
			s := string(b)
			if i := strings.Index(s, markerPrefix+"insmod"); i > 0 {
				s = s[max(0, strings.LastIndexByte(s[:i], '\n')):]
			}
			f.Add(s[:min(len(s), 3000)], "hello")
		}
	}
	f.Add("[    0.000000] Linux\nrustko-vm: insmod hello\n\x1b[2J[    T1] BUG: kernel NULL pointer dereference\n RIP: 0010:f+0x1/0x2 [hello]\nrustko-vm-dmesg\nrustko-vm-done", "hello")
	f.Add("rustko-vm: insmod m\nrustko-vm: tainted 99999999999999999999\nrustko-vm: insmod failed: x\r\n", "m")
	f.Fuzz(func(t *testing.T, serial, modname string) {
		l := ParseLog(serial, modname)
		printed := strings.ReplaceAll(ansiEscape.ReplaceAllString(serial, ""), "\r", "")
		for _, k := range l.Kernel {
			if !strings.Contains(printed, strings.TrimRight(k, " ")) {
				t.Fatalf("kernel line %q is not in the serial log", k)
			}
		}
		if !l.Loaded && (len(l.Kernel) > 0 || l.InsmodTried) {
			t.Fatalf("kernel lines or an insmod result without the insmod step: %+v", l)
		}
		for _, r := range ParseReports(l.Kernel) {
			for _, fr := range r.Frames {
				if !slices.Contains(r.Lines, fr.Text) {
					t.Fatalf("frame %q is not one of its report's lines", fr.Text)
				}
			}
		}
		_ = l.ModuleLines()
	})
}
