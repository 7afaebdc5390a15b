package build

import (
	"bytes"
	"context"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/build/objcheck"
	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/internal/filecache"
	"github.com/rustko/rustko-lsp/internal/testkernel"
	"github.com/rustko/rustko-lsp/internal/testtoolchain"
	"github.com/rustko/rustko-lsp/module"
	"github.com/rustko/rustko-lsp/targets"
	"golang.org/x/arch/x86/x86asm"
)

func kconfig(t *testing.T, text string) *module.KernelConfig {
	t.Helper()
	c, err := module.ParseKernelConfig(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The code-generation options of Debian's kernels (docs/KERNELS.md): 6.1
// has retpolines and return thunks under their old names and no IBT; 6.12
// and 7.x add IBT and call padding under the MITIGATION_ names.
const (
	config61  = "CONFIG_X86_64=y\n# CONFIG_X86_KERNEL_IBT is not set\nCONFIG_RETPOLINE=y\nCONFIG_RETHUNK=y\nCONFIG_SLS=y\n"
	config612 = "CONFIG_X86_64=y\nCONFIG_X86_KERNEL_IBT=y\nCONFIG_FUNCTION_PADDING_BYTES=16\nCONFIG_CALL_PADDING=y\n" +
		"CONFIG_MITIGATION_RETPOLINE=y\nCONFIG_MITIGATION_RETHUNK=y\nCONFIG_MITIGATION_SLS=y\n"
	configIBTOnly = "CONFIG_X86_KERNEL_IBT=y\n# CONFIG_MITIGATION_RETPOLINE is not set\n"
)

// What rustc 1.63 (Debian 12) and 1.95 accept, as measured with
// `rustc FLAGS --print sysroot` (TestProbeFlagsRealToolchains checks it).
var (
	rustc163 = []string{"-Zcf-protection=branch", retpolineFeatures}
	rustc195 = []string{"-Zcf-protection=branch", retpolineFeatures, "-Zfunction-return=thunk-extern", "-Cjump-tables=n",
		"-Zretpoline-external-thunk", "-Zretpoline-external-thunk -Cunsafe-allow-abi-mismatch=retpoline,retpoline-external-thunk",
		"-Zpatchable-function-entry=16,16"}
)

func acceptsOnly(list []string) func([]string) bool {
	return func(f []string) bool { return slices.Contains(list, strings.Join(f, " ")) }
}

func TestPlanCodegen(t *testing.T) {
	tests := []struct {
		name                        string
		config, arch                string
		mode                        Mode
		accepts                     []string
		flags                       string
		ibt, rethunk, retpol, bstrp bool
		missing                     []string // the flags reported missing
	}{
		{"6.12, rustc 1.95, host", config612, "x86_64", ModeHost, rustc195,
			"-Zretpoline-external-thunk -Cunsafe-allow-abi-mismatch=retpoline,retpoline-external-thunk -Zcf-protection=branch -Cjump-tables=n " +
				"-Zfunction-return=thunk-extern -Zpatchable-function-entry=16,16",
			true, true, true, true, nil},
		{"6.12, rustc 1.95, rust-src: core gets the flags too, no mismatch to allow", config612, "x86_64", ModeRustSrc, rustc195,
			"-Zretpoline-external-thunk -Zcf-protection=branch -Cjump-tables=n -Zfunction-return=thunk-extern -Zpatchable-function-entry=16,16",
			true, true, true, true, nil},
		{"6.12, rustc 1.63", config612, "x86_64", ModeRustSrc, rustc163,
			retpolineFeatures + " -Zcf-protection=branch",
			true, false, true, true, []string{"-Zfunction-return=thunk-extern", "-Zpatchable-function-entry=16,16"}},
		{"6.1, rustc 1.63: no IBT, the return thunks missing", config61, "x86_64", ModeRustSrc, rustc163,
			retpolineFeatures, false, false, true, false, []string{"-Zfunction-return=thunk-extern"}},
		{"6.1, rustc 1.95", config61, "x86_64", ModeHost, rustc195,
			"-Zretpoline-external-thunk -Cunsafe-allow-abi-mismatch=retpoline,retpoline-external-thunk -Zfunction-return=thunk-extern",
			false, true, true, true, nil},
		{"IBT without retpolines needs jump tables off", configIBTOnly, "x86_64", ModeRustSrc, rustc163,
			"-Zcf-protection=branch", true, false, false, true, []string{"-Cjump-tables=n"}},
		{"IBT, older -Zno-jump-tables", configIBTOnly, "x86_64", ModeRustSrc, []string{"-Zcf-protection=branch", "-Zno-jump-tables"},
			"-Zcf-protection=branch -Zno-jump-tables", true, false, false, true, nil},
		{"a rustc that accepts nothing", config612, "x86_64", ModeHost, nil, "", false, false, false, false,
			[]string{retpolineFeatures, "-Zcf-protection=branch", "-Cjump-tables=n", "-Zfunction-return=thunk-extern", "-Zpatchable-function-entry=16,16"}},
		{"not x86_64: nothing asked", config612, "aarch64", ModeRustSrc, rustc195, "", false, false, false, false, nil},
		{"no mitigations", "CONFIG_X86_64=y\n", "x86_64", ModeHost, rustc195, "", false, false, false, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := planCodegen(kconfig(t, tt.config), tt.arch, tt.mode, acceptsOnly(tt.accepts))
			if got := strings.Join(p.Flags, " "); got != tt.flags {
				t.Errorf("flags\n got %s\nwant %s", got, tt.flags)
			}
			if p.IBT != tt.ibt || p.ReturnThunk != tt.rethunk || p.Retpoline != tt.retpol || p.Bootstrap != tt.bstrp {
				t.Errorf("IBT %v ReturnThunk %v Retpoline %v Bootstrap %v, want %v %v %v %v",
					p.IBT, p.ReturnThunk, p.Retpoline, p.Bootstrap, tt.ibt, tt.rethunk, tt.retpol, tt.bstrp)
			}
			var missing []string
			for _, g := range p.Missing {
				missing = append(missing, g.Flag)
				if g.What == "" || g.Since == "" {
					t.Errorf("gap %+v says not what or since when", g)
				}
			}
			if !slices.Equal(missing, tt.missing) {
				t.Errorf("missing %q, want %q", missing, tt.missing)
			}
			// Every flag set the plan used was one candidateFlags listed
			// for probing.
			cands := candidateFlags(kconfig(t, tt.config), tt.arch, tt.mode)
			for _, f := range p.Flags {
				found := false
				for _, c := range cands {
					found = found || slices.Contains(c, f)
				}
				if !found {
					t.Errorf("flag %s was never probed", f)
				}
			}
		})
	}
}

// TestCodegenInCommands checks where the flags go: RUSTFLAGS (every crate
// cargo compiles for the target) with RUSTC_BOOTSTRAP=1 for the -Z ones,
// in the Go side's command and in kbuild's rule alike.
func TestCodegenInCommands(t *testing.T) {
	for _, mode := range []Mode{ModeHost, ModeRustSrc} {
		b := testBuilder(mode, module.Vars{})
		b.codegen = planCodegen(kconfig(t, config612), "x86_64", mode, acceptsOnly(rustc195))
		c := b.rustCommand()
		rf := envValue(c.Env, "RUSTFLAGS")
		if !strings.HasSuffix(rf, " "+strings.Join(b.codegen.Flags, " ")) || !strings.Contains(rf, "-Zfunction-return=thunk-extern") {
			t.Errorf("%s: RUSTFLAGS=%q lacks the codegen flags at its end", mode, rf)
		}
		if mode == ModeHost && !strings.HasPrefix(rf, strings.Join(hostFlags, " ")) {
			t.Errorf("host: RUSTFLAGS=%q does not start with the host flags", rf)
		}
		if envValue(c.Env, "RUSTC_BOOTSTRAP") != "1" {
			t.Errorf("%s: no RUSTC_BOOTSTRAP=1 for the -Z flags", mode)
		}
		if sh := b.cargoShell(); !strings.Contains(sh, " RUSTC_BOOTSTRAP=1 ") || !strings.Contains(sh, "-Zcf-protection=branch") {
			t.Errorf("%s: kbuild's command differs: %s", mode, sh)
		}
	}
	b := testBuilder(ModeHost, module.Vars{})
	// Without -Z flags only the rustko crate may use #![feature]s.
	if sh := b.cargoShell(); strings.Contains(sh, "RUSTC_BOOTSTRAP=1") || !strings.Contains(sh, " RUSTC_BOOTSTRAP=rustko ") {
		t.Errorf("RUSTC_BOOTSTRAP not limited to the rustko crate without any -Z flag: %s", sh)
	}
	if v := envValue(b.rustCommand().Env, "RUSTC_BOOTSTRAP"); v != "rustko" {
		t.Errorf("cargo's RUSTC_BOOTSTRAP=%q without any -Z flag, want rustko", v)
	}
}

func TestCodegenFinding(t *testing.T) {
	// 6.1 names the option by its old name.
	p := planCodegen(kconfig(t, config61), "x86_64", ModeRustSrc, acceptsOnly(rustc163))
	if len(p.Missing) != 1 || p.Missing[0].What != "return thunks (CONFIG_RETHUNK)" {
		t.Errorf("6.1 gaps %+v, want return thunks under CONFIG_RETHUNK", p.Missing)
	}

	b := testBuilder(ModeRustSrc, module.Vars{})
	b.m.Where = map[string]string{"RUST_ROOT": "config.mk:3"}
	b.tc.Release = targets.Version{Major: 1, Minor: 63}
	b.kernel = &module.Kernel{Release: "6.12.118+deb12-amd64"}
	b.codegen = planCodegen(kconfig(t, config612), "x86_64", ModeRustSrc, acceptsOnly(rustc163))
	testtoolchain.RustupHome(t, nil) // no rustup toolchain: nothing to name
	f := b.codegenFinding(context.Background())
	if f.File != "/m/config.mk" || f.Range.Start.Line != 3 || f.Severity != diagnostics.Warning || f.Code != diagnostics.CodeCodegenUnsupported {
		t.Errorf("finding %s at %s:%d", f, f.File, f.Range.Start.Line)
	}
	for _, want := range []string{"rustc 1.63.0 (RUST_ROOT=/usr)", "kernel 6.12.118+deb12-amd64",
		"return thunks (CONFIG_MITIGATION_RETHUNK): -Zfunction-return=thunk-extern needs rustc 1.76 or later",
		"function padding (CONFIG_CALL_PADDING): -Zpatchable-function-entry=16,16 needs rustc 1.81 or later",
		"toolchain with rustc 1.81 or later"} {
		if !strings.Contains(f.Message, want) {
			t.Errorf("message lacks %q:\n%s", want, f.Message)
		}
	}
	if strings.Contains(f.Message, "this machine has") || len(f.Fixes) != 0 {
		t.Errorf("a toolchain named (fixes %+v) with none installed but /usr's 1.63:\n%s", f.Fixes, f.Message)
	}
}

// TestCodegenFindingNamesAnInstalledToolchain: when rustup keeps a
// toolchain new enough (the real stable one, under a RUSTUP_HOME of the
// test's), the codegen-unsupported warning names it as the RUST_ROOT to set.
func TestCodegenFindingNamesAnInstalledToolchain(t *testing.T) {
	stable, err := targets.Find(context.Background(), hostRustRoot(t), "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	const name = "stable-x86_64-unknown-linux-gnu"
	root := filepath.Join(testtoolchain.RustupHome(t, map[string]string{name: stable.Sysroot}), name)

	b := testBuilder(ModeRustSrc, module.Vars{})
	b.tc.Release = targets.Version{Major: 1, Minor: 63}
	b.kernel = &module.Kernel{Release: "6.12.118+deb12-amd64", Arch: "x86_64"}
	b.codegen = planCodegen(kconfig(t, config612), "x86_64", ModeRustSrc, acceptsOnly(rustc163))
	f := b.codegenFinding(context.Background())
	// rustup's stable has no rust-src here: the message says what host mode
	// leaves out and how to add it.
	for _, want := range []string{
		fmt.Sprintf("(this machine has rustc %s: RUST_ROOT := %s; it has no rust-src, so it builds in host mode", stable.Release, root),
		"`rustup component add rust-src --toolchain " + name + "` gives rust-src mode)",
	} {
		if !strings.Contains(f.Message, want) {
			t.Errorf("message lacks %q:\n%s", want, f.Message)
		}
	}
	// The quick fix sets it in config.mk (none yet: the client creates it;
	// module.TestSetVarEdit checks what make then reads).
	wantFix := diagnostics.Edit{File: "/m/config.mk", Range: diagnostics.Point(1, 1), NewText: "RUST_ROOT := " + root + "\n"}
	if len(f.Fixes) != 1 || len(f.Fixes[0].Edits) != 1 || f.Fixes[0].Edits[0] != wantFix || !strings.Contains(f.Fixes[0].Title, "Set RUST_ROOT := "+root) {
		t.Errorf("fixes %+v, want one setting RUST_ROOT in config.mk: %+v", f.Fixes, wantFix)
	}
}

// TestPickToolchain: which installed toolchain the codegen-unsupported
// warning names, for a build with Debian's 1.63 in RUST_ROOT.
func TestPickToolchain(t *testing.T) {
	const host = "x86_64-unknown-linux-gnu"
	tc := func(root string, minor int, pre string, src bool) *targets.Toolchain {
		t := &targets.Toolchain{Root: root, Release: targets.Version{Major: 1, Minor: minor, Pre: pre}, Host: host}
		if src {
			t.CoreSrc = root + "/lib/rustlib/src/rust/library/core"
		}
		return t
	}
	debian := tc("/usr", 63, "", true)
	trixie := tc("/opt/rust-1.85", 85, "", true)
	stable := tc("/r/toolchains/stable", 95, "", false)
	nightly := tc("/r/toolchains/nightly", 97, "nightly", false)
	nightlySrc := tc("/r/toolchains/nightly", 97, "nightly", true)
	tests := []struct {
		name      string
		installed []*targets.Toolchain
		since     int
		mode      Mode
		want      *targets.Toolchain
	}{
		{"only the one in use", []*targets.Toolchain{debian}, 76, ModeAuto, nil},
		{"stable without rust-src", []*targets.Toolchain{debian, stable}, 76, ModeAuto, stable},
		{"rust-src before a newer one without", []*targets.Toolchain{debian, trixie, stable}, 76, ModeAuto, trixie},
		{"too old, whatever it has", []*targets.Toolchain{debian, trixie, stable}, 90, ModeAuto, stable},
		{"host mode asked for: newest stable", []*targets.Toolchain{debian, trixie, stable, nightly}, 76, ModeHost, stable},
		{"rust-src mode asked for", []*targets.Toolchain{debian, trixie, stable}, 76, ModeRustSrc, trixie},
		{"rust-src mode, none has it", []*targets.Toolchain{debian, stable, nightly}, 76, ModeRustSrc, nil},
		{"a stable before a nightly", []*targets.Toolchain{debian, stable, nightly}, 76, ModeAuto, stable},
		{"a nightly only without a stable", []*targets.Toolchain{debian, nightly}, 76, ModeAuto, nightly},
		{"a nightly with rust-src before a stable without", []*targets.Toolchain{debian, stable, nightlySrc}, 76, ModeAuto, nightlySrc},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := pickToolchain(tt.installed, "/usr", targets.Version{Major: 1, Minor: tt.since}, tt.mode, "x86_64")
			if got != tt.want {
				t.Errorf("picked %v, want %v", got, tt.want)
			}
		})
	}
}

