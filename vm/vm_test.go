package vm

import (
	"slices"
	"strings"
	"testing"
)

// TestQEMUArgs: the guest's command line carries what makes an emulated
// boot end cleanly and survive a loaded host, under both accelerators.
func TestQEMUArgs(t *testing.T) {
	for _, tc := range []struct {
		accel        string
		hostCPU      bool
		slowWatchdog bool
	}{
		{"tcg", false, true},
		{"kvm", true, false},
	} {
		t.Run(tc.accel, func(t *testing.T) {
			args := qemuArgs(tc.accel, "/img", "/initrd")
			i := slices.Index(args, "-append")
			if i < 0 || i+1 >= len(args) {
				t.Fatalf("no -append in %q", args)
			}
			params := strings.Fields(args[i+1])
			// no_timer_check: the IO-APIC timer check panics a TCG guest
			// whose host is busy ("IO-APIC + timer doesn't work!").
			for _, want := range []string{"console=ttyS0", "panic=-1", "oops=panic", "no_timer_check"} {
				if !slices.Contains(params, want) {
					t.Errorf("kernel command line %q lacks %s", args[i+1], want)
				}
			}
			// A busy host makes a TCG guest see soft lockups that are not
			// the module's (taint L): the watchdog waits longer there.
			if got := slices.Contains(params, "watchdog_thresh=60"); got != tc.slowWatchdog {
				t.Errorf("watchdog_thresh=60 in %q = %v, want %v", args[i+1], got, tc.slowWatchdog)
			}
			if got := slices.Contains(args, "-no-reboot"); !got {
				t.Errorf("no -no-reboot in %q: a panic would reboot instead of ending QEMU", args)
			}
			if got := slices.Contains(args, "host"); got != tc.hostCPU {
				t.Errorf("-cpu host present = %v, want %v (%q)", got, tc.hostCPU, args)
			}
			if j := slices.Index(args, "-accel"); j < 0 || args[j+1] != tc.accel {
				t.Errorf("accelerator not %s in %q", tc.accel, args)
			}
		})
	}
}
