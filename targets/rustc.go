package targets

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/rustko/rustko-lsp/internal/filecache"
	"github.com/rustko/rustko-lsp/internal/proc"
)

// Version is a rustc release. A nightly or beta counts as the release it
// leads to: the format changes we track landed well before their release
// branched, so a nightly of 1.91 already speaks 1.91's format.
type Version struct {
	Major, Minor, Patch int
	Pre                 string // "nightly", "beta.3", ""
}

func (v Version) String() string {
	s := fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
	if v.Pre != "" {
		s += "-" + v.Pre
	}
	return s
}

// Known reports whether v was set (the zero Version means "rustc unknown").
func (v Version) Known() bool { return v.Major != 0 || v.Minor != 0 }

// Compare orders releases, a pre-release before its release (and
// pre-releases by their names: "beta.2" before "nightly").
func (v Version) Compare(o Version) int {
	if c := cmp.Or(cmp.Compare(v.Major, o.Major), cmp.Compare(v.Minor, o.Minor), cmp.Compare(v.Patch, o.Patch)); c != 0 {
		return c
	}
	switch {
	case v.Pre == o.Pre:
		return 0
	case v.Pre == "":
		return 1
	case o.Pre == "":
		return -1
	}
	return cmp.Compare(v.Pre, o.Pre)
}

// AtLeast compares major.minor only, so a nightly counts as its release:
// target-spec formats and rustc flags never changed in a patch release.
func (v Version) AtLeast(major, minor int) bool {
	return Version{Major: v.Major, Minor: v.Minor}.Compare(Version{Major: major, Minor: minor}) >= 0
}

// ParseVersion reads "1.63.0", "1.97.0-nightly" or a `rustc --version` line
// such as "rustc 1.95.0 (59807616e 2026-04-14)".
func ParseVersion(s string) (Version, error) {
	f := strings.Fields(strings.TrimSpace(s))
	if len(f) >= 2 && f[0] == "rustc" {
		f = f[1:]
	}
	if len(f) == 0 {
		return Version{}, fmt.Errorf("empty rustc version")
	}
	word := f[0]
	var v Version
	if i := strings.IndexByte(word, '-'); i >= 0 {
		word, v.Pre = word[:i], word[i+1:]
	}
	parts := strings.Split(word, ".")
	if len(parts) != 3 {
		return Version{}, fmt.Errorf("rustc version %q is not MAJOR.MINOR.PATCH", f[0])
	}
	nums := make([]int, 3)
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return Version{}, fmt.Errorf("rustc version %q is not MAJOR.MINOR.PATCH", f[0])
		}
		nums[i] = n
	}
	v.Major, v.Minor, v.Patch = nums[0], nums[1], nums[2]
	return v, nil
}

// Toolchain is one Rust toolchain: what rendering and validating a target
// spec need to know about its rustc, and, when Find resolved it under
// RUST_ROOT, what a build needs besides (cargo, the host, the sysroot and the
// core sources). The zero Toolchain means "unknown": the validator then
// judges against current rustc and says which versions each rule concerns.
type Toolchain struct {
	Path      string // rustc
	Release   Version
	LLVMMajor int
	Host      string // host triple, e.g. x86_64-unknown-linux-gnu
	// VersionInfo is rustc -vV's whole output: it names the compiler build
	// exactly, so it keys the caches of what the compiler produced.
	VersionInfo string
	// DataLayouts maps a spec arch ("x86_64") to the data-layout this rustc's
	// LLVM requires; rustc refuses a custom target whose layout differs.
	DataLayouts map[string]string

	Root    string // RUST_ROOT
	Cargo   string // RUST_ROOT/bin/cargo
	Sysroot string // rustc --print sysroot
	// CoreSrc is the core library's source folder
	// (<sysroot>/lib/rustlib/src/rust/library/core), "" when rust-src is
	// not installed for this toolchain.
	CoreSrc string
}

// referenceTargets are built-in targets, present in every rustc since well
// before 1.63, whose data-layout is by construction the one their LLVM wants.
var referenceTargets = map[string]string{
	"x86_64":  "x86_64-unknown-none",
	"aarch64": "aarch64-unknown-none",
	"arm":     "armv7a-none-eabi",
	"riscv64": "riscv64imac-unknown-none-elf",
}

// layoutsKind is the cache kind of one rustc's data-layouts.
const layoutsKind = "rustc-layouts"

