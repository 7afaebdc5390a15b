// Command bindgen benchmarks rustko's binding generation against Debian's
// bindgen on the same machine in the same run: cold generation of the
// default six-header set (rounds alternate between the two tools so load
// changes hit both), warm regeneration, and the Go benchmarks of the warm
// path and of loading the index. It prints a Markdown report and, with
// -write, replaces the "## Bindings" section of docs/BENCHMARKS.md.
//
//	go run ./bench/bindgen -rounds 5 -write docs/BENCHMARKS.md
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"time"

	"github.com/rustko/rustko-lsp/bench/internal/measure"
	"github.com/rustko/rustko-lsp/bindings"
	"github.com/rustko/rustko-lsp/module"
)

func main() {
	rounds := flag.Int("rounds", 5, "cold runs of each tool")
	kdir := flag.String("kdir", "", "kernel build tree (default: the installed headers)")
	write := flag.String("write", "", "Markdown file whose \"## Bindings\" section gets the report")
	flag.Parse()
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err := run(*rounds, *kdir, *write); err != nil {
		fmt.Fprintln(os.Stderr, "bench/bindgen:", err)
		os.Exit(1)
	}
}

func run(rounds int, kdir, write string) error {
	ctx := context.Background()
	setup, err := measure.NewSetup(ctx, kdir, "rustko-bench-", bindings.DefaultHeaders())
	if err != nil {
		return err
	}
	defer os.RemoveAll(setup.Tmp)
	k, tmp, headers := setup.Kernel, setup.Tmp, setup.Headers
	if _, err := exec.LookPath("bindgen"); err != nil {
		return errors.New("bindgen is not installed: apt-get install -y bindgen libclang1-14")
	}
	rk := filepath.Join(tmp, "rustko-lsp")
	if out, err := exec.Command("go", "build", "-o", rk, "./cmd/rustko-lsp").CombinedOutput(); err != nil {
		return fmt.Errorf("building rustko-lsp (run from the repository root): %v\n%s", err, out)
	}
	env := append(os.Environ(), "RUSTKO_CACHE_DIR="+filepath.Join(tmp, "cache"))
	rkArgs := append([]string{"bindgen", "--kdir", k.Dir, "--no-cache", "-o", filepath.Join(tmp, "rustko.rs")}, headers...)
	// Kernel style: what rust/Makefile passes, minus the blocklists.
	bgArgs := append([]string{setup.HeaderFile, "-o", filepath.Join(tmp, "bindgen.rs"), "--use-core", "--with-derive-default",
		"--ctypes-prefix", "core::ffi", "--no-layout-tests", "--no-debug", ".*", "--size_t-is-usize", "--"}, measure.ClangArgs(setup.Flags)...)
	var rks, bgs []measure.Sample
	tools := []struct {
		env     []string
		name    string
		args    []string
		samples *[]measure.Sample
	}{{env, rk, rkArgs, &rks}, {nil, "bindgen", bgArgs, &bgs}}

	// One untimed run of each fills the page cache and rustko's flag cache.
	for _, t := range tools {
		if _, err := measure.Run(ctx, t.env, t.name, t.args...); err != nil {
			return err
		}
	}
	load0 := measure.Loadavg()
	for i := range rounds {
		for j := range tools {
			t := tools[(i+j)%len(tools)]
			s, err := measure.Run(ctx, t.env, t.name, t.args...)
			if err != nil {
				return err
			}
			*t.samples = append(*t.samples, s)
		}
	}
	warmArgs := append([]string{"bindgen", "--kdir", k.Dir, "-o", filepath.Join(tmp, "rustko.rs")}, headers...)
	if _, err := measure.Run(ctx, env, rk, warmArgs...); err != nil {
		return err
	}
	var warm []measure.Sample
	for range rounds {
		s, err := measure.Run(ctx, env, rk, warmArgs...)
		if err != nil {
			return err
		}
		warm = append(warm, s)
	}
	stages, err := stageTimes(ctx, env, rk, append([]string{"bindgen", "--log", "debug"}, rkArgs[1:]...)...)
	if err != nil {
		return err
	}
	load1 := measure.Loadavg()
	gb, err := goBenchmarks(ctx)
	if err != nil {
		return err
	}
	rkLines, bgLines := measure.Lines(filepath.Join(tmp, "rustko.rs")), measure.Lines(filepath.Join(tmp, "bindgen.rs"))
	report := render(k, headers, rounds, rks, bgs, warm, gb, load0, load1, rkLines, bgLines, stages)
	fmt.Print(report)
	if write != "" {
		return writeSection(write, report)
	}
	return nil
}

