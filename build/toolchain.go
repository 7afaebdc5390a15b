package build

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rustko/rustko-lsp/targets"
)

// chooseMode applies the forced mode or picks one, and says why.
func chooseMode(want Mode, tc *targets.Toolchain, arch string) (Mode, string, error) {
	hostOK := func() error {
		// Host mode reuses the host's precompiled core, so it only works
		// when the host's architecture is the kernel's.
		if !strings.HasPrefix(tc.Host, arch+"-") || !strings.Contains(tc.Host, "-linux-") {
			return fmt.Errorf("host mode needs a toolchain whose host is %s Linux, but rustc %s at %s is %s; "+
				"use rust-src mode instead (a toolchain with rust-src: `apt-get install rustc rust-src cargo`, RUST_ROOT := /usr)",
				arch, tc.Release, tc.Root, tc.Host)
		}
		return nil
	}
	switch want {
	case ModeRustSrc:
		if tc.CoreSrc == "" {
			return "", "", fmt.Errorf("rust-src mode needs the core library sources, but rustc %s at %s has none "+
				"(looked for %s); install a toolchain with them: `apt-get install rustc rust-src cargo` and set RUST_ROOT := /usr "+
				"(or `rustup component add rust-src` where rustup can download), or build with --mode host",
				tc.Release, tc.Root, filepath.Join(tc.Sysroot, "lib", "rustlib", "src", "rust", "library", "core"))
		}
		return ModeRustSrc, fmt.Sprintf("forced; rustc %s from %s has rust-src", tc.Release, tc.Root), nil
	case ModeHost:
		if err := hostOK(); err != nil {
			return "", "", err
		}
		return ModeHost, fmt.Sprintf("forced; rustc %s from %s, host target %s", tc.Release, tc.Root, tc.Host), nil
	case "", ModeAuto:
		if tc.CoreSrc != "" {
			return ModeRustSrc, fmt.Sprintf("rustc %s from %s has rust-src", tc.Release, tc.Root), nil
		}
		if err := hostOK(); err != nil {
			return "", "", fmt.Errorf("rustc %s at %s has no rust-src, and %w", tc.Release, tc.Root, err)
		}
		return ModeHost, fmt.Sprintf("rustc %s from %s has no rust-src", tc.Release, tc.Root), nil
	}
	return "", "", fmt.Errorf("unknown build mode %q: want auto, rust-src or host", want)
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}
