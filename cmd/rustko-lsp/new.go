package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/rustko/rustko-lsp/build/scaffold"
)

func init() {
	register(&command{
		name:    "new",
		usage:   "new NAME (or new PATH/NAME)",
		summary: "create a rust.ko-style module (Makefile, Cargo.toml, C shim, src/lib.rs, target spec) in a new folder",
		flags: func(fs *flag.FlagSet) func(context.Context, []string) (int, error) {
			return func(ctx context.Context, args []string) (int, error) {
				if len(args) != 1 {
					return exitTool, fmt.Errorf("expected one argument, the module's name (or a path ending in it), e.g. `rustko-lsp new blinky`")
				}
				dir := filepath.Clean(args[0])
				name := filepath.Base(dir)
				if err := scaffold.ValidName(name); err != nil {
					return exitTool, err
				}
				written, err := scaffold.Write(dir, name)
				if err != nil {
					return exitTool, err
				}
				fmt.Fprintf(os.Stdout, "created module %q in %s:\n", name, dir)
				for _, p := range written {
					if rel, err := filepath.Rel(dir, p); err == nil {
						p = rel
					}
					fmt.Fprintf(os.Stdout, "  %s\n", p)
				}
				fmt.Fprintf(os.Stdout, "\nnext: cd %s && make   (builds %s.ko; settings go in config.mk, see config.mk.example)\n", dir, name)
				return exitOK, nil
			}
		},
	})
}