// ProbeLayouts asks rustc for the data-layout of each supported
// architecture's built-in target (four runs, about 150 ms: cached in cache,
// nil for none, keyed like describe's answers); an old rustc without one
// leaves DataLayout to LLVM's history.
func (tc *Toolchain) ProbeLayouts(ctx context.Context, cache *filecache.Cache) error {
	if tc.DataLayouts == nil {
		tc.DataLayouts = map[string]string{}
	}
	key, cacheable := rustcIdentity(tc.Path, filepath.Join(tc.Root, "bin", "rustup"))
	cacheable = cacheable && cache != nil
	if cacheable {
		if data, err := cache.Get(layoutsKind, key); err == nil && json.Unmarshal(data, &tc.DataLayouts) == nil {
			return nil
		}
	}
	for _, arch := range archOrder {
		out, err := runRustc(ctx, tc.Path, "-Z", "unstable-options", "--print", "target-spec-json", "--target", referenceTargets[arch])
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			// An old rustc without this built-in target: fall back to the table.
			continue
		}
		root, err := parseJSON(out)
		if err != nil {
			continue
		}
		if m := root.member("data-layout"); m != nil && m.value.kind == jsonString {
			tc.DataLayouts[arch] = m.value.str
		}
	}
	if cacheable {
		data, _ := json.Marshal(tc.DataLayouts)
		// Best effort: without the cache the next load asks rustc again.
		_ = cache.Set(layoutsKind, key, data)
	}
	return nil
}

// parseVerbose reads `rustc -vV` output ("release: 1.63.0", "LLVM version:
// 14.0.6", "host: x86_64-unknown-linux-gnu"), the one reading of it.
func (tc *Toolchain) parseVerbose(out string) error {
	tc.VersionInfo = out
	for _, line := range strings.Split(out, "\n") {
		k, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		val = strings.TrimSpace(val)
		switch strings.TrimSpace(k) {
		case "release":
			v, err := ParseVersion(val)
			if err != nil {
				return err
			}
			tc.Release = v
		case "host":
			tc.Host = val
		case "LLVM version":
			major, _, _ := strings.Cut(val, ".")
			n, err := strconv.Atoi(major)
			if err != nil {
				return fmt.Errorf("unreadable LLVM version %q", val)
			}
			tc.LLVMMajor = n
		}
	}
	if !tc.Release.Known() {
		return errors.New("no \"release:\" line in the output; is this a rustc?")
	}
	return nil
}

// DataLayout is the layout this toolchain needs for arch: measured by
// ProbeLayouts when it could, else from LLVM's history.
func (tc Toolchain) DataLayout(arch string) (string, bool) {
	if l, ok := tc.DataLayouts[arch]; ok {
		return l, true
	}
	if tc.LLVMMajor == 0 {
		return "", false
	}
	for _, k := range knownLayouts[arch] {
		if tc.LLVMMajor >= k.minLLVM {
			return k.layout, true
		}
	}
	return "", false
}

// knownLayouts lists, newest first, the data-layout LLVM has required for
// each architecture since LLVM 14 (Debian 12's rustc 1.63). The LLVM 14 and
// 22 rows were read from those rustc builds; the steps between follow LLVM's
// history (i128 alignment on x86 in 18, function-pointer alignment on
// aarch64 and n32:64 on riscv64 in 20, aarch64 address spaces in 18).
var knownLayouts = map[string][]struct {
	minLLVM int
	layout  string
}{
	"x86_64": {
		{18, "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"},
		{10, "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"},
	},
	"aarch64": {
		{20, "e-m:e-p270:32:32-p271:32:32-p272:64:64-i8:8:32-i16:16:32-i64:64-i128:128-n32:64-S128-Fn32"},
		{18, "e-m:e-p270:32:32-p271:32:32-p272:64:64-i8:8:32-i16:16:32-i64:64-i128:128-n32:64-S128"},
		{10, "e-m:e-i8:8:32-i16:16:32-i64:64-i128:128-n32:64-S128"},
	},
	"arm": {
		{10, "e-m:e-p:32:32-Fi8-i64:64-v128:64:128-a:0:32-n32-S64"},
	},
	"riscv64": {
		{20, "e-m:e-p:64:64-i64:64-i128:128-n32:64-S128"},
		{10, "e-m:e-p:64:64-i64:64-i128:128-n64-S128"},
	},
}

// runRustc runs rustc (proc.Run: its own process group, killed with
// whatever it started when ctx ends). RUSTC_BOOTSTRAP lets a stable rustc
// answer -Z unstable-options, the only way to print a target spec.
func runRustc(ctx context.Context, rustc string, args ...string) ([]byte, error) {
	res, err := proc.Run(ctx, proc.Cmd{Name: rustc, Args: args, Env: append(os.Environ(), "RUSTC_BOOTSTRAP=1"),
		Hint: "install a Rust toolchain: apt-get install rustc rust-src, or set RUST_ROOT to one"})
	if err != nil {
		msg := strings.TrimSpace(string(res.Stderr))
		if len(msg) > 400 {
			msg = msg[:400] + "..."
		}
		if msg != "" {
			return nil, fmt.Errorf("%s %s: %w: %s", rustc, strings.Join(args, " "), err, msg)
		}
		return nil, fmt.Errorf("%s %s: %w", rustc, strings.Join(args, " "), err)
	}
	return res.Stdout, nil
}
