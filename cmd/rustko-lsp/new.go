package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
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
				written, err := scaffold.Write(dir, name) // it refuses a name ValidName refuses, before writing anything
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
				exe, _ := os.Executable()
				fmt.Fprint(os.Stdout, nextStep(dir, name, exec.LookPath, exe))
				return exitOK, nil
			}
		},
	})
}

// nextStep is what to run after new. The Makefile runs rustko-lsp from PATH,
// else ../../bin/rustko-lsp (where it is for examples/hello in a checkout):
// for a module anywhere else, with rustko-lsp only at exe, a plain make
// fails with "../../bin/rustko-lsp: No such file or directory", so the
// step names it.
func nextStep(dir, name string, lookPath func(string) (string, error), exe string) string {
	plain := fmt.Sprintf("\nnext: cd %s && make   (builds %s.ko; settings go in config.mk, see config.mk.example)\n", dir, name)
	if _, err := lookPath("rustko-lsp"); err == nil || exe == "" {
		return plain
	}
	if st, err := os.Stat(filepath.Join(dir, "..", "..", "bin", "rustko-lsp")); err == nil && !st.IsDir() {
		return plain
	}
	return fmt.Sprintf("\nnext: cd %s && make RUSTKO=%s   (builds %s.ko; settings go in config.mk, see config.mk.example)\n"+
		"rustko-lsp is not on PATH, so a plain make cannot find it: put it there (install -m 755 %s /usr/local/bin/) "+
		"or set RUSTKO := %s in config.mk\n", dir, exe, name, exe, exe)
}