// TestProbeFlagsRealToolchains asks the machine's two toolchains (Debian's
// rustc 1.63 and rustup's current stable) about every flag the 6.12 tree's
// configuration can lead to, and checks the answers against what each
// release is known to have; the answers are cached per rustc binary.
func TestProbeFlagsRealToolchains(t *testing.T) {
	cfg, err := module.ReadKernelConfig(filepath.Join(kernel612(t), ".config"))
	if err != nil {
		t.Fatal(err)
	}
	home, _ := os.UserHomeDir()
	for _, tt := range []struct {
		root string
		want []string
	}{
		{"/usr", rustc163},
		{filepath.Join(home, ".cargo"), rustc195},
	} {
		t.Run(tt.root, func(t *testing.T) {
			dir := t.TempDir()
			cache := filecache.Open(dir)
			r := &runner{}
			tc, err := targets.Find(context.Background(), tt.root, "test", cache)
			if err != nil {
				t.Fatal(err)
			}
			if tt.root != "/usr" && !tc.Release.AtLeast(1, 95) {
				t.Fatalf("rustup's stable rustc is %s; the test expects 1.95 or later", tc.Release)
			}
			var sets [][]string
			for _, mode := range []Mode{ModeHost, ModeRustSrc} {
				sets = append(sets, candidateFlags(cfg, "x86_64", mode)...)
			}
			got, err := probeFlags(context.Background(), r, tc, cache, sets)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range sets {
				k := strings.Join(s, " ")
				if want := slices.Contains(tt.want, k); got[flagKey(s)] != want {
					t.Errorf("rustc %s accepts %s: %v, want %v", tc.Release, k, got[flagKey(s)], want)
				}
			}
			// A second ask is answered from the cache, rustup's proxy
			// included: the answers depend on what rustc -vV says.
			{
				files, _ := filepath.Glob(filepath.Join(dir, "entries", flagProbesKind, "*"))
				if len(files) != 1 {
					t.Fatalf("no flag cache written: %v", files)
				}
				// A cancelled context fails any rustc run.
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				again, err := probeFlags(ctx, &runner{}, tc, cache, sets)
				if err != nil || len(again) != len(got) {
					t.Errorf("cached answers: %v, %v", again, err)
				}
			}
		})
	}
}

