package main

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is set by the Makefile with -ldflags "-X main.version=...".
var version = "dev"

// Version reports the version string other packages stamp into generated files.
func versionString() string {
	v := version
	if v == "dev" {
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
	}
	return v
}

func init() {
	register(&command{
		name:    "version",
		usage:   "version",
		summary: "print rustko-lsp's version",
		flags: func(fs *flag.FlagSet) func(context.Context, []string) (int, error) {
			return func(ctx context.Context, args []string) (int, error) {
				fmt.Printf("rustko-lsp %s (%s, %s/%s)\n", versionString(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
				return exitOK, nil
			}
		},
	})
}
