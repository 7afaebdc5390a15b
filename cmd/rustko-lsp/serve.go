package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"

	"github.com/rustko/rustko-lsp/server"
)

func init() {
	register(&command{
		name:  "serve",
		usage: "serve [flags]",
		summary: "run the language server over stdin/stdout (editors start it this way; " +
			"a bare `rustko-lsp` on a pipe does the same)",
		flags: func(fs *flag.FlagSet) func(context.Context, []string) (int, error) {
			logFile := fs.String("log-file", "", "append logs to `FILE` instead of stderr (stdout carries only the protocol)")
			logLevel := fs.String("log-level", "info", "log `LEVEL`: debug, info, warn or error")
			return func(ctx context.Context, args []string) (int, error) {
				if len(args) > 0 {
					return exitTool, fmt.Errorf("serve takes no arguments (got %q); the editor sends the workspace in initialize", args)
				}
				closeLog, err := setupLogging(*logLevel, *logFile)
				if err != nil {
					return exitTool, err
				}
				defer closeLog()
				server.TuneMemory()
				srv := server.New(server.Options{
					Backend: server.NewBackend(server.BackendOptions{Version: versionString(), Logger: slog.Default()}),
					Logger:  slog.Default(),
					Version: versionString(),
				})
				// The exit code is LSP's: 0 after shutdown+exit, 1 otherwise.
				return srv.Run(ctx, stdio{}), nil
			}
		},
	})
}

// stdio is the server's connection: stdin for reading, stdout for writing.
// Closing does not close the descriptors: the process ends right after.
type stdio struct{}

func (stdio) Read(p []byte) (int, error)  { return os.Stdin.Read(p) }
func (stdio) Write(p []byte) (int, error) { return os.Stdout.Write(p) }
func (stdio) Close() error                { return nil }