// kernel612 is the 6.12 tree the codegen tests read; they fail without it,
// as the "done when" is about this kernel.
func kernel612(t *testing.T) string {
	t.Helper()
	trees, _ := filepath.Glob("/usr/src/linux-headers-6.12.*+deb12-amd64")
	for _, d := range trees {
		if testkernel.Configured(d) {
			return d
		}
	}
	t.Fatal("no Debian 6.12 amd64 headers (/usr/src/linux-headers-6.12.*+deb12-amd64): run scripts/kernels.sh")
	return ""
}

// TestBuildKernelCodegen612 builds examples/hello against the 6.12 tree
// (IBT, return thunks, retpolines, call padding) and reads the Rust object
// kbuild linked, without objcheck: with rustup's current rustc in host mode
// every global Rust function starts with endbr64 and no function returns
// with a bare ret; with Debian's rustc 1.63, which has no
// -Zfunction-return, the build still succeeds, gets endbr64 (1.63 has
// -Zcf-protection), and says once that the return thunks are missing
// instead of reporting every ret.
func TestBuildKernelCodegen612(t *testing.T) {
	needTools(t)
	k, err := module.FindKernel(context.Background(), kernel612(t))
	if err != nil {
		t.Fatal(err)
	}
	home, _ := os.UserHomeDir()
	tests := []struct {
		name     string
		rustRoot string
		mode     Mode
		thunks   bool // returns go through __x86_return_thunk
	}{
		{"rustc 1.95 host", filepath.Join(home, ".cargo"), ModeHost, true},
		{"rustc 1.63 rust-src", debianRustRoot, ModeRustSrc, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := exampleModule(t, tt.rustRoot)
			// The module's own code only: examples/hello prints through the
			// rustko crate, whose formatting pulls in precompiled core code
			// in host mode, which has no return thunks whatever rustc is
			// told (the bare-return finding says so; rust-src mode is the
			// cure). What is tested here is what the flags do to our code.
			if err := os.WriteFile(filepath.Join(m.Root, "src", "lib.rs"), []byte(codegenLib), 0o644); err != nil {
				t.Fatal(err)
			}
			m = load(t, m.Root, map[string]string{"RUST_ROOT": tt.rustRoot, "KERNEL_BUILD_PATH": k.Dir})
			res, err := build(t, m, Options{Mode: tt.mode})
			if err != nil {
				t.Fatal(err)
			}
			if res.HasErrors() || res.KO == "" {
				t.Fatalf("the build failed (ko %q)", res.KO)
			}
			var gaps, perFunction []diagnostics.Finding
			for _, f := range res.Findings {
				switch f.Code {
				case diagnostics.CodeCodegenUnsupported:
					gaps = append(gaps, f)
				case objcheck.CodeEndbr, objcheck.CodeBareReturn, objcheck.CodeIndirectBranch:
					perFunction = append(perFunction, f)
				}
			}
			if len(perFunction) > 0 {
				t.Errorf("object check findings: %v", perFunction)
			}
			for _, f := range res.Findings {
				if f.Source == sourceObjtool && strings.Contains(f.Message, "'naked' return") {
					t.Errorf("objtool's per-function warning was not folded into the one finding: %s", f)
				}
			}
			if tt.thunks && len(gaps) != 0 {
				t.Errorf("rustc %s can do everything, yet: %v", res.Toolchain.Release, gaps)
			}
			if !tt.thunks && (len(gaps) != 1 || !strings.Contains(gaps[0].Message, "-Zfunction-return=thunk-extern needs rustc 1.76 or later")) {
				t.Errorf("want one codegen-unsupported finding naming -Zfunction-return and rustc 1.76, got %v", gaps)
			}
			globals, rets, thunkJumps := inspectObject(t, res.RustObject)
			if len(globals) < 2 {
				t.Fatalf("global functions %v: want rust_main and rust_exit at least", globals)
			}
			for name, endbr := range globals {
				if !endbr {
					t.Errorf("%s does not start with endbr64", name)
				}
			}
			if tt.thunks && (len(rets) > 0 || thunkJumps == 0) {
				t.Errorf("bare ret in %v, %d jumps to __x86_return_thunk: want none and some", rets, thunkJumps)
			}
			if !tt.thunks && len(rets) == 0 {
				t.Errorf("no bare ret although rustc %s cannot make return thunks: the finding would be wrong", res.Toolchain.Release)
			}
		})
	}
}

