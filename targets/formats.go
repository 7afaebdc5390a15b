package targets

import "fmt"

// release is a rustc major.minor at which the target-spec format changed.
type release struct{ major, minor int }

func (r release) String() string { return fmt.Sprintf("%d.%d", r.major, r.minor) }

// The format changes rustko-lsp adapts to. Each was measured against Debian's
// rustc 1.63, rustup's 1.95 and a 1.97 nightly where those bracket it; the
// exact first release comes from the rustc change that introduced it.
var (
	// rust-lang/rust#134932: ARM float ABI named explicitly; later rustc
	// refuses an ARM spec without it.
	sinceLLVMFloatABI = release{1, 85}
	// rust-lang/rust#136146: x86 soft-float needs "rustc-abi": "x86-softfloat".
	sinceRustcABI = release{1, 86}
	// rust-lang/rust#120062: a custom target's data-layout must equal its
	// LLVM's; before, rustc used the spec's layout without comparing.
	sinceDataLayoutCheck = release{1, 77}
	// rust-lang/rust#144218: specs read with serde; target-c-int-width is an
	// integer and unknown keys are errors (before: "unused fields" warning).
	sinceSerdeSpecs = release{1, 90}
	// rust-lang/rust#144443: target-pointer-width is an integer.
	sincePointerWidthInt = release{1, 91}
	// rust-lang/rust#151154: "softfloat" names the soft-float ABI on every
	// arch; 1.95 takes it on x86 but still refuses it on aarch64.
	sinceSoftfloatX86 = release{1, 95}
	// From 1.96 an aarch64 softfloat spec must also say "rustc-abi": "softfloat".
	sinceRustcABIAarch64 = release{1, 96}
)

func (tc Toolchain) atLeast(r release) bool { return tc.Release.AtLeast(r.major, r.minor) }

// assumeCurrent reports whether rules should judge for current rustc: the
// toolchain is unknown or at least r.
func (tc Toolchain) assumeCurrent(r release) bool { return !tc.Release.Known() || tc.atLeast(r) }

func (tc Toolchain) name() string {
	if !tc.Release.Known() {
		return "rustc"
	}
	return "rustc " + tc.Release.String()
}
