package objcheck

import (
	"context"
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
