package build

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/internal/testkernel"
	"github.com/rustko/rustko-lsp/module"
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
	if sh := b.cargoShell(); strings.Contains(sh, "RUSTC_BOOTSTRAP") {
		t.Errorf("RUSTC_BOOTSTRAP set without any -Z flag: %s", sh)
	}
}

func TestCodegenFinding(t *testing.T) {
	b := testBuilder(ModeRustSrc, module.Vars{})
	b.m.Where = map[string]string{"RUST_ROOT": "config.mk:3"}
	b.tc.Release = "1.63.0"
	b.kernel = &module.Kernel{Release: "6.12.118+deb12-amd64"}
	b.codegen = planCodegen(kconfig(t, config612), "x86_64", ModeRustSrc, acceptsOnly(rustc163))
	f := b.codegenFinding()
	if f.File != "/m/config.mk" || f.Range.Start.Line != 3 || f.Severity != diagnostics.Warning || f.Code != CodeCodegenUnsupported {
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
}

func TestVersionLess(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want bool
	}{{"1.76", "1.81", true}, {"1.81", "1.76", false}, {"1.9", "1.10", true}, {"0", "1.63", true}, {"1.63", "1.63", false}} {
		if got := versionLess(tt.a, tt.b); got != tt.want {
			t.Errorf("versionLess(%s, %s) = %v", tt.a, tt.b, got)
		}
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
			cache := t.TempDir()
			r := &runner{}
			tc, err := findToolchain(context.Background(), r, tt.root, "test", cache)
			if err != nil {
				t.Fatal(err)
			}
			if tt.root != "/usr" && !versionLess("1.94", tc.Release) {
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
			// A second ask is answered from the cache when rustc is not
			// rustup's proxy (Debian's is a plain binary).
			if tt.root == "/usr" {
				files, _ := filepath.Glob(filepath.Join(cache, "toolchain", "*-flags.json"))
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
