package vm

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// The guest's /init writes these into the kernel log (and its console).
const (
	markerPrefix = "rustko-vm: "
	dmesgMarker  = "rustko-vm-dmesg"
	doneMarker   = "rustko-vm-done"
)

// Log is the serial log read back: the console as printed, and the
// module's part of the kernel log.
type Log struct {
	// Console is every line of the serial log, escape sequences and
	// carriage returns removed.
	Console []string
	// Started is true when the kernel printed anything (false: QEMU never
	// ran it).
	Started bool
	// Loaded is true when /init reached the insmod step.
	Loaded bool
	// Complete is true when /init printed the whole kernel log and finished.
	Complete bool
	// Kernel is the kernel log from the insmod step on, without timestamps
	// and without /init's own markers: from the final dmesg when /init got
	// there, else from what the console printed before the VM stopped.
	Kernel []string
	// InsmodOK, RmmodOK: what /init reported. InsmodErr/RmmodErr hold the
	// tool's message when it failed.
	InsmodOK, RmmodOK   bool
	InsmodErr, RmmodErr string
	InsmodTried         bool
	// Tainted is /proc/sys/kernel/tainted after the module was unloaded
	// (-1 when /init did not get there).
	Tainted int64
}

var (
	// CSI sequences, and the two-byte ones such as SeaBIOS's "ESC c" reset.
	ansiEscape = regexp.MustCompile(`\x1b(\[[0-9;?]*[ -/]*[@-~]|[ -/]*[0-~])`)
	// "[    1.234567] " and 7.x's caller id "[    T1] ".
	timestamp    = regexp.MustCompile(`^\[\s*\d+\.\d+\](\[\s*[TC]\d+\])?\s?`)
	anyTimestamp = regexp.MustCompile(`\[\s*\d+\.\d{6}\]`)
)

// ParseLog reads a serial log from a boot of module modname.
func ParseLog(serial, modname string) Log {
	l := Log{Tainted: -1}
	raw := strings.Split(ansiEscape.ReplaceAllString(serial, ""), "\n")
	for _, line := range raw {
		line = strings.TrimRight(strings.ReplaceAll(line, "\r", ""), " ")
		// The first kernel line can share its line with the firmware's
		// "Booting from ROM..": the kernel's part starts at its timestamp.
		if loc := anyTimestamp.FindStringIndex(line); loc != nil && loc[0] > 0 {
			line = line[loc[0]:]
		}
		l.Console = append(l.Console, line)
	}
	var live, dmesg []string
	inDmesg, sawLiveMarker := false, false
	for _, line := range l.Console {
		// /init's echo can land in the middle of a console line the kernel
		// is still printing (threaded consoles on PREEMPT_RT): the markers
		// are found anywhere in a line.
		if before, _, ok := strings.Cut(line, dmesgMarker); ok {
			if before != "" && !inDmesg && sawLiveMarker {
				live = append(live, timestamp.ReplaceAllString(before, ""))
			}
			inDmesg = true
			continue
		}
		if before, _, ok := strings.Cut(line, doneMarker); ok {
			if before != "" && inDmesg {
				dmesg = append(dmesg, timestamp.ReplaceAllString(before, ""))
			}
			l.Complete = true
			inDmesg = false
			continue
		}
		if timestamp.MatchString(line) {
			l.Started = true
		}
		text := timestamp.ReplaceAllString(line, "")
		if inDmesg {
			dmesg = append(dmesg, text)
			continue
		}
		if strings.HasPrefix(text, markerPrefix+"insmod "+modname) {
			sawLiveMarker = true
		}
		if sawLiveMarker {
			live = append(live, text)
		}
	}
	start := func(src []string) int {
		return slices.IndexFunc(src, func(text string) bool { return strings.HasPrefix(text, markerPrefix+"insmod "+modname) })
	}
	// The final dmesg is complete and in order; the console is what there
	// is when the VM stopped before it.
	src := dmesg
	from := start(dmesg)
	if !l.Complete || from < 0 {
		src, from = live, start(live)
	}
	if from < 0 {
		return l
	}
	l.Loaded = true
	for _, text := range src[from:] {
		rest, ok := strings.CutPrefix(text, markerPrefix)
		if !ok {
			if strings.TrimSpace(text) != "" {
				l.Kernel = append(l.Kernel, text)
			}
			continue
		}
		switch {
		case strings.HasPrefix(rest, "insmod ok"):
			l.InsmodTried, l.InsmodOK = true, true
		case strings.HasPrefix(rest, "insmod failed"):
			l.InsmodTried = true
			l.InsmodErr = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(rest, "insmod failed"), ":"))
		case strings.HasPrefix(rest, "rmmod ok"):
			l.RmmodOK = true
		case strings.HasPrefix(rest, "rmmod failed"):
			l.RmmodErr = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(rest, "rmmod failed"), ":"))
		case strings.HasPrefix(rest, "tainted "):
			if n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimPrefix(rest, "tainted ")), 10, 64); err == nil {
				l.Tainted = n
			}
		}
	}
	return l
}

