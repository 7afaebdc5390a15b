package main

import (
	"context"
	"flag"
)

func init() {
	register(&command{
		name:    "build",
		usage:   "build [flags] [DIR]",
		summary: "build the module into <module>.ko (bindings, Rust object, kbuild link, object checks)",
		flags: func(fs *flag.FlagSet) func(context.Context, []string) (int, error) {
			return func(ctx context.Context, args []string) (int, error) {
				return exitTool, errNotBuilt
			}
		},
	})
}