var benchLine = regexp.MustCompile(`^(Benchmark\S+)-\d+\s+\d+\s+(\d+) ns/op(?:\s+([\d.]+) cpu-ms/op)?`)

// goBench is one Go benchmark's wall and CPU time per operation.
type goBench struct{ wall, cpu time.Duration }

// goBenchmarks runs the in-process benchmarks of the warm path.
func goBenchmarks(ctx context.Context) (map[string]goBench, error) {
	cmd := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-bench", "BenchmarkGenerateWarm|BenchmarkLoadIndex", "-benchtime", "20x", "./bindings/")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("go test -bench: %v\n%s", err, out)
	}
	res := map[string]goBench{}
	for _, l := range strings.Split(string(out), "\n") {
		if m := benchLine.FindStringSubmatch(l); m != nil {
			var ns int64
			var cpuMS float64
			fmt.Sscan(m[2], &ns)
			if m[3] != "" {
				fmt.Sscan(m[3], &cpuMS)
			}
			res[m[1]] = goBench{time.Duration(ns), time.Duration(cpuMS * float64(time.Millisecond))}
		}
	}
	return res, nil
}

func render(k *module.Kernel, headers []string, rounds int, rks, bgs, warm []measure.Sample, gb map[string]goBench,
	load0, load1 string, rkLines, bgLines int, stages string) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	p("## Bindings")
	p("")
	p("Cold generation of Rust bindings for the default header set (%s) against kernel %s, measured by",
		strings.Join(headers, ", "), k.Release)
	p("`go run ./bench/bindgen -rounds %d` on %s (%d CPUs, %s), %s.", rounds, measure.CPUModel(), runtime.NumCPU(), runtime.GOOS+"/"+runtime.GOARCH,
		time.Now().UTC().Format("2006-01-02"))
	p("Both tools run as processes with kbuild's captured flags (bindgen: the clang-compatible subset, kernel-style options")
	p("`--use-core --ctypes-prefix core::ffi --no-layout-tests --no-debug '.*' --size_t-is-usize`; rustko: `rustko-lsp bindgen --no-cache`,")
	p("flags already cached). Rounds alternate between the tools; wall and CPU are medians (min in brackets), RSS the peak.")
	p("Load average %s before and %s after: the machine is shared, so CPU time is the steadier figure.", load0, load1)
	p("")
	p("| tool | wall | CPU (user+sys) | peak RSS | output |")
	p("|---|---|---|---|---|")
	p("| rustko-lsp bindgen (cold) | %s (%s) | %s (%s) | %d MiB | %d lines |", measure.MS(measure.Median(rks, measure.Wall)), measure.MS(measure.Min(rks, measure.Wall)),
		measure.MS(measure.Median(rks, measure.CPU)), measure.MS(measure.Min(rks, measure.CPU)), measure.MaxRSS(rks)/1024, rkLines)
	p("| bindgen 0.60.1 | %s (%s) | %s (%s) | %d MiB | %d lines |", measure.MS(measure.Median(bgs, measure.Wall)), measure.MS(measure.Min(bgs, measure.Wall)),
		measure.MS(measure.Median(bgs, measure.CPU)), measure.MS(measure.Min(bgs, measure.CPU)), measure.MaxRSS(bgs)/1024, bgLines)
	p("| rustko-lsp bindgen (warm, whole command) | %s (%s) | %s (%s) | %d MiB | |", measure.MS(measure.Median(warm, measure.Wall)), measure.MS(measure.Min(warm, measure.Wall)),
		measure.MS(measure.Median(warm, measure.CPU)), measure.MS(measure.Min(warm, measure.CPU)), measure.MaxRSS(warm)/1024)
	p("")
	ratio := float64(measure.Median(rks, measure.Wall)) / float64(measure.Median(bgs, measure.Wall))
	cpuRatio := float64(measure.Median(rks, measure.CPU)) / float64(measure.Median(bgs, measure.CPU))
	p("rustko/bindgen: %.2f× wall, %.2f× CPU (target ≤ 0.5× wall, RSS ≤ 300 MiB).", ratio, cpuRatio)
	p("")
	p("Where a cold run's time goes (one run, `--log debug`; \"parsing headers\" is the cc/v4 front end, the rest is bindings/):")
	p("%s.", stages)
	p("")
	w, li := gb["BenchmarkGenerateWarm"], gb["BenchmarkLoadIndex"]
	p("In process (`go test -bench 'GenerateWarm|LoadIndex' ./bindings/`, 20 iterations, wall / CPU per call): warm `Generate`")
	p("%s / %s (target ≤ 50 ms: stat of every header read, hash of the outputs, index load); `LoadIndex` of the", measure.MS(w.wall), measure.MS(w.cpu))
	p("six-header index (25k items) %s / %s.", measure.MS(li.wall), measure.MS(li.cpu))
	p("")
	return b.String()
}

