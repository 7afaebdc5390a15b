// Package measure is what the bench/ commands share: the kernel, flags and
// header file they measure with, running a tool as a process with its wall
// time, CPU time and peak RSS, the statistics over rounds, the machine's
// description, and kbuild's flags as clang (under Debian's bindgen) takes
// them.
package measure

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/rustko/rustko-lsp/internal/proc"
	"github.com/rustko/rustko-lsp/module"
)

// Setup is what a benchmark of binding generation starts from: the kernel
// tree, kbuild's flags for it, and a temporary folder (the caller removes
// it) holding HeaderFile, an #include of each of Headers.
type Setup struct {
	Kernel     *module.Kernel
	Flags      *module.Flags
	Tmp        string
	Headers    []string
	HeaderFile string
}

// NewSetup finds the kernel tree kdir ("" for the installed headers),
// captures its flags and writes the header file of headers into a new
// folder named after prefix.
func NewSetup(ctx context.Context, kdir, prefix string, headers []string) (*Setup, error) {
	k, err := module.FindKernel(ctx, kdir)
	if err != nil {
		return nil, err
	}
	flags, err := module.CaptureFlags(ctx, k)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", prefix)
	if err != nil {
		return nil, err
	}
	s := &Setup{Kernel: k, Flags: flags, Tmp: tmp, Headers: headers, HeaderFile: filepath.Join(tmp, "headers.h")}
	var inc strings.Builder
	for _, h := range s.Headers {
		fmt.Fprintf(&inc, "#include <%s>\n", h)
	}
	if err := os.WriteFile(s.HeaderFile, []byte(inc.String()), 0o644); err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	return s, nil
}

// Sample is one run of a tool.
type Sample struct {
	Wall, CPU time.Duration
	RSSKiB    int64
}

// Wall and CPU pick a sample's figure for Median and Min.
func Wall(s Sample) time.Duration { return s.Wall }
func CPU(s Sample) time.Duration  { return s.CPU }

// Run runs a tool (proc.Run: its own process group, killed with it when
// ctx ends) with env (nil: this process's), its output discarded, and
// reads its wall time, CPU time and peak RSS. A tool that fails is an error
// carrying its stderr.
func Run(ctx context.Context, env []string, name string, args ...string) (Sample, error) {
	res, err := proc.Run(ctx, proc.Cmd{Name: name, Args: args, Env: env, DiscardStdout: true})
	if err != nil {
		return Sample{}, fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, res.Stderr)
	}
	s := Sample{Wall: res.Elapsed}
	if ru := res.Usage; ru != nil {
		s.CPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		s.RSSKiB = ru.Maxrss
	}
	return s, nil
}

// Median of one figure over the samples (which must not be empty).
func Median(ss []Sample, f func(Sample) time.Duration) time.Duration {
	v := make([]time.Duration, len(ss))
	for i, s := range ss {
		v[i] = f(s)
	}
	slices.Sort(v)
	return v[len(v)/2]
}

// Min of one figure over the samples (which must not be empty).
func Min(ss []Sample, f func(Sample) time.Duration) time.Duration {
	m := f(ss[0])
	for _, s := range ss[1:] {
		m = min(m, f(s))
	}
	return m
}

// MaxRSS is the peak RSS over the samples, in KiB.
func MaxRSS(ss []Sample) int64 {
	m := int64(0)
	for _, s := range ss {
		m = max(m, s.RSSKiB)
	}
	return m
}

// MS prints a duration in whole milliseconds.
func MS(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d)/1e6) }

// ClangArgs are kbuild's flags as clang (under bindgen) accepts them: the
// preprocessor and target flags, without gcc-only code generation options.
func ClangArgs(f *module.Flags) []string {
	var out []string
	args := f.CompilerArgs()
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-include" || a == "-isystem":
			if i+1 < len(args) {
				out = append(out, a, args[i+1])
			}
			i++
		case strings.HasPrefix(a, "-I"), strings.HasPrefix(a, "-D"), strings.HasPrefix(a, "-U"),
			strings.HasPrefix(a, "-std="), a == "-nostdinc", a == "-m64", a == "-mcmodel=kernel",
			a == "-mno-red-zone", a == "-mno-sse", a == "-mno-mmx", a == "-mno-sse2", a == "-mno-3dnow",
			a == "-mno-avx", a == "-mno-80387", a == "-fshort-wchar", a == "-fno-PIE", a == "-O2",
			a == "-fno-strict-aliasing", a == "-fno-common":
			out = append(out, a)
		}
	}
	return append(out, "-Wno-everything")
}

// Lines counts a file's lines (0 when it cannot be read).
func Lines(p string) int {
	b, err := os.ReadFile(p)
	if err != nil {
		return 0
	}
	return bytes.Count(b, []byte("\n"))
}

// Loadavg is the 1, 5 and 15 minute load averages, "a/b/c".
func Loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], "/")
}

// CPUModel is the machine's processor as /proc/cpuinfo names it.
func CPUModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}