// inspectObject reads a relocatable object with debug/elf and x86asm:
// whether each global function starts with endbr64, which functions have a
// ret instruction, and how many relocations name __x86_return_thunk.
func inspectObject(t *testing.T, path string) (globals map[string]bool, rets []string, thunkJumps int) {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	globals = map[string]bool{}
	for _, s := range syms {
		if elf.ST_TYPE(s.Info) != elf.STT_FUNC || s.Section == elf.SHN_UNDEF || int(s.Section) >= len(f.Sections) {
			continue
		}
		data, err := f.Sections[s.Section].Data()
		if err != nil || s.Value+s.Size > uint64(len(data)) {
			t.Fatalf("%s: %v", s.Name, err)
		}
		code := data[s.Value : s.Value+s.Size]
		if b := elf.ST_BIND(s.Info); b == elf.STB_GLOBAL || b == elf.STB_WEAK {
			globals[s.Name] = bytes.HasPrefix(code, []byte{0xf3, 0x0f, 0x1e, 0xfa})
		}
		for off := 0; off < len(code); {
			inst, err := x86asm.Decode(code[off:], 64)
			if err != nil {
				off++
				continue
			}
			if inst.Op == x86asm.RET {
				rets = append(rets, s.Name)
				break
			}
			off += inst.Len
		}
	}
	for _, sec := range f.Sections {
		if sec.Type != elf.SHT_RELA {
			continue
		}
		data, err := sec.Data()
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i+24 <= len(data); i += 24 {
			sym := binary.LittleEndian.Uint64(data[i+8:]) >> 32
			if sym > 0 && int(sym) <= len(syms) && syms[sym-1].Name == "__x86_return_thunk" {
				thunkJumps++
			}
		}
	}
	return globals, rets, thunkJumps
}

