package objcheck

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/diagnostics"
)

const hostCrate = `#![no_std]
use core::panic::PanicInfo;

#[panic_handler]
fn panic(_: &PanicInfo) -> ! {
    loop {}
}

#[no_mangle]
pub extern "C" fn fill(buf: *mut u8, n: usize) {
    let s = unsafe { core::slice::from_raw_parts_mut(buf, n) };
    s.fill(7); // FILL
}

#[no_mangle]
pub extern "C" fn scale(x: u32) -> u32 {
    (x as f64 * 1.5) as u32 // FLOAT
}
`

const hostCargoToml = `[package]
name = "objcheck_test"
version = "0.1.0"
edition = "2021"

[lib]
crate-type = ["staticlib"]
path = "src/lib.rs"

[profile.release]
panic = "abort"
lto = "fat"
codegen-units = 1
debug = "line-tables-only"
`

// kernelCodegen are host mode's flags from the build notes, without the
// target features.
var kernelCodegen = []string{"-C", "code-model=kernel", "-C", "relocation-model=static", "-C", "no-redzone=yes",
	"-C", "relro-level=off", "-C", "force-unwind-tables=no"}

const softFloat = "-mmx,-sse,-sse2,-sse3,-ssse3,-sse4.1,-sse4.2,-avx,-avx2,+soft-float"

// buildHostObject builds src as a crate the way host mode does (stable
// rustc, host target, staticlib + fat LTO, one object) with extra rustc
// flags, and returns the crate folder and the object.
func buildHostObject(t testing.TB, src string, rustflags ...string) (string, string) {
	t.Helper()
	rustc := hostRustc(t)
	cargo := filepath.Join(filepath.Dir(rustc), "cargo")
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "src"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{"Cargo.toml": hostCargoToml, "src/lib.rs": src} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	obj := filepath.Join(dir, "rust.o")
	t.Setenv("RUSTC", rustc)
	t.Setenv("RUSTFLAGS", strings.Join(append(append([]string{}, kernelCodegen...), rustflags...), " "))
	t.Setenv("CARGO_TARGET_DIR", filepath.Join(dir, "target"))
	command(t, dir, cargo, "rustc", "--offline", "--release", "--target", "x86_64-unknown-linux-gnu", "--", "--emit", "obj="+obj)
	return dir, obj
}

// TestRustHostMode is host mode end to end on a real rustc object: core's
// memset call comes through the GOT, RelaxGOT removes it, and Check then
// predicts modpost's failure for the soft-float helpers at the Rust line
// that uses floating point, and nothing for memset, which the kernel
// exports.
func TestRustHostMode(t *testing.T) {
	objdump := needTool(t, "objdump", "binutils")
	dir, obj := buildHostObject(t, hostCrate, "-C", "target-feature="+softFloat)
	if n := gotCount(relocTypes(t, obj)); n == 0 {
		t.Fatalf("rustc left no GOT relocations in %s; the test needs the host-mode object the notes describe", obj)
	}
	lib := filepath.Join(dir, "src/lib.rs")

	// Before the fix-up, the GOT call is reported at the user's line that
	// led to it, although the code is core's slice::fill inlined there.
	findings, err := Check(context.Background(), obj, Options{Symvers: kernelSymvers(t), Sources: dir})
	if err != nil {
		t.Fatal(err)
	}
	fillLine := lineOf(t, hostCrate, "// FILL")
	got := 0
	for _, f := range findings {
		if f.Code != CodeGOT || !strings.Contains(f.Message, "`memset`") {
			continue // the soft-float helpers come through the GOT as well
		}
		got++
		if f.File != lib || f.Range.Start.Line != fillLine || !strings.Contains(f.Message, "library/core/src/") {
			t.Errorf("%s: want %s:%d, naming memset and the core source it was inlined from", f, lib, fillLine)
		}
	}
	if got == 0 {
		t.Errorf("no got-relocation finding for memset before RelaxGOT: %v", findings)
	}

	if err := RelaxGOT(obj); err != nil {
		t.Fatal(err)
	}
	if types := relocTypes(t, obj); gotCount(types) != 0 {
		t.Fatalf("GOT relocations left after RelaxGOT: %v", types)
	}
	dis := command(t, dir, objdump, "-dr", obj)
	// fill tail-calls memset (jmp); other code calls it.
	if !regexp.MustCompile(`(67 e8 00 00 00 00\s+addr32 call .*|e9 00 00 00 00\s+jmp .*\n\s+\S+: R_X86_64_PLT32\s+memset-0x4\n\s+\S+:\s+90\s+nop)`).MatchString(dis) ||
		!strings.Contains(dis, "R_X86_64_PLT32\tmemset-0x4") {
		t.Errorf("objdump does not show the relaxed call to memset:\n%s", dis)
	}

	findings, err = Check(context.Background(), obj, Options{
		Symvers: kernelSymvers(t),
		Sources: dir,
		Crate:   filepath.Join(dir, "src/lib.rs"),
	})
	if err != nil {
		t.Fatal(err)
	}
	floatLine := lineOf(t, hostCrate, "// FLOAT")
	soft := map[string]bool{}
	for _, f := range findings {
		t.Log(f)
		switch {
		case f.Code == CodeUndefined && isSoftFloat(symbolIn(f.Message)):
			soft[symbolIn(f.Message)] = true
			if f.File != lib || f.Range.Start.Line != floatLine {
				t.Errorf("%s: want %s:%d", f, lib, floatLine)
			}
			if !strings.Contains(f.Message, "floating point") {
				t.Errorf("message lacks the floating-point hint: %s", f.Message)
			}
		case f.Code == CodeUndefined, f.Code == CodeGOT, f.Code == CodeFloat, f.Code == CodeRelocation:
			t.Errorf("unexpected finding: %s", f)
		}
		if f.Source != diagnostics.SourceObject || f.Severity == 0 {
			t.Errorf("finding without source or severity: %+v", f)
		}
	}
	if len(soft) == 0 {
		t.Errorf("no soft-float helper reported as undefined; findings: %v", findings)
	}
}

