package targets

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"github.com/rustko/rustko-lsp/internal/filecache"
)

// installHint is what to do when no usable toolchain is found. Debian's
// packages are the one way that works offline and brings rust-src.
const installHint = "install one with `apt-get install rustc rust-src cargo` and set RUST_ROOT := /usr in config.mk, " +
	"or point RUST_ROOT at a rustup installation (RUST_ROOT := $HOME/.cargo)"

// Find resolves the toolchain under rustRoot (RUST_ROOT; origin says where
// it was set, for the errors): rustc's release, host and sysroot, and
// whether the core library's sources are installed. It never consults PATH:
// rustup's ~/.cargo/bin usually comes first there and would silently replace
// the toolchain the module asked for. What rustc says about itself is cached
// in cache (nil for none), keyed by the rustc binary's identity, as cargo
// does in .rustc_info.json: starting rustc costs half a second or more on a
// busy machine. A rustup proxy's answer depends on rustup's settings, not on
// the proxy binary: it is never cached.
func Find(ctx context.Context, rustRoot, origin string, cache *filecache.Cache) (*Toolchain, error) {
	if rustRoot == "" {
		return nil, fmt.Errorf("RUST_ROOT is empty; %s", installHint)
	}
	tc := &Toolchain{
		Root:  rustRoot,
		Path:  filepath.Join(rustRoot, "bin", "rustc"),
		Cargo: filepath.Join(rustRoot, "bin", "cargo"),
	}
	if !isExecutable(tc.Path) {
		return nil, missingTool(rustRoot, origin, tc.Path)
	}
	if err := tc.describe(ctx, cache); err != nil {
		return nil, fmt.Errorf("%w; check the toolchain under RUST_ROOT=%s%s or %s", err, rustRoot, setBy(origin), installHint)
	}
	core := coreSrc(tc.Sysroot)
	if st, err := os.Stat(filepath.Join(core, "src", "lib.rs")); err == nil && st.Mode().IsRegular() {
		tc.CoreSrc = core
	}
	return tc, nil
}

// coreSrc is where rust-src puts the core library in sysroot.
func coreSrc(sysroot string) string {
	return filepath.Join(sysroot, "lib", "rustlib", "src", "rust", "library", "core")
}

// CheckCargo says whether RUST_ROOT has cargo, which a build needs and the
// analysis does not.
func (tc *Toolchain) CheckCargo(origin string) error {
	if isExecutable(tc.Cargo) {
		return nil
	}
	return missingTool(tc.Root, origin, tc.Cargo)
}

func missingTool(root, origin, tool string) error {
	return fmt.Errorf("RUST_ROOT is %s%s, but %s is not an executable: the Rust toolchain is missing there; %s",
		root, setBy(origin), tool, installHint)
}

func setBy(origin string) string {
	if origin == "" {
		return ""
	}
	return " (set by " + origin + ")"
}

func isExecutable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

// toolchainKind is the cache kind of what one rustc said about itself.
const toolchainKind = "rustc-info"

// toolchainInfo is one cached rustc's answers.
type toolchainInfo struct {
	VersionInfo string `json:"version_info"`
	Sysroot     string `json:"sysroot"`
}

// describe fills in what rustc says about itself (-vV, --print sysroot),
// from the cache when it has this binary's answers; the two questions are
// asked at once otherwise.
func (tc *Toolchain) describe(ctx context.Context, cache *filecache.Cache) error {
	key, cacheable := rustcIdentity(tc.Path, filepath.Join(tc.Root, "bin", "rustup"))
	cacheable = cacheable && cache != nil
	if cacheable {
		var c toolchainInfo
		if data, err := cache.Get(toolchainKind, key); err == nil && json.Unmarshal(data, &c) == nil {
			tc.Sysroot = c.Sysroot
			if err := tc.parseVerbose(c.VersionInfo); err == nil {
				return nil
			}
		}
	}
	var sysroot []byte
	var sysErr error
	var wg sync.WaitGroup
	wg.Go(func() { sysroot, sysErr = runRustc(ctx, tc.Path, "--print", "sysroot") })
	verbose, err := runRustc(ctx, tc.Path, "-vV")
	wg.Wait()
	if err != nil {
		return err
	}
	if sysErr != nil {
		return sysErr
	}
	if err := tc.parseVerbose(string(verbose)); err != nil {
		return fmt.Errorf("%s -vV: %w", tc.Path, err)
	}
	tc.Sysroot = strings.TrimSpace(string(sysroot))
	if cacheable {
		data, _ := json.Marshal(toolchainInfo{VersionInfo: tc.VersionInfo, Sysroot: tc.Sysroot})
		// Best effort: without the cache the next load asks rustc again.
		_ = cache.Set(toolchainKind, key, data)
	}
	return nil
}

// rustcIdentity names the rustc binary behind path: its real path, size,
// modification and change times and inode, which any reinstall changes.
// It is not cacheable when it is rustup's proxy.
func rustcIdentity(path, rustup string) (filecache.Key, bool) {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return filecache.Key{}, false
	}
	st, err := os.Stat(real)
	if err != nil {
		return filecache.Key{}, false
	}
	if filepath.Base(real) == "rustup" || filepath.Base(real) == "rustup-init" {
		return filecache.Key{}, false
	}
	if rst, err := os.Stat(rustup); err == nil && os.SameFile(st, rst) {
		return filecache.Key{}, false
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return filecache.Key{}, false
	}
	return filecache.KeyOf("rustc-info v1", real, fmt.Sprint(st.Size()), fmt.Sprint(st.ModTime().UnixNano()),
		fmt.Sprintf("%d.%d", sys.Ctim.Sec, sys.Ctim.Nsec), fmt.Sprint(sys.Ino)), true
}