func TestDropCoveredByCodegen(t *testing.T) {
	naked := diagnostics.Finding{Source: sourceObjtool, Message: "rust_exit: 'naked' return found in MITIGATION_RETHUNK build"}
	endbr := diagnostics.Finding{Source: sourceObjtool, Message: "rust_open: relocation to !ENDBR: rust_open+0x0"}
	other := diagnostics.Finding{Source: sourceObjtool, Message: "rust_main: unreachable instruction"}
	gcc := diagnostics.Finding{Source: diagnostics.SourceGCC, Message: "'naked' return found"} // not objtool's
	all := []diagnostics.Finding{naked, endbr, other, gcc}
	rethunk := codegenGap{"return thunks", "-Zfunction-return=thunk-extern", "1.76"}
	ibt := codegenGap{"IBT", "-Zcf-protection=branch", "1.63"}
	padding := codegenGap{"padding", "-Zpatchable-function-entry=16,16", "1.81"}
	tests := []struct {
		gaps []codegenGap
		want []diagnostics.Finding
	}{
		{nil, all},
		{[]codegenGap{padding}, all},
		{[]codegenGap{rethunk}, []diagnostics.Finding{endbr, other, gcc}},
		{[]codegenGap{rethunk, ibt}, []diagnostics.Finding{other, gcc}},
	}
	for _, tt := range tests {
		got := dropCoveredByCodegen(tt.gaps, nil, all)
		if !slices.EqualFunc(got, tt.want, func(a, b diagnostics.Finding) bool { return a.Message == b.Message && a.Source == b.Source }) {
			t.Errorf("gaps %v: kept %v, want %v", tt.gaps, got, tt.want)
		}
	}
	// The object check's bare-return finding (host mode's core functions)
	// stands for objtool's warnings about the same returns.
	checks := []diagnostics.Finding{{Code: objcheck.CodeBareReturn, Source: diagnostics.SourceObject}}
	if got := dropCoveredByCodegen(nil, checks, all); len(got) != 3 || got[0].Message != endbr.Message {
		t.Errorf("with a bare-return check finding: kept %v", got)
	}
}

