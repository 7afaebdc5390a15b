package build

import (
	"context"
	"debug/elf"
	"fmt"
	"strings"

	"github.com/rustko/rustko-lsp/internal/proc"
)

// dropUnwindTables removes .eh_frame from a host-mode object. -C
// force-unwind-tables=no covers the crate's own functions, but the functions
// fat LTO brings in from the precompiled core keep the unwind tables they
// were built with. The kernel has none (x86 unwinds with ORC, which objtool
// writes from the code), and on an IBT kernel (6.12 on) objtool reads every
// .eh_frame entry as a reference to a function without ENDBR and prints a
// warning for each: 23 for examples/hello. Host mode needs the host's
// architecture to be the kernel's, so the host's objcopy is the right one.
func (b *builder) dropUnwindTables(ctx context.Context) error {
	f, err := elf.Open(b.rustObj)
	if err != nil {
		return fmt.Errorf("reading %s: %w", b.rustObj, err)
	}
	has := f.Section(".eh_frame") != nil
	f.Close()
	if !has {
		return nil
	}
	res, err := b.r.run(ctx, proc.Cmd{Name: "objcopy", Args: []string{
		"--remove-section=.eh_frame", "--remove-section=.rela.eh_frame", b.rustObj}})
	if err != nil {
		return fmt.Errorf("removing the unwind tables from the host-mode object: %w (objcopy is in binutils: apt-get install binutils)", err)
	}
	if res.ExitCode != 0 {
		return fmt.Errorf("removing the unwind tables from %s: objcopy exited with %d: %s",
			b.rustObj, res.ExitCode, strings.TrimSpace(string(res.Stderr)))
	}
	return nil
}
