package build

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
)

// Toolchain is the Rust toolchain under RUST_ROOT.
type Toolchain struct {
	Root    string // RUST_ROOT
	Rustc   string // RUST_ROOT/bin/rustc
	Cargo   string // RUST_ROOT/bin/cargo
	Release string // "1.63.0" from rustc -vV
	Host    string // host triple, e.g. x86_64-unknown-linux-gnu
	// VersionInfo is rustc -vV's whole output: it names the compiler build
	// exactly, so it keys the sysroot cache.
	VersionInfo string
	Sysroot     string // rustc --print sysroot
	// CoreSrc is the core library's source folder
	// (<sysroot>/lib/rustlib/src/rust/library/core), "" when rust-src is
	// not installed for this toolchain.
	CoreSrc string
}

// installHint is what to do when no usable toolchain is found. Debian's
// packages are the one way that works offline and brings rust-src.
const installHint = "install one with `apt-get install rustc rust-src cargo` and set RUST_ROOT := /usr in config.mk, " +
	"or point RUST_ROOT at a rustup installation (RUST_ROOT := $HOME/.cargo)"

// findToolchain resolves rustc and cargo under rustRoot. It never consults
// PATH: rustup's ~/.cargo/bin usually comes first there and would silently
// replace the toolchain the module asked for. cacheDir ("" for none) keeps
// what rustc said about itself (see describe).
func findToolchain(ctx context.Context, r *runner, rustRoot, origin, cacheDir string) (*Toolchain, error) {
	if rustRoot == "" {
		return nil, fmt.Errorf("RUST_ROOT is empty; %s", installHint)
	}
	from := ""
	if origin != "" {
		from = " (set by " + origin + ")"
	}
	tc := &Toolchain{
		Root:  rustRoot,
		Rustc: filepath.Join(rustRoot, "bin", "rustc"),
		Cargo: filepath.Join(rustRoot, "bin", "cargo"),
	}
	for _, tool := range []string{tc.Rustc, tc.Cargo} {
		st, err := os.Stat(tool)
		if err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
			return nil, fmt.Errorf("RUST_ROOT is %s%s, but %s is not an executable: the Rust toolchain is missing there; %s",
				rustRoot, from, tool, installHint)
		}
	}
	if err := tc.describe(ctx, r, cacheDir, from); err != nil {
		return nil, err
	}
	core := filepath.Join(tc.Sysroot, "lib", "rustlib", "src", "rust", "library", "core")
	if isFile(filepath.Join(core, "src", "lib.rs")) {
		tc.CoreSrc = core
	}
	return tc, nil
}

// chooseMode applies the forced mode or picks one, and says why.
func chooseMode(want Mode, tc *Toolchain, arch string) (Mode, string, error) {
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

// describe fills in what rustc says about itself (-vV, --print sysroot).
// Starting rustc costs half a second or more on a busy machine, twice per
// build, so the answers are cached on disk keyed by the rustc binary's
// identity, as cargo does in .rustc_info.json. A rustup proxy's answer
// depends on rustup's settings, not on the proxy binary: it is never cached,
// and its two questions are asked at once instead.
func (tc *Toolchain) describe(ctx context.Context, r *runner, cacheDir, from string) error {
	key, cacheable := rustcIdentity(tc.Rustc, filepath.Join(tc.Root, "bin", "rustup"))
	var cacheFile string
	if cacheable && cacheDir != "" {
		cacheFile = filepath.Join(cacheDir, "toolchain", key+".json")
		var c toolchainInfo
		if data, err := os.ReadFile(cacheFile); err == nil && json.Unmarshal(data, &c) == nil && c.Key == key {
			tc.VersionInfo, tc.Sysroot = c.VersionInfo, c.Sysroot
			tc.parseVersionInfo()
			return nil
		}
	}
	env := environ(nil)
	var sysroot procResult
	var sysErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sysroot, sysErr = r.run(ctx, command{Path: tc.Rustc, Args: []string{"--print", "sysroot"}, Env: env})
	}()
	res, err := r.run(ctx, command{Path: tc.Rustc, Args: []string{"-vV"}, Env: env})
	wg.Wait()
	if err != nil {
		return fmt.Errorf("asking %s for its version: %w", tc.Rustc, err)
	}
	if res.ExitCode != 0 {
		return fmt.Errorf("%s -vV failed (exit %d): %s; check the toolchain under RUST_ROOT=%s%s or %s",
			tc.Rustc, res.ExitCode, strings.TrimSpace(tail(res.Stderr, 5)), tc.Root, from, installHint)
	}
	if sysErr != nil {
		return fmt.Errorf("asking %s for its sysroot: %w", tc.Rustc, sysErr)
	}
	if sysroot.ExitCode != 0 {
		return fmt.Errorf("%s --print sysroot failed (exit %d): %s", tc.Rustc, sysroot.ExitCode, strings.TrimSpace(tail(sysroot.Stderr, 5)))
	}
	tc.VersionInfo = string(res.Stdout)
	tc.Sysroot = strings.TrimSpace(string(sysroot.Stdout))
	tc.parseVersionInfo()
	if cacheFile != "" {
		data, _ := json.Marshal(toolchainInfo{Key: key, VersionInfo: tc.VersionInfo, Sysroot: tc.Sysroot})
		// Best effort: without the cache the next build asks rustc again.
		if err := os.MkdirAll(filepath.Dir(cacheFile), 0o755); err == nil {
			if err := writeIfChanged(cacheFile, data); err != nil {
				slog.Debug("toolchain info not cached", "err", err)
			}
		}
	}
	return nil
}

// toolchainInfo is one cached rustc's answers.
type toolchainInfo struct {
	Key         string `json:"key"`
	VersionInfo string `json:"version_info"`
	Sysroot     string `json:"sysroot"`
}

func (tc *Toolchain) parseVersionInfo() {
	for _, line := range strings.Split(tc.VersionInfo, "\n") {
		k, v, ok := strings.Cut(line, ": ")
		if !ok {
			continue
		}
		switch k {
		case "release":
			tc.Release = strings.TrimSpace(v)
		case "host":
			tc.Host = strings.TrimSpace(v)
		}
	}
}

// rustcIdentity names the rustc binary behind path: its real path, size,
// modification and change times and inode, which any reinstall changes.
// It is not cacheable when it is rustup's proxy.
func rustcIdentity(path, rustup string) (string, bool) {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", false
	}
	st, err := os.Stat(real)
	if err != nil {
		return "", false
	}
	if filepath.Base(real) == "rustup" || filepath.Base(real) == "rustup-init" {
		return "", false
	}
	if rst, err := os.Stat(rustup); err == nil && os.SameFile(st, rst) {
		return "", false
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return "", false
	}
	h := sha256.Sum256([]byte(fmt.Sprintf("rustc-info v1\x00%s\x00%d\x00%d\x00%d.%d\x00%d", real, st.Size(), st.ModTime().UnixNano(),
		sys.Ctim.Sec, sys.Ctim.Nsec, sys.Ino)))
	return hex.EncodeToString(h[:16]), true
}
