// Command rustko-lsp is the language-server companion for Linux kernel
// modules written in Rust the rust.ko way. It stays thin: it parses flags and
// calls the packages that do the work.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"os/signal"
	"slices"
	"syscall"
)

// Exit codes shared by every subcommand: check uses 1 for "errors found".
const (
	exitOK       = 0
	exitFindings = 1
	exitTool     = 2
)

// command is one subcommand. run returns an exit code; a non-nil error is
// printed for people (never a stack trace) and exits with exitTool.
type command struct {
	name    string
	usage   string // "check [flags] [DIR]"
	summary string
	help    string // longer explanation for `help COMMAND`, "" when the flags say it all
	flags   func(fs *flag.FlagSet) func(ctx context.Context, args []string) (int, error)
}

var commands = map[string]*command{}

func register(c *command) { commands[c.name] = c }

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin *os.File, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if len(args) == 0 {
		// Editors start the server with no arguments and a pipe on stdin.
		if !isTerminal(stdin) {
			args = []string{"serve"}
		} else {
			usage(stderr)
			return exitTool
		}
	}
	name := args[0]
	switch name {
	case "-h", "--help", "help":
		if len(args) > 1 {
			if c, ok := commands[args[1]]; ok {
				fs := newFlagSet(c, stderr)
				c.flags(fs)
				fs.Usage()
				return exitOK
			}
			fmt.Fprintf(stderr, "rustko-lsp: unknown command %q\n", args[1])
			usage(stderr)
			return exitTool
		}
		usage(stdout)
		return exitOK
	case "-version", "--version":
		name = "version"
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "rustko-lsp: unknown command %q\n\n", name)
		usage(stderr)
		return exitTool
	}
	fs := newFlagSet(c, stderr)
	runCmd := c.flags(fs)
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitTool
	}
	code, err := runCmd(ctx, fs.Args())
	if err != nil {
		fmt.Fprintf(stderr, "rustko-lsp %s: %v\n", name, err)
		if code == exitOK {
			code = exitTool
		}
	}
	return code
}

func newFlagSet(c *command, w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(w)
	fs.Usage = func() {
		fmt.Fprintf(w, "usage: rustko-lsp %s\n\n%s\n", c.usage, c.summary)
		if c.help != "" {
			fmt.Fprintf(w, "\n%s\n", c.help)
		}
		if hasFlags(fs) {
			fmt.Fprintln(w, "\nflags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "rustko-lsp: a language server and build companion for Linux kernel modules written in Rust (rust.ko style)")
	fmt.Fprintln(w, "\nusage: rustko-lsp <command> [flags] [args]\n\ncommands:")
	for _, n := range slices.Sorted(maps.Keys(commands)) {
		fmt.Fprintf(w, "  %-9s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'rustko-lsp help <command>' for a command's flags.")
}

// oneDir is a command's one optional folder argument, "." when there is none.
func oneDir(args []string, what string) (string, error) {
	if len(args) > 1 {
		return "", fmt.Errorf("expected at most one %s, got %d arguments", what, len(args))
	}
	if len(args) == 1 {
		return args[0], nil
	}
	return ".", nil
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	if err != nil {
		return false
	}
	return st.Mode()&os.ModeCharDevice != 0
}

// setupLogging sends structured logs to stderr (stdout belongs to the
// protocol in serve), or to file when one is given.
func setupLogging(level, file string) (func(), error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: want debug, info, warn or error", level)
	}
	w := io.Writer(os.Stderr)
	closer := func() {}
	if file != "" {
		f, err := os.OpenFile(file, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, fmt.Errorf("log file: %w", err)
		}
		w = f
		closer = func() { f.Close() }
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: lv})))
	return closer, nil
}
