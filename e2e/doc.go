// Package e2e owns the boot test: a built kernel module is loaded and
// unloaded in Debian's matching kernel under QEMU, and the serial log must
// show the module's messages and no oops. boot.sh does one boot; the tests
// here build the modules (a plain C module that proves the harness, and
// examples/hello in both toolchain modes) and run it.
package e2e
