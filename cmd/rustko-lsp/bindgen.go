package main

import (
	"context"
	"flag"
)

func init() {
	register(&command{
		name:    "bindgen",
		usage:   "bindgen [flags] [HEADER...]",
		summary: "generate Rust bindings and the index for kernel headers",
		flags: func(fs *flag.FlagSet) func(context.Context, []string) (int, error) {
			return func(ctx context.Context, args []string) (int, error) {
				return exitTool, errNotBuilt
			}
		},
	})
}