// TestBuildKernelCodegenPinned builds examples/hello with Debian's own
// toolchain in rust-src mode against the pinned tree (Debian 12's 6.1 with
// rustc 1.63; inside the Debian 13 root, RUSTKO_TEST_KDIR=7.x with rustc
// 1.85) and checks that what the build says matches the object: a
// mitigation the kernel has and the finding does not call missing is in
// the code, and one it calls missing is not.
func TestBuildKernelCodegenPinned(t *testing.T) {
	needTools(t)
	kdir := testkernel.Dir(t)
	cfg, err := module.ReadKernelConfig(filepath.Join(kdir, ".config"))
	if err != nil {
		t.Fatal(err)
	}
	m := exampleModule(t, debianRustRoot)
	res, err := build(t, m, Options{Mode: ModeRustSrc})
	if err != nil {
		t.Fatal(err)
	}
	if res.HasErrors() || res.KO == "" || res.Kernel.Dir != kdir {
		t.Fatalf("the build against %s failed (ko %q, kernel %s)", kdir, res.KO, res.Kernel.Dir)
	}
	var gap string
	for _, f := range res.Findings {
		if f.Code == diagnostics.CodeCodegenUnsupported {
			if gap != "" {
				t.Errorf("more than one codegen-unsupported finding: %s", f)
			}
			gap = f.Message
		}
		if f.Code == objcheck.CodeEndbr || f.Code == objcheck.CodeBareReturn || f.Code == objcheck.CodeIndirectBranch {
			t.Errorf("object check finding: %s", f)
		}
	}
	globals, rets, thunkJumps := inspectObject(t, res.RustObject)
	t.Logf("rustc %s, kernel %s: flags %q; gap %q; globals %v, rets in %v, %d thunk jumps",
		res.Toolchain.Release, res.Kernel.Release, res.CodegenFlags, gap, globals, rets, thunkJumps)
	if cfg.Enabled("MITIGATION_RETHUNK", "RETHUNK") {
		missing := strings.Contains(gap, "-Zfunction-return")
		if missing == (len(rets) == 0) || missing == (thunkJumps > 0) {
			t.Errorf("return thunks said missing: %v, yet bare rets in %v and %d thunk jumps", missing, rets, thunkJumps)
		}
	}
	if cfg.Enabled("X86_KERNEL_IBT") && !strings.Contains(gap, "-Zcf-protection") {
		for name, endbr := range globals {
			if !endbr {
				t.Errorf("%s does not start with endbr64, and nothing said IBT was missing", name)
			}
		}
	}
}

