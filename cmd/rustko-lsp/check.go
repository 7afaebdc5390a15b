package main

import (
	"context"
	"flag"
)

func init() {
	register(&command{
		name:    "check",
		usage:   "check [flags] [DIR]",
		summary: "analyse a module and print its findings (exit 1 when there are errors)",
		flags: func(fs *flag.FlagSet) func(context.Context, []string) (int, error) {
			return func(ctx context.Context, args []string) (int, error) {
				return exitTool, errNotBuilt
			}
		},
	})
}
