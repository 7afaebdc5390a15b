package build

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/diagnostics/rustsrc"
	"github.com/rustko/rustko-lsp/internal/filecache"
	"github.com/rustko/rustko-lsp/internal/proc"
	"github.com/rustko/rustko-lsp/module"
	"github.com/rustko/rustko-lsp/targets"
)

// kernelCodegen is what the kernel's configuration asks of the code in a
// module, as the kernel's own Rust support translates it into rustc flags
// (arch/x86/Makefile, scripts/generate_rust_target.rs), for one toolchain.
type kernelCodegen struct {
	// Flags go to every crate: the module's (RUSTFLAGS) and, in rust-src
	// mode, core and compiler_builtins, so that no code in the object
	// misses them.
	Flags []string
	// Bootstrap: a -Z flag is among Flags, which a stable rustc only takes
	// with RUSTC_BOOTSTRAP=1 (kbuild sets it for the same flags).
	Bootstrap bool
	// What the kernel asks and rustc was told to do: the object checks
	// verify these.
	IBT, ReturnThunk, Retpoline bool
	// Missing is what this rustc cannot do.
	Missing []codegenGap
}

// codegenGap is one thing the kernel asks that the toolchain cannot do.
type codegenGap struct {
	What  string // "return thunks (CONFIG_MITIGATION_RETHUNK)", with the option's name in this kernel
	Flag  string // the flag the kernel passes for it
	Since string // the first rustc release that accepts Flag
}

// The retpoline target features: what clang's -mretpoline-external-thunk
// turns on, and what the kernel put in its Rust target specification
// before rustc had a flag for them.
const retpolineFeatures = "-Ctarget-feature=+retpoline-external-thunk,+retpoline-indirect-branches,+retpoline-indirect-calls"

// planCodegen maps the x86_64 kernel options that change code generation
// to rustc flags, taking for each the first form accepts says this rustc
// takes. Host mode links the precompiled core, built without the options
// rustc tracks as target modifiers: the mismatch is allowed there, as the
// retpoline thunks only change how branches are made, not the ABI.
//
// SLS (CONFIG_MITIGATION_SLS) is passed on when rustc has -Zharden-sls, and
// not reported otherwise: the kernel's own Rust support passes nothing for
// it either.
func planCodegen(cfg *module.KernelConfig, arch string, mode Mode, accepts func(flags []string) bool) kernelCodegen {
	var p kernelCodegen
	if arch != "x86_64" {
		return p
	}
	use := func(flags ...string) bool {
		if accepts(flags) {
			p.Flags = append(p.Flags, flags...)
			return true
		}
		return false
	}
	// The options were renamed MITIGATION_* in 6.9; the finding names the
	// one this kernel has.
	named := func(names ...string) (string, bool) {
		for _, n := range names {
			if cfg.Enabled(n) {
				return "CONFIG_" + n, true
			}
		}
		return "", false
	}
	targetModifier := func(flag, name string) []string {
		if mode == ModeHost {
			return []string{flag, "-Cunsafe-allow-abi-mismatch=" + name}
		}
		return []string{flag}
	}
	if opt, ok := named("MITIGATION_RETPOLINE", "RETPOLINE"); ok {
		// -Zretpoline-external-thunk implies -Zretpoline; both are target
		// modifiers.
		p.Retpoline = use(targetModifier("-Zretpoline-external-thunk", "retpoline,retpoline-external-thunk")...) || use(retpolineFeatures)
		if !p.Retpoline {
			p.Missing = append(p.Missing, codegenGap{"retpolines (" + opt + ")", retpolineFeatures, "1.63"})
		}
	}
	if cfg.Enabled("X86_KERNEL_IBT") {
		p.IBT = use("-Zcf-protection=branch")
		if !p.IBT {
			p.Missing = append(p.Missing, codegenGap{"indirect branch tracking (CONFIG_X86_KERNEL_IBT)", "-Zcf-protection=branch", "1.63"})
		}
		// A jump table's jmp carries a NOTRACK prefix, which the kernel's
		// IBT does not honour. Retpolines already keep LLVM from making
		// jump tables.
		if !use("-Cjump-tables=n") && !use("-Zno-jump-tables") && !p.Retpoline {
			p.Missing = append(p.Missing, codegenGap{"no jump tables (CONFIG_X86_KERNEL_IBT)", "-Cjump-tables=n", "1.93"})
		}
	}
	if opt, ok := named("MITIGATION_RETHUNK", "RETHUNK"); ok {
		p.ReturnThunk = use("-Zfunction-return=thunk-extern")
		if !p.ReturnThunk {
			p.Missing = append(p.Missing, codegenGap{"return thunks (" + opt + ")", "-Zfunction-return=thunk-extern", "1.76"})
		}
	}
	if cfg.Enabled("MITIGATION_SLS", "SLS") {
		use(targetModifier("-Zharden-sls=all", "harden-sls")...)
	}
	if cfg.Enabled("CALL_PADDING") {
		// The padding before each function that call depth tracking
		// patches at load time; without it the kernel leaves the calls
		// alone (and warns once).
		if n, ok := cfg.Int("FUNCTION_PADDING_BYTES"); ok && n > 0 {
			f := fmt.Sprintf("-Zpatchable-function-entry=%d,%d", n, n)
			if !use(f) {
				p.Missing = append(p.Missing, codegenGap{"function padding (CONFIG_CALL_PADDING)", f, "1.81"})
			}
		}
	}
	p.Bootstrap = slices.ContainsFunc(p.Flags, func(f string) bool { return strings.HasPrefix(f, "-Z") })
	return p
}

