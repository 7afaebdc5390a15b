package main

import (
	"context"
	"flag"
)

func init() {
	register(&command{
		name:    "serve",
		usage:   "serve [flags]",
		summary: "run the language server over stdin/stdout",
		flags: func(fs *flag.FlagSet) func(context.Context, []string) (int, error) {
			return func(ctx context.Context, args []string) (int, error) {
				return exitTool, errNotBuilt
			}
		},
	})
}
