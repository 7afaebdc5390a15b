package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/rustko/rustko-lsp/module"
	"github.com/rustko/rustko-lsp/vm"
)

// hostRoot is where the running system's sys/ and proc/ are read; tests
// point it at a fake tree.
var hostRoot = "/"

// signingNote says once, on stderr, that this machine refuses unsigned
// modules and how to sign ko, when it does. inVM adds that run's VM does
// not enforce signatures, so run's verdict stands.
func signingNote(ctx context.Context, w io.Writer, ko string, inVM bool) {
	advice := vm.HostSigning(ctx, hostRoot).Advice(ko)
	if advice == "" {
		return
	}
	fmt.Fprintf(w, "rustko: note: %s\n", advice)
	if inVM {
		fmt.Fprintln(w, "  (the VM run boots without Secure Boot or lockdown: this applies to loading the module on this machine)")
	}
}

// checkedKO names the module file check's note speaks of: the one .ko in
// the module folder around dir, else a placeholder there (check does not
// build it).
func checkedKO(dir string) string {
	root, err := module.FindRoot(dir)
	if err != nil {
		root = dir
	}
	if kos, _ := filepath.Glob(filepath.Join(root, "*.ko")); len(kos) == 1 {
		return kos[0]
	}
	return filepath.Join(root, "MODULE.ko")
}
