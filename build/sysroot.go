package build

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/rustko/rustko-lsp/internal/filecache"
	"github.com/rustko/rustko-lsp/internal/proc"
	"github.com/rustko/rustko-lsp/targets"
)

// sysrootVersion changes whenever the way sysroots are built changes, so an
// older rustko's sysroots are rebuilt rather than trusted.
const sysrootVersion = "2"

// coreFlags are the flags core is compiled with. -Z force-unstable-if-unmarked
// is how the Rust build itself compiles the standard library (core's own
// unstable features are allowed, the crate's users see them as unstable).
var coreFlags = []string{"-C", "panic=abort", "-C", "opt-level=2", "--cap-lints", "allow", "-Z", "force-unstable-if-unmarked"}

// emptyBuiltins is the compiler_builtins crate rustc insists on linking.
// The kernel provides memcpy and friends, and anything else (128-bit
// division, soft-float) must not be used in a module: modpost reports it.
const emptyBuiltins = "#![feature(compiler_builtins)]\n#![compiler_builtins]\n#![no_std]\n"

// sysroot is a folder holding lib/rustlib/<target>/lib/{libcore,libcompiler_builtins,liballoc}.rlib.
type sysroot struct {
	Dir    string
	Target string // the target specification's file stem
	Built  bool   // false when it came from the cache
}

// coreRefusedError is rustc refusing to compile a sysroot crate for the
// target specification: with the module's own spec, the module's problem
// (the build reports it there); with rustko's embedded one, rustko's.
type coreRefusedError struct {
	Crate, Target, JSON, Release string
	Exit                         int
	Output                       string // rustc's last lines
}

func (e *coreRefusedError) Error() string {
	return fmt.Sprintf("compiling %s for target %s (%s) with rustc %s failed (exit %d):\n%s\n"+
		"check the target specification, or build with --mode host", e.Crate, e.Target, e.JSON, e.Release, e.Exit, e.Output)
}

