package main

import (
	"context"

	"github.com/rustko/rustko-lsp/module"
	"github.com/rustko/rustko-lsp/workspace"
)

// modules assembles every module a command works on (workspace.Loader):
// check, build, bindgen, run and dkms read a module the way the editor does.
var modules = workspace.NewLoader(nil)

// loadWorkspace assembles the module whose root is dir or above it, with
// kdir (when set) in place of KERNEL_BUILD_PATH: what every command that
// works on a module starts with.
func loadWorkspace(ctx context.Context, dir, kdir string) (*workspace.Module, error) {
	root, err := module.FindRoot(dir)
	if err != nil {
		return nil, err
	}
	overrides := map[string]string{}
	if kdir != "" {
		overrides["KERNEL_BUILD_PATH"] = kdir
	}
	return modules.Load(ctx, root, workspace.Options{Overrides: overrides, Version: versionString()})
}

// loadModule is loadWorkspace for commands that need only the module's
// variables.
func loadModule(ctx context.Context, dir, kdir string) (*module.Module, error) {
	w, err := loadWorkspace(ctx, dir, kdir)
	if err != nil {
		return nil, err
	}
	return w.Module, nil
}