// TestRustFloatInstructions builds the same crate with SSE enabled: the
// float code becomes SSE instructions, found by decoding and mapped to the
// Rust line.
func TestRustFloatInstructions(t *testing.T) {
	dir, obj := buildHostObject(t, hostCrate)
	if err := RelaxGOT(obj); err != nil {
		t.Fatal(err)
	}
	findings, err := Check(context.Background(), obj, Options{Symvers: kernelSymvers(t), Sources: dir})
	if err != nil {
		t.Fatal(err)
	}
	lib := filepath.Join(dir, "src/lib.rs")
	floatLine := lineOf(t, hostCrate, "// FLOAT")
	found := false
	for _, f := range findings {
		t.Log(f)
		if f.Code != CodeFloat {
			continue
		}
		if f.File == lib && f.Range.Start.Line == floatLine && strings.Contains(f.Message, "xmm") && strings.Contains(f.Message, "in scale") {
			found = true
		}
	}
	if !found {
		t.Errorf("no float-instruction finding naming an xmm register in scale at %s:%d", lib, floatLine)
	}
}

// symbolIn extracts the mangled name modpost would print from an
// undefined-symbol message.
func symbolIn(msg string) string {
	m := regexp.MustCompile(`modpost: "([^"]+)" undefined!`).FindStringSubmatch(msg)
	if m == nil {
		return ""
	}
	return m[1]
}

// fmtCrate pulls much of core::fmt into the object through LTO: a realistic
// size for a module that formats messages.
const fmtCrate = `#![no_std]
use core::fmt::Write;
use core::panic::PanicInfo;

#[panic_handler]
fn panic(_: &PanicInfo) -> ! {
    loop {}
}

struct Buf<'a> {
    b: &'a mut [u8],
    n: usize,
}

impl<'a> Write for Buf<'a> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let end = self.n + s.len();
        self.b[self.n..end].copy_from_slice(s.as_bytes());
        self.n = end;
        Ok(())
    }
}

#[no_mangle]
pub extern "C" fn format(buf: *mut u8, n: usize, x: u64, y: i32) -> usize {
    let b = unsafe { core::slice::from_raw_parts_mut(buf, n) };
    let mut w = Buf { b, n: 0 };
    let _ = write!(w, "x={} y={:x} {:?} {:>8}", x, y, (x, y), "hi");
    w.n
}
`

// BenchmarkCheck measures the checks on a host-mode object holding core's
// formatting code, the part of a build that runs on every save.
func BenchmarkCheck(b *testing.B) {
	dir, obj := buildHostObject(b, fmtCrate, "-C", "target-feature="+softFloat)
	o := Options{Symvers: kernelSymvers(b), Sources: dir}
	b.ResetTimer()
	for range b.N {
		if _, err := Check(context.Background(), obj, o); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRelaxGOT(b *testing.B) {
	_, obj := buildHostObject(b, fmtCrate, "-C", "target-feature="+softFloat)
	orig, err := os.ReadFile(obj)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if err := os.WriteFile(obj, orig, 0o644); err != nil {
			b.Fatal(err)
		}
		if err := RelaxGOT(obj); err != nil {
			b.Fatal(err)
		}
	}
}

const panicCrate = `#![no_std]

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}

#[no_mangle]
pub extern "C" fn pick(table: &[u32; 8], i: usize) -> u32 {
    table[i] // INDEX
}
`

// TestRustCorePanicUndefined: a plain --emit obj without LTO leaves core's
// panic functions undefined; the finding names the demangled function, sits
// on the indexing line and says how to get core compiled in.
func TestRustCorePanicUndefined(t *testing.T) {
	rustc := hostRustc(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "lib.rs"), []byte(panicCrate), 0o644); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"--edition", "2021", "--crate-type", "lib", "--crate-name", "panicky", "-C", "panic=abort",
		"-C", "opt-level=2", "-C", "debuginfo=line-tables-only", "-C", "target-feature=" + softFloat,
		"--emit", "obj=panicky.o", "lib.rs"}, kernelCodegen...)
	command(t, dir, rustc, args...)
	findings, err := Check(context.Background(), filepath.Join(dir, "panicky.o"), Options{Symvers: kernelSymvers(t), Sources: dir})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range findings {
		t.Log(f)
		if f.Code == CodeUndefined && strings.Contains(f.Message, "`core::panicking::panic_bounds_check` (_R") &&
			strings.Contains(f.Message, "fat LTO") && f.File == filepath.Join(dir, "lib.rs") &&
			f.Range.Start.Line == lineOf(t, panicCrate, "// INDEX") {
			found = true
		}
	}
	if !found {
		t.Errorf("no undefined-symbol finding for core::panicking::panic_bounds_check at lib.rs:%d", lineOf(t, panicCrate, "// INDEX"))
	}
}
