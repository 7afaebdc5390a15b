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
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/rustko/rustko-lsp/bench/internal/measure"
	"github.com/rustko/rustko-lsp/bindings"
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

type tool struct {
	name    string
	argv    []string
	env     []string
	out     string // the output file whose lines are counted, if any
	samples []measure.Sample
}

func measureKernel(ctx context.Context, rustko, kdir string, rounds int) (string, error) {
	setup, err := measure.NewSetup(ctx, kdir, "rustko-bench-kernels-", bindings.DefaultHeaders())
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(setup.Tmp)
	k, tmp := setup.Kernel, setup.Tmp
	rk := &tool{name: "rustko", out: filepath.Join(tmp, "rustko.rs"),
		env:  append(os.Environ(), "RUSTKO_CACHE_DIR="+filepath.Join(tmp, "cache")),
		argv: append([]string{rustko, "bindgen", "--kdir", k.Dir, "--no-cache", "-o", filepath.Join(tmp, "rustko.rs")}, setup.Headers...)}
	gcc := &tool{name: "gcc", argv: append(append([]string{setup.Flags.Compiler}, setup.Flags.CompilerArgs()...), "-fsyntax-only", setup.HeaderFile)}
	tools := []*tool{rk, gcc}
	if _, err := exec.LookPath("bindgen"); err == nil {
		tools = append(tools, &tool{name: "bindgen", out: filepath.Join(tmp, "bindgen.rs"),
			argv: append([]string{"bindgen", setup.HeaderFile, "-o", filepath.Join(tmp, "bindgen.rs"), "--use-core", "--ctypes-prefix", "core::ffi",
				"--no-layout-tests", "--no-debug", ".*", "--size_t-is-usize", "--"}, measure.ClangArgs(setup.Flags)...)})
	}
	// One untimed run each fills the page cache and rustko's flag cache; a
	// tool that fails here is reported as failing, not timed.
	failed := map[string]string{}
	for _, t := range tools {
		if _, err := measure.Run(ctx, t.env, t.argv[0], t.argv[1:]...); err != nil {
			failed[t.name] = err.Error()
		}
	}
	for i := 0; i < rounds; i++ {
		for j := range tools {
			t := tools[(i+j)%len(tools)]
			if failed[t.name] != "" {
				continue
			}
			s, err := measure.Run(ctx, t.env, t.argv[0], t.argv[1:]...)
			if err != nil {
				return "", err
			}
			t.samples = append(t.samples, s)
		}
	}
	cell := func(t *tool) string {
		if msg := failed[t.name]; msg != "" {
			return "fails: " + why(msg)
		}
		c := fmt.Sprintf("%s (%s CPU), %d MiB", measure.MS(measure.Median(t.samples, measure.Wall)), measure.MS(measure.Median(t.samples, measure.CPU)), measure.MaxRSS(t.samples)/1024)
		if t.out != "" {
			n := measure.Lines(t.out)
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
		ratio = fmt.Sprintf("%.1f×", float64(measure.Median(rk.samples, measure.Wall))/float64(measure.Median(gcc.samples, measure.Wall)))
	}
	return fmt.Sprintf("| %s | %s | %s | %s | %s |", k.Release, cell(rk), cell(gcc), ratio, bg), nil
}

// why is the first line of what a failed tool printed (measure.Run's error
// is its command line, then its stderr).
func why(s string) string {
	if _, stderr, ok := strings.Cut(s, "\n"); ok && strings.TrimSpace(stderr) != "" {
		s = strings.TrimSpace(stderr)
	}
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}
