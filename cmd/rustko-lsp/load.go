package main

import (
	"context"

	"github.com/rustko/rustko-lsp/module"
)

// loadModule reads the module whose root is dir or above it, with kdir (when
// set) in place of KERNEL_BUILD_PATH: what every command that works on a
// module starts with.
func loadModule(ctx context.Context, dir, kdir string) (*module.Module, error) {
	root, err := module.FindRoot(dir)
	if err != nil {
		return nil, err
	}
	overrides := map[string]string{}
	if kdir != "" {
		overrides["KERNEL_BUILD_PATH"] = kdir
	}
	return module.Load(ctx, root, overrides)
}
