// Package e2e owns the boot test: a built kernel module is loaded and
// unloaded in Debian's kernel matching its tree under QEMU (package vm, through
// boot.sh), and the kernel log must show the module's messages and no oops.
// The tests build the modules (plain C modules that prove the harness,
// examples/hello in both toolchain modes, a KERNEL_HELPERS module, the rustko
// crate's demo and panic modules) on every test kernel (docs/KERNELS.md):
// natively for 6.1 and 6.12, inside the Debian 13 root for its own 6.12 and for 7.x. Kernels run
// in parallel, two at a time.
package e2e