// ensureSysroot returns the sysroot for tc, the target specification at
// targetJSON and the kernel's code-generation flags, building it on first use: about half a minute, once per
// toolchain and target. No cargo -Z build-std: it wants crates.io, and
// fails offline with distribution rust-src packages. Concurrent builds of
// the same sysroot wait for each other instead of doing the work twice.
func ensureSysroot(ctx context.Context, r *runner, tc *targets.Toolchain, targetJSON, cacheDir string, codegen []string) (*sysroot, error) {
	spec, err := os.ReadFile(targetJSON)
	if err != nil {
		return nil, fmt.Errorf("reading the target specification: %w", err)
	}
	stem := strings.TrimSuffix(filepath.Base(targetJSON), ".json")
	edition, err := coreEdition(tc.CoreSrc)
	if err != nil {
		return nil, err
	}
	key := filecache.KeyOf(sysrootVersion, tc.VersionInfo, tc.Path, tc.CoreSrc, edition, string(spec), strings.Join(coreFlags, " "), strings.Join(codegen, " ")).String()[:16]
	parent := filepath.Join(cacheDir, "sysroot")
	s := &sysroot{Dir: filepath.Join(parent, stem+"-"+key), Target: stem}
	stamp := filepath.Join(s.Dir, ".complete")
	if isFile(stamp) {
		return s, nil
	}
	unlock, err := filecache.Lock(ctx, filepath.Join(parent, stem+"-"+key+".lock"))
	if err != nil {
		return nil, fmt.Errorf("waiting for another build of the sysroot: %w", err)
	}
	defer unlock()
	if isFile(stamp) { // another build finished it while we waited
		return s, nil
	}

	tmp := s.Dir + ".tmp"
	if err := os.RemoveAll(tmp); err != nil {
		return nil, fmt.Errorf("clearing %s: %w", tmp, err)
	}
	defer os.RemoveAll(tmp) // gone after a successful rename
	libDir := filepath.Join(tmp, "lib", "rustlib", stem, "lib")
	if err := os.MkdirAll(libDir, 0o755); err != nil {
		return nil, fmt.Errorf("creating the sysroot: %w", err)
	}
	// RUSTC_BOOTSTRAP lets a stable rustc accept the -Z flag and
	// core's #![feature]s, as the Rust build does for its own standard library.
	env := environ(map[string]string{"RUSTC_BOOTSTRAP": "1"})
	compile := func(crate, src, edition string, extra ...string) error {
		args := []string{"--edition", edition, "--crate-type", "rlib", "--crate-name", crate, "--target", targetJSON}
		args = append(args, coreFlags...)
		// The kernel's code-generation flags (return thunks, IBT) reach
		// core's code too: LTO keeps each function's own attributes, so
		// the crate's flags alone would leave core's functions without them.
		args = append(args, codegen...)
		args = append(args, extra...)
		args = append(args, "--out-dir", libDir, src)
		res, err := r.run(ctx, proc.Cmd{Dir: tmp, Env: env, Name: tc.Path, Args: args})
		if err != nil {
			return fmt.Errorf("compiling %s for %s: %w", crate, stem, err)
		}
		if res.ExitCode != 0 {
			return &coreRefusedError{Crate: crate, Target: stem, JSON: targetJSON, Release: tc.Release.String(), Exit: res.ExitCode, Output: proc.Tail(res.Stderr, 20)}
		}
		return nil
	}
	if err := compile("core", filepath.Join(tc.CoreSrc, "src", "lib.rs"), edition); err != nil {
		return nil, err
	}
	builtins := filepath.Join(tmp, "compiler_builtins.rs")
	if err := os.WriteFile(builtins, []byte(emptyBuiltins), 0o644); err != nil {
		return nil, fmt.Errorf("writing %s: %w", builtins, err)
	}
	if err := compile("compiler_builtins", builtins, edition, "--sysroot", tmp); err != nil {
		return nil, err
	}
	if err := os.Remove(builtins); err != nil {
		return nil, fmt.Errorf("removing %s: %w", builtins, err)
	}
	// alloc (Box, Vec, String, format!) for modules that bring an
	// allocator, such as the rustko crate's kmalloc one. Its memcpy, memset
	// and memcmp calls resolve to the kernel's exports; the global-OOM
	// handling stays in, since Vec::push must be able to fail loudly.
	allocSrc := filepath.Join(filepath.Dir(tc.CoreSrc), "alloc")
	allocEdition, err := coreEdition(allocSrc)
	if err != nil {
		return nil, err
	}
	if err := compile("alloc", filepath.Join(allocSrc, "src", "lib.rs"), allocEdition, "--sysroot", tmp); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(tmp, ".complete"), []byte(tc.VersionInfo), 0o644); err != nil {
		return nil, fmt.Errorf("finishing the sysroot: %w", err)
	}
	if err := os.RemoveAll(s.Dir); err != nil {
		return nil, fmt.Errorf("replacing the incomplete sysroot %s: %w", s.Dir, err)
	}
	if err := os.Rename(tmp, s.Dir); err != nil {
		return nil, fmt.Errorf("installing the sysroot: %w", err)
	}
	s.Built = true
	return s, nil
}

var editionRE = regexp.MustCompile(`(?m)^\s*edition\s*=\s*"(\d{4})"`)

// coreEdition reads the edition core is written in from its Cargo.toml: it
// moves with the toolchain (2021 for 1.63, 2024 for today's nightlies).
func coreEdition(coreSrc string) (string, error) {
	manifest := filepath.Join(coreSrc, "Cargo.toml")
	b, err := os.ReadFile(manifest)
	if err != nil {
		return "", fmt.Errorf("reading core's manifest to learn its edition: %w (is rust-src complete?)", err)
	}
	m := editionRE.FindSubmatch(b)
	if m == nil {
		return "", fmt.Errorf("%s names no edition; this rust-src layout is not supported", manifest)
	}
	return string(m[1]), nil
}
