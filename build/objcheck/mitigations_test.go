package objcheck

import (
	"context"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/diagnostics"
)

// mitigationsC has the shapes the mitigation checks tell apart: a global
// function, a static one only called directly, a static one whose address
// is stored in data (an ops table), one whose address code passes on, and
// an indirect call.
const mitigationsC = `struct ops { int (*open)(int); };
void take(int (*f)(int));
__attribute__((noinline)) static int direct(int x) { return x * 3; } // DIRECT
static int in_table(int x) { return direct(x) + 1; } // IN_TABLE
static int passed(int x) { return x - 1; } // PASSED
struct ops table = { .open = in_table };
int global(int (*f)(int), int x) { take(passed); return f(x) + direct(x); } // GLOBAL
`

// TestMitigationChecks compiles mitigationsC with gcc, with and without the
// flags the kernel's C code gets, and checks which functions each check
// names: gcc's output is the reference for what the kernel's own code
// looks like.
func TestMitigationChecks(t *testing.T) {
	dir := t.TempDir()
	lineOfGlobal := lineOf(t, mitigationsC, "// GLOBAL")
	tests := []struct {
		name  string
		flags []string
		opts  Options
		want  map[string][]string // code -> the functions named, sorted
	}{
		{"IBT, no endbr, kernel code model", []string{"-fcf-protection=none", "-mcmodel=kernel", "-fno-pic"}, Options{IBT: true},
			map[string][]string{CodeEndbr: {"global", "in_table", "passed"}}},
		{"IBT, no endbr, default code model", []string{"-fcf-protection=none", "-fno-pic"}, Options{IBT: true},
			map[string][]string{CodeEndbr: {"global", "in_table", "passed"}}},
		{"IBT, no endbr, PIC", []string{"-fcf-protection=none", "-fpic"}, Options{IBT: true},
			map[string][]string{CodeEndbr: {"global", "in_table", "passed"}}},
		{"IBT, endbr", []string{"-fcf-protection=branch", "-mcmodel=kernel", "-fno-pic"}, Options{IBT: true}, nil},
		{"no IBT, no endbr", []string{"-fcf-protection=none", "-mcmodel=kernel", "-fno-pic"}, Options{}, nil},
		{"RETHUNK, bare returns", []string{"-fcf-protection=none", "-mcmodel=kernel", "-fno-pic"}, Options{ReturnThunk: true},
			map[string][]string{CodeBareReturn: {"direct", "global", "in_table", "passed"}}},
		{"RETHUNK, return thunks", []string{"-mfunction-return=thunk-extern", "-mcmodel=kernel", "-fno-pic"}, Options{ReturnThunk: true}, nil},
		{"retpolines, indirect call", []string{"-mcmodel=kernel", "-fno-pic"}, Options{Retpoline: true},
			map[string][]string{CodeIndirectBranch: {"global"}}},
		{"retpolines, thunks", []string{"-mindirect-branch=thunk-extern", "-mindirect-branch-register", "-mcmodel=kernel", "-fno-pic"}, Options{Retpoline: true}, nil},
		{"everything, as kbuild compiles for 6.12", []string{"-fcf-protection=branch", "-mfunction-return=thunk-extern",
			"-mindirect-branch=thunk-extern", "-mindirect-branch-register", "-mcmodel=kernel", "-fno-pic"},
			Options{IBT: true, ReturnThunk: true, Retpoline: true}, nil},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// One section per function, as rustc writes them: within a
			// section the assembler resolves references itself.
			flags := append([]string{"-O2", "-g", "-fno-asynchronous-unwind-tables", "-ffunction-sections"}, tt.flags...)
			obj := compileC(t, dir, "m"+string(rune('a'+i)), mitigationsC, flags...)
			fs, err := Check(context.Background(), obj, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string][]string{}
			for _, f := range fs {
				switch f.Code {
				case CodeEndbr, CodeBareReturn, CodeIndirectBranch:
				default:
					continue
				}
				got[f.Code] = append(got[f.Code], namedFunction(f.Message))
				wantSev := diagnostics.Warning
				if f.Code == CodeEndbr {
					wantSev = diagnostics.Error
				}
				if f.Severity != wantSev || f.Source != diagnostics.SourceObject {
					t.Errorf("%s: severity %s source %s, want %s %s", f, f.Severity, f.Source, wantSev, diagnostics.SourceObject)
				}
				if namedFunction(f.Message) == "global" && f.Code != CodeIndirectBranch && f.Range.Start.Line != lineOfGlobal {
					t.Errorf("%s: want line %d, where global is defined", f, lineOfGlobal)
				}
			}
			for code := range got {
				sort.Strings(got[code])
			}
			if len(got) != len(tt.want) {
				t.Errorf("findings %v, want %v", got, tt.want)
			}
			for code, want := range tt.want {
				if !slices.Equal(got[code], want) {
					t.Errorf("%s names %v, want %v", code, got[code], want)
				}
			}
		})
	}
}

// namedFunction is the function a mitigation finding is about: the first
// word of the message, or the one after " in " for an indirect branch.
func namedFunction(msg string) string {
	if _, rest, ok := strings.Cut(msg, "` in "); ok {
		return strings.Fields(rest)[0]
	}
	return strings.Fields(msg)[0]
}