func TestRetpolineFeatureWarning(t *testing.T) {
	tests := []struct {
		level, msg string
		spans      bool
		want       bool
	}{
		{"warning", "unknown feature specified for `-Ctarget-feature`: `retpoline-external-thunk`", false, true},                                                                // 1.63
		{"warning", "unknown and unstable feature specified for `-Ctarget-feature`: `retpoline-indirect-calls`", false, true},                                                   // 1.85
		{"warning", "target feature `retpoline-external-thunk` cannot be enabled with `-Ctarget-feature`: use `-Zretpoline-external-thunk` compiler flag instead", false, true}, // 1.95
		{"warning", "unknown feature specified for `-Ctarget-feature`: `sse5`", false, false},
		{"error", "unknown feature specified for `-Ctarget-feature`: `retpoline-external-thunk`", false, false},
		{"warning", "unknown feature specified for `-Ctarget-feature`: `retpoline-external-thunk`", true, false}, // a span: the module's own #[target_feature]
	}
	for _, tt := range tests {
		d := &rustcDiag{Level: tt.level, Message: tt.msg}
		if tt.spans {
			d.Spans = []rustcSpan{{FileName: "src/lib.rs", LineStart: 1}}
		}
		if got := expectedWarning(d, retpolineWarningRE); got != tt.want {
			t.Errorf("%s %q (spans %v) dropped: %v, want %v", tt.level, tt.msg, tt.spans, got, tt.want)
		}
	}
}

