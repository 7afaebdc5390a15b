// Added by rustko-lsp; under this module's BSD-style license (LICENSE).

// Regression tests for the rustko-lsp patches listed in PATCHES.md. Each
// expected value is first confirmed with the host's `c++filt -i
// --format=rust` (binutils' libiberty, the reference rustko's objcheck is
// tested against), so a wrong expectation cannot make a test pass. The tests
// use the public API only: copied into a pristine copy of the module they
// fail there.

package demangle

import (
	"os/exec"
	"strings"
	"testing"
)

// rustkoCxxfilt demangles syms with the host c++filt. A missing c++filt
// fails the test: these tests exist to compare with it.
func rustkoCxxfilt(t *testing.T, syms []string) []string {
	t.Helper()
	cxxfilt, err := exec.LookPath("c++filt")
	if err != nil {
		t.Fatalf("c++filt not found on PATH (apt-get install -y binutils): %v", err)
	}
	cmd := exec.Command(cxxfilt, "-i", "--format=rust")
	cmd.Stdin = strings.NewReader(strings.Join(syms, "\n") + "\n")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("c++filt: %v", err)
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(syms) {
		t.Fatalf("c++filt printed %d lines for %d symbols", len(lines), len(syms))
	}
	return lines
}

type rustkoCase struct{ sym, want string }