// TestIsBranchOperand pins the opcodes that mark a PC-relative field as a
// branch target rather than an address the code takes.
func TestIsBranchOperand(t *testing.T) {
	tests := []struct {
		code []byte
		off  uint64
		want bool
	}{
		{[]byte{0xe8, 0, 0, 0, 0}, 1, true},                    // call rel32
		{[]byte{0xe9, 0, 0, 0, 0}, 1, true},                    // jmp rel32
		{[]byte{0x0f, 0x84, 0, 0, 0, 0}, 2, true},              // je rel32
		{[]byte{0x48, 0x8d, 0x3d, 0, 0, 0, 0}, 3, false},       // lea f(%rip),%rdi
		{[]byte{0x48, 0x8b, 0x05, 0, 0, 0, 0}, 3, false},       // mov f(%rip),%rax
		{[]byte{0x0f, 0x1f, 0x44, 0x00, 0x00, 0xe8}, 0, false}, // at the start: nothing before it
		{[]byte{0xe8}, 9, false},                               // past the end
	}
	for _, tt := range tests {
		if got := isBranchOperand(tt.code, tt.off); got != tt.want {
			t.Errorf("isBranchOperand(% x, %d) = %v, want %v", tt.code, tt.off, got, tt.want)
		}
	}
}

// fmtCallbackCrate formats a number (pulling core::fmt's functions in
// through LTO, which keep the attributes core was compiled with) and hands
// the C side a callback.
const fmtCallbackCrate = `#![no_std]
use core::fmt::Write;
use core::panic::PanicInfo;

#[panic_handler]
fn panic(_: &PanicInfo) -> ! {
    loop {}
}

struct Buf<'a>(&'a mut [u8], usize);

impl Write for Buf<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let end = self.1 + s.len();
        if end > self.0.len() {
            return Err(core::fmt::Error);
        }
        self.0[self.1..end].copy_from_slice(s.as_bytes());
        self.1 = end;
        Ok(())
    }
}

extern "C" fn callback(x: u32) -> u32 { // CALLBACK
    x.wrapping_mul(3)
}

extern "C" {
    fn register(f: extern "C" fn(u32) -> u32);
}

#[no_mangle]
pub extern "C" fn format_u32(buf: *mut u8, n: usize, x: u32) -> usize { // FORMAT
    unsafe { register(callback) };
    let mut b = Buf(unsafe { core::slice::from_raw_parts_mut(buf, n) }, 0);
    let _ = write!(b, "{}", x);
    b.1
}
`

// TestRustHostModeMitigations builds a crate in host mode with the flags
// rustko passes for a 6.12 kernel (rustc 1.95): the crate's own functions,
// the callback whose address it takes included, start with endbr64 and
// return through the thunk, while core's precompiled functions that LTO
// kept whole still end in a bare ret: the check names those, so host mode's
// limit is visible; without the flags, the crate's functions are named too.
func TestRustHostModeMitigations(t *testing.T) {
	t.Setenv("RUSTC_BOOTSTRAP", "1")
	with := []string{"-C", "target-feature=" + softFloat, "-Zcf-protection=branch", "-Zfunction-return=thunk-extern", "-Cjump-tables=n",
		"-Zretpoline-external-thunk", "-Cunsafe-allow-abi-mismatch=retpoline,retpoline-external-thunk"}
	opts := Options{IBT: true, ReturnThunk: true, Retpoline: true}
	for _, tt := range []struct {
		name  string
		flags []string
		crate bool // the crate's own functions are named
	}{
		{"with the kernel's flags", with, false},
		{"without", []string{"-C", "target-feature=" + softFloat}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir, obj := buildHostObject(t, fmtCallbackCrate, tt.flags...)
			if err := RelaxGOT(obj); err != nil {
				t.Fatal(err)
			}
			o := opts
			o.Sources = dir
			fs, err := Check(context.Background(), obj, o)
			if err != nil {
				t.Fatal(err)
			}
			named := map[string][]string{}
			for _, f := range fs {
				if f.Code == CodeEndbr || f.Code == CodeBareReturn || f.Code == CodeIndirectBranch {
					t.Log(f)
					named[f.Code] = append(named[f.Code], namedFunction(f.Message))
				}
			}
			crateNamed := func(code string) bool {
				for _, n := range named[code] {
					if n == "format_u32" || strings.Contains(n, "callback") || strings.Contains(n, "write_str") {
						return true
					}
				}
				return false
			}
			if crateNamed(CodeEndbr) != tt.crate || crateNamed(CodeBareReturn) != tt.crate {
				t.Errorf("the crate's functions named: endbr %v, ret %v, want %v: %v", crateNamed(CodeEndbr), crateNamed(CodeBareReturn), tt.crate, named)
			}
			if tt.crate && !slices.ContainsFunc(named[CodeEndbr], func(n string) bool { return strings.Contains(n, "callback") }) {
				t.Errorf("the local callback whose address is taken is not named for endbr64: %v", named[CodeEndbr])
			}
			if !tt.crate && len(named[CodeIndirectBranch]) > 0 {
				t.Errorf("indirect branches left with retpolines on: %v", named[CodeIndirectBranch])
			}
			// core's functions are summed up in one finding per kind, shown
			// where the editor can open it, naming core's lines.
			coreRets := false
			for _, f := range fs {
				if !strings.Contains(f.Message, "of the toolchain's precompiled libraries") {
					continue
				}
				coreRets = coreRets || f.Code == CodeBareReturn
				if _, err := os.Stat(f.File); err != nil || !strings.Contains(f.Message, "core::") || !strings.Contains(f.Message, "(library/core/src/") {
					t.Errorf("%s: want a file on disk, and core's functions and lines in the message", f)
				}
			}
			if !coreRets {
				t.Errorf("no summary of core's bare returns: %v (host mode cannot give core the return thunks; has that changed?)", named[CodeBareReturn])
			}
			for code, names := range named {
				for _, n := range names {
					if strings.HasPrefix(n, "core::") {
						t.Errorf("%s: core's %s has a finding of its own, not in the summary", code, n)
					}
				}
			}
		})
	}
}
