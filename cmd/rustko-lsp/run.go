package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rustko/rustko-lsp/build"
	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/module"
	"github.com/rustko/rustko-lsp/vm"
)

// listFlag collects a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, " ") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func init() {
	register(&command{
		name:    "run",
		usage:   "run [--kdir DIR | --kernels all|KDIR,KDIR...] [--timeout D] [--param name=value]... [--keep] [--format text|json|sarif] [DIR | MODULE.ko]",
		summary: "build the module, load and unload it in a throwaway VM (QEMU), decode any oops to source lines",
		help: `The module is built (as build does) unless a .ko file is named, then loaded
with its parameters in Debian's kernel of the same release under QEMU (KVM
when /dev/kvm can be used, else software emulation), left running for
--wait, and unloaded; its kernel log lines are printed. The kernel image is
linux-image-<release>-unsigned, downloaded once (apt-get download, never
installed) into $RUSTKO_E2E_CACHE or ~/.cache/rustko-lsp/e2e, or --image.

An oops, BUG, WARN or panic in the module is decoded through the .ko's symbols
and DWARF: each module frame is shown at its file:line (inlined code too),
and the first frame in the module's own code becomes an error there.

With --kernels the module is built and booted once per kernel tree ("all"
is every configured tree installed, newest first; or name the trees,
comma-separated): each kernel's build goes to BUILD_DIRECTORY/<release>/
as with build --kernels, and boots Debian's image of that release (each
kernel needs its own). Builds run two at a time, boots one at a time. The
results are grouped per kernel under a "== kernel <release>" line (its
findings, then its log lines); JSON has a "kernels" list and a "kernel"
field on every diagnostic, SARIF one run per kernel. A kernel that cannot
be run (no image) is reported and the others still run; the exit status
is the worst over the kernels.

Exit status: 0 the module loaded and unloaded and the kernel showed no
oops/BUG/WARN/taint from it; 1 the module failed (or did not build); 2 the
VM could not run (no QEMU, no image), with what to install.`,
		flags: func(fs *flag.FlagSet) func(context.Context, []string) (int, error) {
			var o runOptions
			fs.StringVar(&o.kdir, "kdir", "", "kernel build tree (overrides KERNEL_BUILD_PATH); the VM boots its release")
			fs.StringVar(&o.kernels, "kernels", "", "build and boot on several kernel trees: `all|KDIR,KDIR` (every installed tree, or the trees listed)")
			fs.StringVar(&o.image, "image", "", "boot this kernel image `FILE` instead of Debian's for the tree's release")
			fs.DurationVar(&o.timeout, "timeout", 5*time.Minute, "give up on the VM after this long (a module that hangs)")
			fs.DurationVar(&o.wait, "wait", time.Second, "how long the module stays loaded before rmmod")
			fs.Var(&o.params, "param", "module parameter `name=value` (repeatable)")
			fs.Var(&o.expect, "expect", "the module's kernel log must contain `LINE` (repeatable)")
			def := os.Getenv("RUSTKO_VM_ACCEL")
			if def == "" {
				def = "auto"
			}
			fs.StringVar(&o.accel, "accel", def, "QEMU accelerator: auto (KVM when usable), kvm or tcg ($RUSTKO_VM_ACCEL)")
			fs.StringVar(&o.log, "log", "", "keep the VM's serial log in `FILE`")
			fs.BoolVar(&o.keep, "keep", false, "keep the VM's work folder (initramfs, serial log) and print where")
			fs.StringVar(&o.format, "format", "text", "output format: text (compiler style), json or sarif")
			mode := fs.String("mode", "auto", "toolchain mode for the build: auto, rust-src or host")
			return func(ctx context.Context, args []string) (int, error) {
				switch o.format {
				case "text", "json", "sarif":
				default:
					return exitTool, fmt.Errorf("unknown --format %q: use text, json or sarif", o.format)
				}
				m, err := build.ParseMode(*mode)
				if err != nil {
					return exitTool, err
				}
				o.mode = m
				dir, err := oneDir(args, "module folder or .ko file")
				if err != nil {
					return exitTool, err
				}
				o.dir = dir
				return runRun(ctx, o, os.Stdout, os.Stderr)
			}
		},
	})
}

type runOptions struct {
	dir, kdir, image, accel, log, format string
	kernels                              string // --kernels: "all" or comma-separated trees
	timeout, wait                        time.Duration
	params, expect                       listFlag
	keep                                 bool
	mode                                 build.Mode
}