// candidateFlags lists every flag set planCodegen could ask about, so that
// they can be probed at once.
func candidateFlags(cfg *module.KernelConfig, arch string, mode Mode) [][]string {
	var sets [][]string
	planCodegen(cfg, arch, mode, func(f []string) bool {
		sets = append(sets, f)
		return false
	})
	return sets
}

// resolveCodegen reads the kernel's configuration and works out the flags
// for it with this toolchain, asking rustc which it accepts.
func (b *builder) resolveCodegen(ctx context.Context) error {
	cfgPath := b.kernel.Config
	if cfgPath == "" {
		cfgPath = filepath.Join(b.kernel.Dir, ".config")
	}
	cfg, err := module.ReadKernelConfig(cfgPath)
	if err != nil {
		return fmt.Errorf("kernel tree %s: %w", b.kernel.Dir, err)
	}
	sets := candidateFlags(cfg, b.kernel.Arch, b.mode)
	accepted, err := probeFlags(ctx, b.r, b.tc, b.cache, sets)
	if err != nil {
		return err
	}
	b.codegen = planCodegen(cfg, b.kernel.Arch, b.mode, func(f []string) bool { return accepted[flagKey(f)] })
	b.res.CodegenFlags = b.codegen.Flags
	if len(b.codegen.Missing) > 0 {
		b.res.Findings = append(b.res.Findings, b.codegenFinding(ctx))
	}
	return nil
}

// codegenFinding says once what the toolchain cannot do, on the line that
// chose the toolchain: a newer one is the fix, and when this machine has
// one the build could use, the finding names it.
func (b *builder) codegenFinding(ctx context.Context) diagnostics.Finding {
	var parts []string
	newest, want := "0", targets.Version{}
	for _, g := range b.codegen.Missing {
		parts = append(parts, fmt.Sprintf("%s: %s needs rustc %s or later", g.What, g.Flag, g.Since))
		if v, err := targets.ParseVersion(g.Since + ".0"); err == nil && v.Compare(want) > 0 { // the gaps name MAJOR.MINOR
			newest, want = g.Since, v
		}
	}
	file, line := b.w.SetAt("RUST_ROOT")
	have := ""
	var fixes []diagnostics.Fix
	if alt := b.toolchainFor(ctx, want); alt != nil {
		have = fmt.Sprintf(" (this machine has rustc %s: RUST_ROOT := %s)", alt.Release, alt.Root)
		if alt.CoreSrc == "" && b.opts.Mode != ModeHost {
			have = fmt.Sprintf(" (this machine has rustc %s: RUST_ROOT := %s; it has no rust-src, so it builds in host mode, "+
				"where the module's code gets them but the precompiled core's does not: %s gives rust-src mode)",
				alt.Release, alt.Root, addRustSrc(alt))
		}
		cfg := b.m.ConfigFile
		if cfg == "" {
			cfg = filepath.Join(b.m.Root, "config.mk")
		}
		if e, err := module.SetVarEdit(cfg, "RUST_ROOT", alt.Root); err == nil {
			fixes = []diagnostics.Fix{{Title: fmt.Sprintf("Set RUST_ROOT := %s (rustc %s) in config.mk", alt.Root, alt.Release),
				Edits: []diagnostics.Edit{rustsrc.ConfigEdit(e)}}}
		}
	}
	return diagnostics.Finding{
		File: file, Range: diagnostics.Point(line, 1), Severity: diagnostics.Warning, Source: diagnostics.SourceRustko,
		Code: diagnostics.CodeCodegenUnsupported, Fixes: fixes,
		Message: fmt.Sprintf("rustc %s (RUST_ROOT=%s) cannot generate code the way kernel %s is built: %s. "+
			"The module builds and loads, but its Rust code goes without these mitigations; "+
			"set RUST_ROOT to a toolchain with rustc %s or later for them%s",
			b.tc.Release, b.tc.Root, b.kernel.Release, strings.Join(parts, "; "), newest, have),
	}
}

