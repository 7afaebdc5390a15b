package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/rustko/rustko-lsp/internal/safewrite"
	"github.com/rustko/rustko-lsp/module"
)

func init() {
	register(&command{
		name:    "dkms",
		usage:   "dkms [DIR]",
		summary: "write dkms.conf so that DKMS rebuilds the module with rustko-lsp for every kernel installed",
		help: `Writes dkms.conf and dkms-pre-build.sh into the module folder. DKMS then
runs "rustko-lsp build --kdir <the kernel's build tree>" for each kernel it
builds for (at every kernel upgrade with AUTOINSTALL), as root, on the
machine the module is installed on: that machine needs rustko-lsp on root's
PATH and a Rust toolchain, which dkms-pre-build.sh checks first.

Then, as root:  dkms add DIR && dkms build -k <release> && dkms install -k <release>`,
		flags: func(fs *flag.FlagSet) func(context.Context, []string) (int, error) {
			return func(ctx context.Context, args []string) (int, error) {
				dir, err := oneDir(args, "module folder")
				if err != nil {
					return exitTool, err
				}
				return runDKMS(ctx, dir, os.Stdout, os.Stderr)
			}
		},
	})
}

// dkmsHeader starts every file `rustko-lsp dkms` writes: safewrite
// replaces only files that start with it.
const dkmsHeader = "# Written by rustko-lsp dkms"

// dkmsFiles are dkms.conf and its PRE_BUILD script for module m.
func dkmsFiles(m *module.Module, version string) (conf, preBuild string) {
	name := m.Vars.KernelModule
	build := m.Vars.BuildDirectory
	if rel, err := filepath.Rel(m.Root, build); err == nil && !strings.HasPrefix(rel, "..") {
		build = rel
	}
	conf = fmt.Sprintf(`%s (edit freely; rerunning it replaces this file).
# DKMS builds the module with rustko-lsp for each kernel, as root, on the
# machine it is installed on: dkms-pre-build.sh checks for rustko-lsp and
# a Rust toolchain first.
PACKAGE_NAME="%s"
PACKAGE_VERSION="%s"
BUILT_MODULE_NAME[0]="%s"
BUILT_MODULE_LOCATION[0]="."
DEST_MODULE_LOCATION[0]="/updates/dkms"
PRE_BUILD="dkms-pre-build.sh"
MAKE[0]="rustko-lsp build --kdir ${kernel_source_dir} ."
CLEAN="rm -rf %s %s.ko"
AUTOINSTALL="yes"
`, dkmsHeader, name, version, name, shellWord(build), name)
	rustRoot := m.Vars.RustRoot
	if rustRoot == "" {
		rustRoot = "/usr"
	}
	preBuild = fmt.Sprintf(`#!/bin/sh
%s: DKMS runs it before building %s.
# The build needs rustko-lsp and a Rust toolchain on this machine.
if ! command -v rustko-lsp >/dev/null 2>&1; then
	echo "%s: rustko-lsp is not on root's PATH ($PATH): build it from https://github.com/rustko/rustko-lsp (make build) and install -m 755 bin/rustko-lsp /usr/local/bin/" >&2
	exit 1
fi
rust_root=${RUST_ROOT:-%s}
if [ ! -x "$rust_root/bin/rustc" ]; then
	echo "%s: no rustc in $rust_root/bin (RUST_ROOT): apt-get install -y rustc rust-src cargo" >&2
	exit 1
fi
`, dkmsHeader, name, name, rustRoot, name)
	return conf, preBuild
}

func runDKMS(ctx context.Context, dir string, stdout, stderr io.Writer) (int, error) {
	m, err := loadModule(ctx, dir, "")
	if err != nil {
		return exitTool, err
	}
	root := m.Root
	version, err := cargoVersion(filepath.Join(root, "Cargo.toml"))
	if err != nil {
		return exitTool, err
	}
	conf, pre := dkmsFiles(m, version)
	header := []byte(dkmsHeader)
	confPath := filepath.Join(root, "dkms.conf")
	prePath := filepath.Join(root, "dkms-pre-build.sh")
	if err := safewrite.Write(root, confPath, []byte(conf), header); err != nil {
		return exitTool, fmt.Errorf("writing dkms.conf: %w", err)
	}
	// The script's first line is its #!, so its header is the second.
	if err := safewrite.Write(root, prePath, []byte(pre), []byte("#!/bin/sh\n"+dkmsHeader)); err != nil {
		return exitTool, fmt.Errorf("writing dkms-pre-build.sh: %w", err)
	}
	if err := os.Chmod(prePath, 0o755); err != nil {
		return exitTool, fmt.Errorf("dkms-pre-build.sh: %w", err)
	}
	name := m.Vars.KernelModule
	fmt.Fprintf(stdout, "wrote %s and %s (%s %s)\n", confPath, prePath, name, version)
	fmt.Fprintf(stdout, `DKMS builds %[1]s as root on the machine it is installed on, at every kernel
upgrade: install rustko-lsp there on root's PATH (install -m 755 bin/rustko-lsp
/usr/local/bin/) and a Rust toolchain (apt-get install -y rustc rust-src cargo).
Then, as root:
  dkms add %[2]s
  dkms build %[1]s/%[3]s -k <release>
  dkms install %[1]s/%[3]s -k <release>
`, name, root, version)
	return exitOK, nil
}

// cargoVersion reads [package] version from Cargo.toml: DKMS's
// PACKAGE_VERSION. A module without one gets 0.1.0, Cargo's own default.
func cargoVersion(path string) (string, error) {
	m, err := module.ReadManifest(path)
	if err != nil {
		return "", fmt.Errorf("reading the package version: %w", err)
	}
	if v := m.Version(); v != "" {
		return v, nil
	}
	return "0.1.0", nil
}

// shellWord quotes s for dkms.conf, which DKMS sources with bash.
func shellWord(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