// taintLetters are the kernel's taint flags by bit (kernel/panic.c's
// taint_flags; bit 19, J, is 7.x's TAINT_FWCTL).
const taintLetters = "PFSRMBUDAWCIOELKXTNJ"

// expectedTaint is what loading any out-of-tree module does: O (out of
// tree) and E (unsigned); P (proprietary licence) is the author's choice.
const expectedTaint = 1<<0 | 1<<12 | 1<<13

func taintString(n int64) string {
	var b strings.Builder
	for i := 0; i < len(taintLetters); i++ {
		if n&(1<<i) != 0 {
			b.WriteByte(taintLetters[i])
		}
	}
	return b.String()
}

// Problems lists what makes the boot a failure of the module: a failed load
// or unload, an oops/BUG/WARN/panic, an unexpected taint, a VM that did not
// finish, and lines of expect the kernel log lacks. Empty means it passed.
func (r *Result) Problems(expect []string) []string {
	var out []string
	l := r.Log
	if r.TimedOut {
		out = append(out, "the VM did not power off in time: the module hangs (in its init or exit), or the machine is too slow (--timeout)")
	}
	if r.QEMUError != "" {
		out = append(out, r.QEMUError)
	}
	if !l.Loaded && !r.TimedOut {
		out = append(out, "the VM stopped before loading the module")
	}
	if l.InsmodTried && !l.InsmodOK {
		out = append(out, "insmod failed: "+r.LoadFailure())
	}
	if l.InsmodOK && !l.RmmodOK && l.RmmodErr != "" {
		out = append(out, "rmmod failed: "+l.RmmodErr)
	}
	// The kernel loads a module despite a parameter it does not know; the
	// run did not test what was asked.
	for _, line := range l.Kernel {
		if strings.HasPrefix(line, r.Module+": unknown parameter") {
			out = append(out, "the kernel "+strings.TrimPrefix(line, r.Module+": "))
		}
	}
	reports := ParseReports(l.Kernel)
	for _, rep := range reports {
		out = append(out, "the kernel log shows "+rep.Summary)
	}
	if len(reports) == 0 && l.Tainted > 0 && l.Tainted&^expectedTaint != 0 {
		out = append(out, fmt.Sprintf("the kernel is tainted %s (%d) after the module ran", taintString(l.Tainted&^expectedTaint), l.Tainted))
	}
	if len(out) == 0 && l.Loaded && !l.Complete {
		out = append(out, "the VM stopped before the end of the test")
	}
	for _, want := range expect {
		if !slices.ContainsFunc(l.Kernel, func(line string) bool { return strings.Contains(line, want) }) {
			out = append(out, fmt.Sprintf("the kernel log lacks %q", want))
		}
	}
	return out
}