// codegenLib is a src/lib.rs for examples/hello that calls the kernel
// directly and uses nothing of core that is not inlined: the global
// functions the C shim calls, and a panic handler.
const codegenLib = `#![no_std]
mod bindings;

static HELLO: &[u8] = b"\x016hello from rust\n\0";

#[no_mangle]
pub extern "C" fn rust_main() {
    // SAFETY: a NUL-terminated format without conversion specifiers.
    unsafe {
        bindings::_printk(HELLO.as_ptr().cast());
    }
}

#[no_mangle]
pub extern "C" fn rust_exit() {}

#[panic_handler]
fn on_panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}
`

// TestHostModeObjectHasNoUnwindTables builds examples/hello in host mode on
// the 6.12 tree (IBT): the precompiled core's functions that fat LTO brings
// in come with unwind tables, which objtool read as references to functions
// without ENDBR (a warning per function). The object kbuild links has none.
func TestHostModeObjectHasNoUnwindTables(t *testing.T) {
	needTools(t)
	home, _ := os.UserHomeDir()
	rustRoot := filepath.Join(home, ".cargo")
	m := exampleModule(t, rustRoot)
	m = load(t, m.Root, map[string]string{"RUST_ROOT": rustRoot, "KERNEL_BUILD_PATH": kernel612(t)})
	res, err := build(t, m, Options{Mode: ModeHost})
	if err != nil {
		t.Fatal(err)
	}
	if res.HasErrors() || res.KO == "" {
		t.Fatalf("the build failed (ko %q): %v", res.KO, res.Findings)
	}
	for _, f := range res.Findings {
		if strings.Contains(f.Message, ".eh_frame") {
			t.Errorf("finding about unwind tables: %s", f)
		}
	}
	f, err := elf.Open(res.RustObject)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, s := range f.Sections {
		if strings.Contains(s.Name, "eh_frame") {
			t.Errorf("the Rust object keeps %s", s.Name)
		}
	}
}