// flagProbesKind is the cache kind of one rustc's answers to probeFlags.
const flagProbesKind = "rustc-flags"

func flagKey(flags []string) string { return strings.Join(flags, "\x00") }

// probeFlags asks rustc whether it accepts each flag set: an unknown -Z or
// -C option stops rustc before it does anything, so `--print sysroot` is
// enough and costs one start of rustc per set, run side by side. Which
// options a rustc has depends on its release alone, so the answers are
// kept on disk keyed by what rustc -vV said (release, commit, LLVM): a
// rustup proxy that switches toolchains says something else.
func probeFlags(ctx context.Context, r *runner, tc *targets.Toolchain, cache *filecache.Cache, sets [][]string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(sets) == 0 {
		return out, nil
	}
	key := filecache.KeyOf("rustc-flags v1", tc.VersionInfo)
	cacheable := tc.VersionInfo != "" && cache != nil
	cached := map[string]bool{}
	if cacheable {
		if data, err := cache.Get(flagProbesKind, key); err == nil {
			_ = json.Unmarshal(data, &cached) // a damaged entry is asked again
		}
	}
	var todo [][]string
	for _, s := range sets {
		if v, ok := cached[flagKey(s)]; ok {
			out[flagKey(s)] = v
		} else {
			todo = append(todo, s)
		}
	}
	if len(todo) == 0 {
		return out, nil
	}
	env := environ(map[string]string{"RUSTC_BOOTSTRAP": "1"})
	var mu sync.Mutex
	var wg sync.WaitGroup
	var firstErr error
	for _, s := range todo {
		wg.Go(func() {
			res, err := r.run(ctx, proc.Cmd{Name: tc.Path, Args: append(append([]string{}, s...), "--print", "sysroot"), Env: env})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = fmt.Errorf("asking %s whether it accepts %s: %w", tc.Path, strings.Join(s, " "), err)
				}
				return
			}
			out[flagKey(s)] = res.ExitCode == 0
			cached[flagKey(s)] = res.ExitCode == 0
		})
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if cacheable {
		data, _ := json.Marshal(cached)
		// Best effort: without the cache the next build asks rustc again.
		if err := cache.Set(flagProbesKind, key, data); err != nil {
			slog.Debug("rustc flag probes not cached", "err", err)
		}
	}
	return out, nil
}

// toolchainFor is the installed toolchain (InstalledToolchains) the
// codegen-unsupported warning names; nil when there is none.
func (b *builder) toolchainFor(ctx context.Context, since targets.Version) *targets.Toolchain {
	return pickToolchain(b.w.InstalledToolchains(ctx, b.cache), b.tc.Root, since, b.opts.Mode, b.kernel.Arch)
}

// pickToolchain is the newest of the installed toolchains, other than the
// one at current, of at least release since (its major.minor) that a build
// in mode could use. A stable release goes before a nightly, and, where the
// mode is left to rustko, a toolchain with rust-src before one without: in
// host mode the precompiled core keeps going without the flags, so only
// rust-src mode gives all of the module's code what the kernel asks for.
func pickToolchain(installed []*targets.Toolchain, current string, since targets.Version, mode Mode, arch string) *targets.Toolchain {
	rank := func(tc *targets.Toolchain) int {
		r := 0
		if tc.Release.Pre == "" {
			r += 2
		}
		if tc.CoreSrc != "" || mode == ModeHost {
			r += 4
		}
		return r
	}
	var pick *targets.Toolchain
	for _, tc := range installed {
		if tc.Root == current || !tc.Release.AtLeast(since.Major, since.Minor) {
			continue
		}
		if _, _, err := chooseMode(mode, tc, arch); err != nil {
			continue
		}
		if pick == nil || rank(tc) >= rank(pick) {
			pick = tc // installed lists them oldest first
		}
	}
	return pick
}

// addRustSrc says how to give tc the core sources: rustup's command for a
// toolchain of rustup's, the distribution's package otherwise.
func addRustSrc(tc *targets.Toolchain) string {
	if filepath.Base(filepath.Dir(tc.Root)) == "toolchains" {
		return fmt.Sprintf("`rustup component add rust-src --toolchain %s`", filepath.Base(tc.Root))
	}
	return "installing its rust-src"
}
