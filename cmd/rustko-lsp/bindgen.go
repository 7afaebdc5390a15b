package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/rustko/rustko-lsp/bindings"
	"github.com/rustko/rustko-lsp/module"
	"github.com/rustko/rustko-lsp/workspace"
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
	// Inside a module folder the module's configuration fills the gaps,
	// with the options check, build and the editor generate with.
	var w *workspace.Module
	var gopts bindings.Options
	if _, err := module.FindRoot("."); err == nil {
		if w, err = loadWorkspace(ctx, ".", o.kdir); err != nil {
			return exitTool, err
		}
		if w.KernelErr != nil {
			return exitTool, w.KernelErr
		}
		for _, warning := range w.Warnings {
			fmt.Fprintln(stderr, warning)
		}
		gopts = w.BindingsOptions()
	} else if len(o.headers) == 0 {
		return exitTool, fmt.Errorf("no headers given and %v; name headers (rustko-lsp bindgen linux/fs.h) or run it in a module folder", err)
	} else {
		tree, warnings, err := modules.LoadTree(ctx, o.kdir)
		if err != nil {
			return exitTool, err
		}
		for _, warning := range warnings {
			fmt.Fprintln(stderr, warning)
		}
		gopts = bindings.Options{Kernel: tree.Kernel, Flags: tree.Flags, Symvers: tree.Symvers, Version: versionString(), Out: "bindings.rs"}
	}
	if len(o.headers) > 0 {
		gopts.Headers = o.headers
	}
	if o.out != "" {
		gopts.Out = o.out
	}
	if o.index != "" {
		gopts.IndexOut = o.index
	}
	if o.helpers != "" {
		gopts.HelpersOut = o.helpers
	}
	gopts.LayoutTests, gopts.NoCache = o.layoutTests, o.noCache
	p := newProgress(stderr)
	gopts.Progress = p.stage
	res, err := bindings.Generate(ctx, gopts)
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
	headers := gopts.Headers
	if len(headers) == 0 {
		headers = bindings.DefaultHeaders()
	}
	fmt.Fprintf(stderr, "rustko-lsp bindgen: %s: %d Rust items, %d C names indexed (%s) from %s; %s\n",
		relWD(res.RustFile), res.Emitted, res.Items, relWD(res.IndexFile), strings.Join(headers, " "), state)
	if h := res.Helpers; h != nil {
		var m *module.Module
		if w != nil {
			m = w.Module
		}
		return reportHelpers(stderr, m, h), nil
	}
	return exitOK, nil
}

// relWD shows p relative to the working folder when it is inside it.
func relWD(p string) string {
	wd, err := os.Getwd()
	if err != nil {
		return p
	}
	return rel(wd, p)
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