var stageLine = regexp.MustCompile(`msg=bindings stage="([^"]+)" elapsed=(\S+) cpu=(\S+)`)
var doneLine = regexp.MustCompile(`msg="generated bindings".* elapsed=(\S+) cpu=(\S+)`)

// stageTimes runs one cold generation with debug logs and turns the stage
// timestamps into the time each stage took.
func stageTimes(ctx context.Context, env []string, rk string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, rk, args...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%s: %v\n%s", rk, err, out)
	}
	type mark struct {
		name    string
		at, cpu time.Duration
	}
	var marks []mark
	for _, l := range strings.Split(string(out), "\n") {
		if m := stageLine.FindStringSubmatch(l); m != nil {
			d, _ := time.ParseDuration(m[2])
			c, _ := time.ParseDuration(m[3])
			marks = append(marks, mark{m[1], d, c})
		} else if m := doneLine.FindStringSubmatch(l); m != nil {
			d, _ := time.ParseDuration(m[1])
			c, _ := time.ParseDuration(m[2])
			marks = append(marks, mark{"", d, c})
		}
	}
	var parts []string
	for i := 0; i+1 < len(marks); i++ {
		parts = append(parts, fmt.Sprintf("%s %s wall / %s CPU", marks[i].name, measure.MS(marks[i+1].at-marks[i].at), measure.MS(marks[i+1].cpu-marks[i].cpu)))
	}
	return strings.Join(parts, ", "), nil
}

// writeSection replaces the "## Bindings" section of a Markdown file (up
// to the next "## " heading), or appends it; other sections are left alone.
func writeSection(path, section string) error {
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	text := string(old)
	if text == "" {
		text = "# Benchmarks\n\n"
	}
	start := strings.Index(text, "## Bindings\n")
	if start < 0 {
		if !strings.HasSuffix(text, "\n\n") {
			text = strings.TrimRight(text, "\n") + "\n\n"
		}
		return os.WriteFile(path, []byte(text+section), 0o644)
	}
	end := len(text)
	if i := strings.Index(text[start+len("## Bindings\n"):], "\n## "); i >= 0 {
		end = start + len("## Bindings\n") + i + 1
	}
	return os.WriteFile(path, []byte(text[:start]+section+text[end:]), 0o644)
}
