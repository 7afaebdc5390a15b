package targets

import (
	"bytes"
	"context"
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rustko/rustko-lsp/diagnostics"
)

// These tests compile with real rustc: Debian's 1.63 (package rustc) and at
// least one current rustc (rustup's, or Debian's rustc-web unpacked by
// testdata/fetch-rustc-web.sh). A #![no_core] crate needs no standard
// library for the target, so every arch can be compiled on an x86_64 host.

const debianRustc = "/usr/bin/rustc"

// testToolchains probes every rustc it can find, newest last. It fails the
// test, naming what to install, unless both an old-format (< 1.91) and a
// new-format rustc are present.
func testToolchains(t *testing.T) []Toolchain {
	t.Helper()
	probed.once.Do(func() { probed.tcs, probed.problems, probed.fatal = findToolchains() })
	for _, p := range probed.problems {
		t.Error(p)
	}
	if probed.fatal != "" {
		t.Fatal(probed.fatal)
	}
	return probed.tcs
}

// probed caches the toolchains: probing runs each rustc five times.
var probed struct {
	once     sync.Once
	tcs      []Toolchain
	problems []string
	fatal    string
}

func findToolchains() (tcs []Toolchain, problems []string, fatal string) {
	var candidates []string
	candidates = append(candidates, debianRustc)
	if env := os.Getenv("RUSTKO_TEST_RUSTC"); env != "" {
		candidates = append(candidates, filepath.SplitList(env)...)
	}
	cache := os.Getenv("XDG_CACHE_HOME")
	home, _ := os.UserHomeDir()
	if cache == "" && home != "" {
		cache = filepath.Join(home, ".cache")
	}
	if cache != "" {
		candidates = append(candidates, filepath.Join(cache, "rustko-lsp", "rustc-web", "rustc"))
	}
	if home != "" {
		toolchains, _ := filepath.Glob(filepath.Join(home, ".rustup", "toolchains", "*", "bin", "rustc"))
		candidates = append(candidates, toolchains...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	seen := map[string]bool{}
	var oldOK, newOK bool
	for _, c := range candidates {
		if _, err := os.Stat(c); err != nil {
			continue
		}
		tc, err := probe(ctx, c)
		if err != nil {
			problems = append(problems, fmt.Sprintf("probing %s: %v", c, err))
			continue
		}
		key := tc.Release.String() + "/" + tc.DataLayouts["x86_64"]
		if seen[key] {
			continue
		}
		seen[key] = true
		if len(tc.DataLayouts) != len(archOrder) {
			problems = append(problems, fmt.Sprintf("%s: probed data-layouts for %d of %d arches: %v", c, len(tc.DataLayouts), len(archOrder), tc.DataLayouts))
		}
		oldOK = oldOK || !tc.atLeast(sincePointerWidthInt)
		newOK = newOK || tc.atLeast(sincePointerWidthInt)
		tcs = append(tcs, tc)
	}
	switch {
	case !oldOK:
		fatal = fmt.Sprintf("no rustc older than %s at %s: install Debian's: apt-get install rustc rust-src", sincePointerWidthInt, debianRustc)
	case !newOK:
		fatal = fmt.Sprintf("no rustc %s or newer found (looked at %s): run targets/testdata/fetch-rustc-web.sh (unpacks Debian 12's rustc-web without installing it), install rustup stable, or list one in RUSTKO_TEST_RUSTC",
			sincePointerWidthInt, strings.Join(candidates, ", "))
	}
	return tcs, problems, fatal
}

// probeCrate adds two doubles: with a soft-float target the object must call
// the compiler-rt routine instead of using FP registers.
func probeCrate(tc Toolchain) string {
	sized := "#[lang = \"sized\"]\npub trait Sized {}\n"
	if tc.atLeast(release{1, 89}) { // the Sized hierarchy (rust-lang/rust#137944)
		sized = "#[lang = \"pointee_sized\"]\npub trait PointeeSized {}\n" +
			"#[lang = \"meta_sized\"]\npub trait MetaSized: PointeeSized {}\n" +
			"#[lang = \"sized\"]\npub trait Sized: MetaSized {}\n"
	}
	return `#![feature(no_core, lang_items)]
#![allow(unknown_lints, internal_features)]
#![no_core]
#![crate_type = "lib"]
` + sized + `#[lang = "copy"]
pub trait Copy {}
impl Copy for f64 {}
#[lang = "add"]
pub trait Add<Rhs = Self> { type Output; fn add(self, rhs: Rhs) -> Self::Output; }
impl Add for f64 { type Output = f64; fn add(self, rhs: f64) -> f64 { self + rhs } }
#[no_mangle]
pub extern "C" fn rustko_probe(a: f64, b: f64) -> f64 { a + b }
`
}

var elfMachine = map[string]elf.Machine{
	"x86_64": elf.EM_X86_64, "aarch64": elf.EM_AARCH64, "arm": elf.EM_ARM, "riscv64": elf.EM_RISCV,
}

// softAdd is the routine a soft-float double addition becomes.
var softAdd = map[string]string{
	"x86_64": "__adddf3", "aarch64": "__adddf3", "arm": "__aeabi_dadd", "riscv64": "__adddf3",
}

// compileSpec compiles the probe crate for spec (a file named after the
// target) and returns rustc's stderr and the object path.
func compileSpec(t *testing.T, tc Toolchain, specPath string) (string, string, error) {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "probe.rs")
	if err := os.WriteFile(src, []byte(probeCrate(tc)), 0o644); err != nil {
		t.Fatal(err)
	}
	obj := filepath.Join(dir, "probe.o")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// rustc reads target JSON only under -Z unstable-options.
	args := append([]string{"-Z", "unstable-options", "--target", specPath}, "-O", "--emit", "obj", "-o", obj, src)
	cmd := exec.CommandContext(ctx, tc.Path, args...)
	cmd.Env = append(os.Environ(), "RUSTC_BOOTSTRAP=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	return stderr.String(), obj, err
}

func TestEmbeddedSpecsCompileWithRealRustc(t *testing.T) {
	for _, tc := range testToolchains(t) {
		for _, name := range Names() {
			t.Run(tc.Release.String()+"/"+name, func(t *testing.T) {
				spec, _ := Lookup(name)
				dir := t.TempDir()
				path, err := WriteFor(dir, name, tc)
				if err != nil {
					t.Fatal(err)
				}
				rendered, _ := os.ReadFile(path)
				if fs := ValidateFor(path, rendered, tc); len(fs) > 0 {
					t.Errorf("the spec rendered for %s has findings:\n%s", tc.Release, findingLines(fs))
				}
				stderr, obj, err := compileSpec(t, tc, path)
				if err != nil {
					t.Fatalf("%s rejects the rendered %s: %v\n%s\nspec:\n%s", tc.Path, name, err, stderr, rendered)
				}
				if strings.TrimSpace(stderr) != "" {
					t.Errorf("%s warns about the rendered %s:\n%s", tc.Path, name, stderr)
				}
				checkObject(t, obj, spec.Arch)
			})
		}
	}
}

func checkObject(t *testing.T, obj, arch string) {
	t.Helper()
	f, err := elf.Open(obj)
	if err != nil {
		t.Fatalf("reading the object: %v", err)
	}
	defer f.Close()
	if f.Machine != elfMachine[arch] {
		t.Errorf("object machine %v, want %v", f.Machine, elfMachine[arch])
	}
	syms, err := f.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	var probe, soft bool
	for _, s := range syms {
		probe = probe || (s.Name == "rustko_probe" && s.Section != elf.SHN_UNDEF)
		soft = soft || (s.Name == softAdd[arch] && s.Section == elf.SHN_UNDEF)
	}
	if !probe {
		t.Errorf("rustko_probe is not defined in the object")
	}
	if !soft {
		t.Errorf("f64 addition did not become a call to %s: the target is not soft-float", softAdd[arch])
	}
	switch arch {
	case "riscv64":
		if fl := elfFlags(t, obj); fl&0x6 != 0 { // EF_RISCV_FLOAT_ABI: 0 is soft (lp64)
			t.Errorf("riscv64 object uses float ABI flags %#x, want soft (lp64)", fl)
		}
	case "arm":
		if fl := elfFlags(t, obj); fl&0x400 != 0 { // EF_ARM_ABI_FLOAT_HARD
			t.Errorf("arm object flags %#x say hard-float ABI", fl)
		}
	}
}

// elfFlags reads e_flags, which debug/elf does not expose.
func elfFlags(t *testing.T, obj string) uint32 {
	t.Helper()
	data, err := os.ReadFile(obj)
	if err != nil {
		t.Fatal(err)
	}
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	off := 48 // e_flags in a 64-bit header
	if f.Class == elf.ELFCLASS32 {
		off = 36
	}
	return f.ByteOrder.Uint32(data[off : off+4])
}

// TestValidatorAgreesWithRustc feeds specs rustc accepts and refuses to every
// rustc at hand: where rustc refuses a file the validator, told which rustc
// it is, must report an error, and where rustc accepts it, none.
func TestValidatorAgreesWithRustc(t *testing.T) {
	seed, err := os.ReadFile("testdata/rustko-x86_64-unknown-none-gnu.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range testToolchains(t) {
		inputs := map[string][]byte{"rust.ko seed": seed}
		for _, n := range Names() {
			inputs["canonical "+n] = Data(n) // the current-rustc form, wrong for older ones
		}
		for label, data := range inputs {
			t.Run(tc.Release.String()+"/"+label, func(t *testing.T) {
				name := "x86_64-unknown-none-gnu"
				if strings.HasPrefix(label, "canonical ") {
					name = strings.TrimPrefix(label, "canonical ")
				}
				path := filepath.Join(t.TempDir(), name+".json")
				if err := os.WriteFile(path, data, 0o644); err != nil {
					t.Fatal(err)
				}
				stderr, _, rustcErr := compileSpec(t, tc, path)
				errs := 0
				fs := ValidateFor(path, data, tc)
				for _, f := range fs {
					if f.Severity == diagnostics.Error {
						errs++
					}
				}
				switch {
				case rustcErr != nil && errs == 0:
					t.Errorf("%s refuses the spec but the validator reports no error:\n%s\nfindings:\n%s", tc.Path, stderr, findingLines(fs))
				case rustcErr == nil && errs > 0 && label != "rust.ko seed":
					t.Errorf("%s accepts the spec but the validator reports errors:\n%s", tc.Path, findingLines(fs))
				}
			})
		}
	}
}

func findingLines(fs []diagnostics.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString("  " + f.String() + "\n")
	}
	return b.String()
}