func runRun(ctx context.Context, o runOptions, stdout, stderr io.Writer) (int, error) {
	closeLog, err := setupLogging("warn", "")
	if err != nil {
		return exitTool, err
	}
	defer closeLog()
	for _, p := range o.params {
		if name, _, ok := strings.Cut(p, "="); !ok || name == "" {
			return exitTool, fmt.Errorf("--param %q: want name=value", p)
		}
	}
	if o.kernels != "" {
		return runRunKernels(ctx, o, stdout, stderr)
	}
	var (
		ko, root, crate string
		findings        []diagnostics.Finding
		m               *module.Module
	)
	if st, err := os.Stat(o.dir); err == nil && !st.IsDir() && strings.HasSuffix(o.dir, ".ko") {
		// A built module: nothing to build; its sources, when it sits in
		// its module folder, are where findings go.
		ko = o.dir
		root = filepath.Dir(ko)
		if r, err := module.FindRoot(root); err == nil {
			root = r
		}
		// A .ko outside its module: failures without a source line are
		// only printed (a finding at the binary would show its bytes).
		if c := filepath.Join(root, "src", "lib.rs"); fileExists(c) {
			crate = c
		}
		if abs, err := filepath.Abs(ko); err == nil {
			ko = abs
		}
	} else {
		built, res, code, err := runBuildFor(ctx, o, stdout, stderr)
		if built == nil || res == nil {
			return code, err
		}
		m = built
		root, ko, findings = m.Root, res.KO, res.Findings
		crate = m.CrateFile()
		if res.HasErrors() {
			if err := writeFindings(stdout, o.format, findings, root); err != nil {
				return exitTool, err
			}
			fmt.Fprintf(stderr, "rustko: build of %s failed: %s\n", m.Vars.KernelModule, diagnostics.Summary(findings))
			return exitFindings, nil
		}
		if o.kdir == "" && m.Vars.KernelBuildPath != "" {
			o.kdir = m.Vars.KernelBuildPath
		}
	}

	signingNote(ctx, stderr, ko, true)
	b, err := vm.Run(ctx, vm.Config{
		KO: ko, Tree: o.kdir, Image: o.image, Params: o.params, Timeout: o.timeout, Wait: o.wait,
		Accel: o.accel, SerialLog: o.log, Keep: o.keep, Progress: stderr,
	}, o.expect, crate)
	if err != nil {
		return exitTool, cancelled(err)
	}
	b.Findings = build.PlaceUnknownSymbols(b.Findings, func() *module.Module {
		if m == nil && crate != "" {
			m, _ = loadModule(ctx, root, o.kdir) // a .ko in its module folder; nil when unreadable
		}
		return m
	}, o.kdir)
	// The log lines are the result in text; with JSON or SARIF on stdout
	// they are progress.
	logOut := stdout
	if o.format != "text" {
		logOut = stderr
	}
	printBoot(logOut, b, root)
	findings = append(b.Findings, findings...)
	if err := writeFindings(stdout, o.format, findings, root); err != nil {
		return exitTool, err
	}
	printVerdict(stderr, b, o.log)
	if len(b.Problems) > 0 {
		return exitFindings, nil
	}
	return exitOK, nil
}

// runBuildFor builds the module around o.dir as `rustko-lsp build` does;
// m and res are nil when it could not (code, err say why).
func runBuildFor(ctx context.Context, o runOptions, stdout, stderr io.Writer) (*module.Module, *build.Result, int, error) {
	w, err := loadWorkspace(ctx, o.dir, o.kdir)
	if err != nil {
		return nil, nil, exitTool, err
	}
	res, err := build.Run(ctx, w, buildOptions(o.mode, false, stderr))
	if err != nil {
		return nil, nil, exitTool, cancelled(err)
	}
	return w.Module, res, exitOK, nil
}

func writeFindings(w io.Writer, format string, findings []diagnostics.Finding, root string) error {
	var err error
	switch format {
	case "json":
		err = diagnostics.WriteJSON(w, findings, root)
	case "sarif":
		err = diagnostics.WriteSARIF(w, findings, root, versionString())
	default:
		err = diagnostics.WriteText(w, findings, diagnostics.TextOptions{Root: root, Color: isTerminalWriter(w)})
	}
	if err != nil {
		return fmt.Errorf("printing the findings: %w", err)
	}
	return nil
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}
