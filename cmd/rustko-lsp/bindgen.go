package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rustko/rustko-lsp/bindings"
	"github.com/rustko/rustko-lsp/module"
)

func init() {
	register(&command{
		name:  "bindgen",
		usage: "bindgen [--kdir DIR] [-o FILE] [--index FILE] [--helpers FILE] [--layout-tests] [--no-cache] [HEADER...]",
		summary: "generate Rust bindings and the index for kernel headers (in a module folder with no headers:\n" +
			"KERNEL_INCLUDE into BINDINGS, by default src/bindings.rs)",
		flags: func(fs *flag.FlagSet) func(context.Context, []string) (int, error) {
			var o bindgenOpts
			fs.StringVar(&o.kdir, "kdir", "", "kernel build tree (default: the module's KERNEL_BUILD_PATH, else the installed headers)")
			fs.StringVar(&o.out, "o", "", "Rust file to write (default: the module's BINDINGS, else ./bindings.rs)")
			fs.StringVar(&o.index, "index", "", "index file to write (default: the Rust file with .index for .rs)")
			fs.StringVar(&o.helpers, "helpers", "", "C helper file to write for the module's KERNEL_HELPERS (default in a module folder that lists some: src/rustko_helpers.c)")
			fs.BoolVar(&o.layoutTests, "layout-tests", false, "emit compile-time size/alignment/offset assertions")
			fs.BoolVar(&o.noCache, "no-cache", false, "regenerate even if the cached bindings are up to date (kbuild flags stay cached)")
			fs.StringVar(&o.logLevel, "log", "warn", "log level on stderr: debug, info, warn or error")
			return func(ctx context.Context, args []string) (int, error) {
				o.headers = args
				return runBindgen(ctx, o, os.Stderr)
			}
		},
	})
}

type bindgenOpts struct {
	kdir, out, index, logLevel string
	helpers                    string
	layoutTests, noCache       bool
	headers                    []string
}

func runBindgen(ctx context.Context, o bindgenOpts, stderr *os.File) (int, error) {
	closeLog, err := setupLogging(o.logLevel, "")
	if err != nil {
		return exitTool, err
	}
	defer closeLog()
	for _, h := range o.headers {
		if strings.HasPrefix(h, "-") {
			return exitTool, fmt.Errorf("flag %s after the headers: put flags first (rustko-lsp bindgen -o FILE linux/fs.h)", h)
		}
	}
	// Inside a module folder the module's configuration fills the gaps.
	var m *module.Module
	if root, err := module.FindRoot("."); err == nil {
		overrides := map[string]string{}
		if o.kdir != "" {
			overrides["KERNEL_BUILD_PATH"] = o.kdir
		}
		if m, err = module.Load(ctx, root, overrides); err != nil {
			return exitTool, err
		}
	} else if len(o.headers) == 0 {
		return exitTool, fmt.Errorf("no headers given and %v; name headers (rustko-lsp bindgen linux/fs.h) or run it in a module folder", err)
	}
	headers, out, kdir := o.headers, o.out, o.kdir
	if m != nil {
		if len(headers) == 0 {
			headers = m.Vars.KernelInclude
		}
		if out == "" {
			out = m.Vars.Bindings
		}
		if kdir == "" {
			kdir = m.Vars.KernelBuildPath
		}
	}
	if out == "" {
		out = "bindings.rs"
	}
	helpersOut, helperNames := o.helpers, []string(nil)
	if m != nil {
		var mo bindings.Options
		mo.FromModule(m)
		helperNames = mo.Helpers
		if helpersOut == "" {
			helpersOut = mo.HelpersOut
		}
	}
	k, err := module.FindKernel(ctx, kdir)
	if err != nil {
		return exitTool, err
	}
	flags, err := module.CaptureFlags(ctx, k)
	if err != nil {
		return exitTool, err
	}
	var symvers *module.Symvers
	if k.Symvers != "" {
		if symvers, err = module.ReadSymvers(k.Symvers); err != nil {
			return exitTool, err
		}
	}
	p := newProgress(stderr)
	res, err := bindings.Generate(ctx, bindings.Options{
		Kernel: k, Flags: flags, Headers: headers, Out: out, IndexOut: o.index,
		LayoutTests: o.layoutTests, NoCache: o.noCache, Symvers: symvers, Version: versionString(),
		Progress: p.stage, Helpers: helperNames, HelpersOut: helpersOut,
	})
	p.done()
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return exitTool, errors.New("interrupted")
		}
		return exitTool, err
	}
	state := fmt.Sprintf("generated in %s", res.Elapsed.Round(time.Millisecond))
	if res.Cached {
		state = "up to date (cached)"
	}
	if len(headers) == 0 {
		headers = bindings.DefaultHeaders()
	}
	fmt.Fprintf(stderr, "rustko-lsp bindgen: %s: %d Rust items, %d C names indexed (%s) from %s; %s\n",
		relWD(res.RustFile), res.Emitted, res.Items, relWD(res.IndexFile), strings.Join(headers, " "), state)
	if h := res.Helpers; h != nil {
		return reportHelpers(stderr, m, h), nil
	}
	return exitOK, nil
}

func relWD(p string) string {
	wd, err := os.Getwd()
	if err != nil {
		return p
	}
	if r, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return p
}

// progress draws one line on a terminal that each stage overwrites; on a
// pipe or file it stays silent, so logs and CI output stay clean.
type progress struct {
	w     io.Writer
	tty   bool
	start time.Time
	drawn bool
}

func newProgress(f *os.File) *progress {
	return &progress{w: f, tty: isTerminal(f), start: time.Now()}
}

func (p *progress) stage(s string) {
	if !p.tty {
		return
	}
	fmt.Fprintf(p.w, "\r\033[Krustko-lsp bindgen: %s (%.1fs)", s, time.Since(p.start).Seconds())
	p.drawn = true
}

func (p *progress) done() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

// reportHelpers says what KERNEL_HELPERS produced; each refusal points at
// the config.mk line that set the list, and makes the exit status 1.
func reportHelpers(w io.Writer, m *module.Module, h *bindings.Helpers) int {
	if h.File != "" {
		fmt.Fprintf(w, "rustko-lsp bindgen: %s: %d C helper(s)\n", relWD(h.File), len(h.Wrapped))
	}
	where := "KERNEL_HELPERS"
	if m != nil && m.Where["KERNEL_HELPERS"] != "" {
		where = m.Where["KERNEL_HELPERS"] + ": KERNEL_HELPERS"
	}
	for _, r := range h.Refused {
		fmt.Fprintf(w, "%s: %s\n", where, r.Reason)
	}
	if len(h.Refused) > 0 {
		return exitFindings
	}
	return exitOK
}