// LoadFailure says why insmod failed: the kernel's own lines about the
// module (unknown symbol, invalid parameter...) when it printed any, else
// insmod's message.
func (r *Result) LoadFailure() string {
	var why []string
	seen := map[string]bool{}
	for _, line := range r.Log.Kernel {
		// busybox's insmod tries finit_module, then init_module: the
		// kernel says the same thing twice.
		if strings.HasPrefix(line, r.Module+": ") && !benign(line) && !seen[line] {
			seen[line] = true
			why = append(why, strings.TrimPrefix(line, r.Module+": "))
		}
	}
	if len(why) == 0 {
		return r.Log.InsmodErr
	}
	return strings.Join(why, "; ")
}

// benign are the lines every out-of-tree module load prints.
func benign(line string) bool {
	return strings.Contains(line, "loading out-of-tree module taints kernel") ||
		strings.Contains(line, "module verification failed") ||
		strings.Contains(line, "module license") && strings.Contains(line, "taints kernel")
}

// Report is one oops, BUG, WARN or panic in the kernel log.
type Report struct {
	Summary string   // its first line: "BUG: kernel NULL pointer dereference, address: 0000000000000010"
	Lines   []string // the whole report
	Frames  []Frame  // RIP first (when it names a function), then the call trace
}

// Frame is one `sym+0xoff/0xlen [module]` of a report.
type Frame struct {
	Text   string // the line as printed
	Symbol string
	Offset uint64
	Length uint64
	Module string // "" for the kernel's own code
	// Exact is true for the faulting instruction (RIP); call trace entries
	// are return addresses, one past the call.
	Exact bool
	// Unreliable marks "? sym+..." entries the unwinder only guessed.
	Unreliable bool
}

var (
	reportStart = regexp.MustCompile(`^(BUG: .*|Oops: .*|general protection fault.*|WARNING: .*|kernel BUG at .*|Kernel panic - not syncing: .*|UBSAN: .*|stack segment: .*|divide error: .*|invalid opcode: .*)$`)
	frameRe     = regexp.MustCompile(`^\s*(RIP: [0-9a-f]{4}:)?\s*(\?\s+)?([^\s+?]+)\+0x([0-9a-f]+)/0x([0-9a-f]+)(?:\s+\[([^\]\s]+)\])?\s*$`)
)

// ParseReports finds the oops/BUG/WARN/panic reports in kernel log lines
// (timestamps already removed).
func ParseReports(lines []string) []Report {
	var out []Report
	var cur *Report
	ended := false
	for _, line := range lines {
		text := strings.TrimSpace(line)
		if reportStart.MatchString(text) {
			// The lines that follow the first one of a report (Oops: after
			// BUG:, the panic after the end marker) belong to it.
			continuation := cur != nil && (!ended || strings.HasPrefix(text, "Kernel panic"))
			if !continuation {
				out = append(out, Report{Summary: text})
				cur = &out[len(out)-1]
				ended = false
			}
		}
		if cur == nil {
			continue
		}
		cur.Lines = append(cur.Lines, text)
		if strings.HasPrefix(text, "---[ end trace") {
			ended = true
			continue
		}
		if ended {
			continue
		}
		m := frameRe.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		off, _ := strconv.ParseUint(m[4], 16, 64)
		n, _ := strconv.ParseUint(m[5], 16, 64)
		cur.Frames = append(cur.Frames, Frame{
			Text: text, Symbol: m[3], Offset: off, Length: n, Module: m[6],
			Exact: m[1] != "", Unreliable: m[2] != "",
		})
	}
	return out
}

// ModuleLines is the kernel log without the lines every out-of-tree module
// load prints (taint notices): what a person wants to see.
func (l Log) ModuleLines() []string {
	var out []string
	for _, line := range l.Kernel {
		if !benign(line) {
			out = append(out, line)
		}
	}
	return out
}
