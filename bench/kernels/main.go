// Command kernels measures cold binding generation per kernel in one run:
// rustko-lsp bindgen of the default six-header set against each kernel tree,
// beside `gcc -fsyntax-only` of the same headers with kbuild's captured flags
// (the floor: the compiler only parses and type-checks) and Debian's bindgen
// where it is installed. Rounds alternate between the tools so load changes hit
// all of them. It prints one Markdown table row per kernel; bench/kernels.sh
// runs it natively and inside the trixie root (7.x trees need its gcc-14) and
// writes the section of docs/BENCHMARKS.md.
//
//	go build -o /tmp/kb ./bench/kernels && /tmp/kb -rustko bin/rustko-lsp -rounds 5 /usr/src/linux-headers-6.12.*-amd64
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/rustko/rustko-lsp/bindings"
	"github.com/rustko/rustko-lsp/module"
)

func main() {
	rounds := flag.Int("rounds", 5, "cold runs of each tool")
	rustko := flag.String("rustko", "bin/rustko-lsp", "the rustko-lsp binary to measure")
	flag.Parse()
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if flag.NArg() == 0 || *rounds < 1 {
		fmt.Fprintln(os.Stderr, "usage: kernels [-rounds N>0] [-rustko BIN] KDIR...")
		os.Exit(2)
	}
	for _, kdir := range flag.Args() {
		row, err := measureKernel(context.Background(), *rustko, kdir, *rounds)
		if err != nil {
			fmt.Fprintf(os.Stderr, "bench/kernels: %s: %v\n", kdir, err)
			os.Exit(1)
		}
		fmt.Println(row)
	}
}

type sample struct {
	wall, cpu time.Duration
	rssKiB    int64
}

type tool struct {
	name    string
	argv    []string
	env     []string
	out     string // the output file whose lines are counted, if any
	samples []sample
}

func measureKernel(ctx context.Context, rustko, kdir string, rounds int) (string, error) {
	k, err := module.FindKernel(ctx, kdir)
	if err != nil {
		return "", err
	}
	flags, err := module.CaptureFlags(ctx, k)
	if err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp("", "rustko-bench-kernels-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	headers := bindings.DefaultHeaders()
	var inc strings.Builder
	for _, h := range headers {
		fmt.Fprintf(&inc, "#include <%s>\n", h)
	}
	hfile := filepath.Join(tmp, "headers.h")
	if err := os.WriteFile(hfile, []byte(inc.String()), 0o644); err != nil {
		return "", err
	}
	rk := &tool{name: "rustko", out: filepath.Join(tmp, "rustko.rs"),
		env:  append(os.Environ(), "RUSTKO_CACHE_DIR="+filepath.Join(tmp, "cache")),
		argv: append([]string{rustko, "bindgen", "--kdir", k.Dir, "--no-cache", "-o", filepath.Join(tmp, "rustko.rs")}, headers...)}
	gcc := &tool{name: "gcc", argv: append(append([]string{flags.Compiler}, flags.CompilerArgs()...), "-fsyntax-only", hfile)}
	tools := []*tool{rk, gcc}
	if _, err := exec.LookPath("bindgen"); err == nil {
		tools = append(tools, &tool{name: "bindgen", out: filepath.Join(tmp, "bindgen.rs"),
			argv: append([]string{"bindgen", hfile, "-o", filepath.Join(tmp, "bindgen.rs"), "--use-core", "--ctypes-prefix", "core::ffi",
				"--no-layout-tests", "--no-debug", ".*", "--size_t-is-usize", "--"}, clangArgs(flags)...)})
	}
	// One untimed run each fills the page cache and rustko's flag cache; a
	// tool that fails here is reported as failing, not timed.
	failed := map[string]string{}
	for _, t := range tools {
		if _, err := run(ctx, t.env, t.argv); err != nil {
			failed[t.name] = err.Error()
		}
	}
	for i := 0; i < rounds; i++ {
		for j := range tools {
			t := tools[(i+j)%len(tools)]
			if failed[t.name] != "" {
				continue
			}
			s, err := run(ctx, t.env, t.argv)
			if err != nil {
				return "", err
			}
			t.samples = append(t.samples, s)
		}
	}
	cell := func(t *tool) string {
		if msg := failed[t.name]; msg != "" {
			return "fails: " + firstLine(msg)
		}
		c := fmt.Sprintf("%s (%s CPU), %d MiB", ms(median(t.samples, wallOf)), ms(median(t.samples, cpuOf)), maxRSS(t.samples)/1024)
		if t.out != "" {
			n := lines(t.out)
			if n == 0 {
				return c + ", **empty output**"
			}
			c += fmt.Sprintf(", %d lines", n)
		}
		return c
	}
	bg := "not installed"
	if len(tools) == 3 {
		bg = cell(tools[2])
	}
	ratio := "–"
	if failed["rustko"] == "" && failed["gcc"] == "" {
		ratio = fmt.Sprintf("%.1f×", float64(median(rk.samples, wallOf))/float64(median(gcc.samples, wallOf)))
	}
	return fmt.Sprintf("| %s | %s | %s | %s | %s |", k.Release, cell(rk), cell(gcc), ratio, bg), nil
}

// clangArgs are kbuild's flags as clang (under bindgen) accepts them, the
// same subset bench/bindgen passes.
func clangArgs(f *module.Flags) []string {
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
			a == "-mno-red-zone", a == "-fshort-wchar", a == "-fno-PIE", a == "-O2", a == "-fno-strict-aliasing":
			out = append(out, a)
		}
	}
	return append(out, "-Wno-everything")
}

// run starts a tool in its own process group (killed with it on cancel) and
// reads its wall time, CPU time and peak RSS.
func run(ctx context.Context, env, argv []string) (sample, error) {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return sample{}, fmt.Errorf("%s: %v: %s", filepath.Base(argv[0]), err, strings.TrimSpace(stderr.String()))
	}
	s := sample{wall: wall}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		s.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		s.rssKiB = ru.Maxrss
	}
	return s, nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}

func median(ss []sample, f func(sample) time.Duration) time.Duration {
	v := make([]time.Duration, len(ss))
	for i, s := range ss {
		v[i] = f(s)
	}
	sort.Slice(v, func(i, j int) bool { return v[i] < v[j] })
	return v[len(v)/2]
}

func maxRSS(ss []sample) int64 {
	m := int64(0)
	for _, s := range ss {
		m = max(m, s.rssKiB)
	}
	return m
}

func wallOf(s sample) time.Duration { return s.wall }
func cpuOf(s sample) time.Duration  { return s.cpu }
func ms(d time.Duration) string     { return fmt.Sprintf("%.0f ms", float64(d)/1e6) }

func lines(p string) int {
	b, err := os.ReadFile(p)
	if err != nil {
		return 0
	}
	return bytes.Count(b, []byte("\n"))
}