func rustkoCheck(t *testing.T, cases []rustkoCase) {
	t.Helper()
	syms := make([]string, len(cases))
	for i, c := range cases {
		syms[i] = c.sym
	}
	for i, ref := range rustkoCxxfilt(t, syms) {
		c := cases[i]
		if ref != c.want {
			t.Fatalf("expectation for %s is wrong: c++filt says %q, the test %q", c.sym, ref, c.want)
		}
		got, err := ToString(c.sym)
		if c.want == c.sym {
			// c++filt rejects it: so must we.
			if err == nil {
				t.Errorf("ToString(%s) = %q, want an error", c.sym, got)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ToString(%s) = %q, %v; want %q", c.sym, got, err, c.want)
		}
	}
}

// PATCHES.md 1: in v0 a <decimal-number> starting with 0 is that 0 alone,
// so an empty identifier (a closure's or an anonymous const's) may be
// followed directly by the next identifier's length.
func TestRustkoV0ZeroLength(t *testing.T) {
	rustkoCheck(t, []rustkoCase{
		{"_RNvNCNvCs123_5crate1f03MIN", "crate::f::{closure#0}::MIN"},
		{"_RNvNCNvCs123_5crate1fs_03MIN", "crate::f::{closure#1}::MIN"},
		{"_RNvNCNvCs123_5crate1f01a", "crate::f::{closure#0}::a"},
		// With the '_' that separates a length from an identifier
		// starting with '_'.
		{"_RNvNCNvCs123_5crate1f023___RUST_STD_INTERNAL_VAL", "crate::f::{closure#0}::__RUST_STD_INTERNAL_VAL"},
		{"_RNvNCNCNvCs123_5crate1f0s_023___RUST_STD_INTERNAL_VAL",
			"crate::f::{closure#0}::{closure#1}::__RUST_STD_INTERNAL_VAL"},
		// Real symbols of rustup's Rust 1.95 libstd.
		{"_RNvNCNvNtNtCsjrHSEGnQ3l9_3std6thread9lifecycle15spawn_unchecked03MIN",
			"std::thread::lifecycle::spawn_unchecked::{closure#0}::MIN"},
		{"_RNvNCNKNvNtNtCsjrHSEGnQ3l9_3std6thread9spawnhook11SPAWN_HOOKS0023___RUST_STD_INTERNAL_VAL",
			"std::thread::spawnhook::SPAWN_HOOKS::{K#0}::{closure#0}::__RUST_STD_INTERNAL_VAL"},
	})
}

// PATCHES.md 2: legacy (_ZN) identifiers have no '_' separator after the
// length; "5_open" is the five bytes "_open".
func TestRustkoLegacyUnderscore(t *testing.T) {
	rustkoCheck(t, []rustkoCase{
		{"_ZN5crate5_open17h4fc94ffc41092d48E", "crate::_open"},
		{"_ZN5crate7__getit5__KEY17h611f8cc5dd6019bfE", "crate::__getit::__KEY"},
		{"_ZN5crate2__17h611f8cc5dd6019bfE", "crate::__"},
		{"_ZN5crate1_17h611f8cc5dd6019bfE", "crate::_"},
		// A real symbol of Debian's rustc 1.63 libstd.
		{"_ZN3std2fs11OpenOptions5_open17h4fc94ffc41092d48E", "std::fs::OpenOptions::_open"},
		// Unchanged by the patch: "_$" before an escape is still the
		// mangler's padding, not part of the name.
		{"_ZN5crate5_$LT$17h611f8cc5dd6019bfE", "crate::<"},
	})
}

// PATCHES.md 3: an empty identifier in a lowercase namespace (a
// constructor used as a function value, namespace 'c') prints nothing.
func TestRustkoV0EmptyConstructorName(t *testing.T) {
	rustkoCheck(t, []rustkoCase{
		{"_RNcNtNtCs123_5crate4Enum1V0", "crate::Enum::V"},
		{"_RINvCs123_5crate3mapNcNtCs123_5crate4Wrap0E", "crate::map::<crate::Wrap>"},
		// A real symbol of rustup's Rust 1.95 librustc_driver.
		{"_RNcNtNtNtCs8bLOWh93kWr_12rustc_errors8markdown6MdTree6Strong0", "rustc_errors::markdown::MdTree::Strong"},
		// What rustc 1.95 -C opt-level=0 emits for x.map(E::Io) in
		// crate u.
		{"_RNcNtNtCscacWxBxq5j9_1u1E2Io0B5_", "u::E::Io"},
		{"_RINvMNtCsgEmfK2I1SDS_4core6optionINtB3_6OptionhE3mapNtCscacWxBxq5j9_1u1ENcNtBO_2Io0EBQ_",
			"<core::option::Option<u8>>::map::<u::E, u::E::Io>"},
		{"_RNvYNcNtNtCscacWxBxq5j9_1u1E2Io0INtNtNtCsgEmfK2I1SDS_4core3ops8function6FnOnceThEE9call_onceB8_",
			"<u::E::Io as core::ops::function::FnOnce<(u8,)>>::call_once"},
	})
}

// PATCHES.md 4: a constant of more than 16 hex digits (i128, u128) is
// printed as 0x and its digits, rustc-demangle's rule, instead of failing
// as "invalid leading 0" once the 64-bit accumulator wrapped to 0. Not
// checked with c++filt: binutils 2.40 misprints these values, dropping the
// first digit ("-0x0000000000000000000000000000000_"). The symbols are what
// rustc 1.95 -C symbol-mangling-version=v0 emits for
// `fn f<const N: i128>()` in crate t with i128::MIN and i128::MAX.
func TestRustkoV0WideConst(t *testing.T) {
	for _, c := range []rustkoCase{
		{"_RINvCsciGn5CcqV8B_1t1fKnn80000000000000000000000000000000_EB2_", "t::f::<-0x80000000000000000000000000000000>"},
		{"_RINvCsciGn5CcqV8B_1t1fKn7fffffffffffffffffffffffffffffff_EB2_", "t::f::<0x7fffffffffffffffffffffffffffffff>"},
		// 16 digits still fit and print in decimal.
		{"_RINvCs123_5crate1fKj8000000000000000_EB2_", "crate::f::<9223372036854775808>"},
	} {
		if got, err := ToString(c.sym); err != nil || got != c.want {
			t.Errorf("ToString(%s) = %q, %v; want %q", c.sym, got, err, c.want)
		}
	}
}

// PATCHES.md 5: an identifier without its decimal length is an error, not
// an empty name. Each input is a valid symbol with one byte changed or
// removed, which stock printed as a different, plausible name.
func TestRustkoV0MissingLength(t *testing.T) {
	rustkoCheck(t, []rustkoCase{
		// A closure whose empty name lost its "0". Stock: crate::foo::{closure#0}.
		{"_RNCNvCs123_5crate3fooB2_", "_RNCNvCs123_5crate3fooB2_"},
		// Stock: "crate::".
		{"_RNvCs123_5crateNvB2_3foo", "_RNvCs123_5crateNvB2_3foo"},
		// __rust_dealloc with a 'C' inserted. Stock: "__rustc::".
		{"_RNvCsfLfy6EI15ip_7___rustcC14___rust_dealloc", "_RNvCsfLfy6EI15ip_7___rustcC14___rust_dealloc"},
	})
}
