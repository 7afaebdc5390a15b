package objcheck

import (
	"bufio"
	"bytes"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

func TestDemangle(t *testing.T) {
	tests := []struct{ in, want string }{
		{"_RNvNtCsgEmfK2I1SDS_4core9panicking18panic_bounds_check", "core::panicking::panic_bounds_check"},
		{"_RNvNtNtCsgEmfK2I1SDS_4core5slice5index16slice_index_fail", "core::slice::index::slice_index_fail"},
		{"_RNvNtCsgEmfK2I1SDS_4core9panicking18panic_bounds_check.llvm.1234", "core::panicking::panic_bounds_check"},
		{"_ZN4core9panicking18panic_bounds_check17h0123456789abcdefE", "core::panicking::panic_bounds_check"},
		{"_ZN4core9panicking18panic_bounds_check17h0123456789abcdefE.llvm.42", "core::panicking::panic_bounds_check"},
		{"_ZN71_$LT$core..ops..range..Range$LT$Idx$GT$$u20$as$u20$core..fmt..Debug$GT$3fmt17h0123456789abcdefE",
			"<core::ops::range::Range<Idx> as core::fmt::Debug>::fmt"},
		// Hostile: a base-62 count of billions of bound lifetimes (a
		// fuzz find that hung CI) is refused and the name shown as is.
		{"_RYFG0aRL00_", "_RYFG0aRL00_"},
		// An empty Punycode crate name (found fuzzing Demangle against
		// c++filt): the library printed "", c++filt leaves it.
		{"_RCu0", "_RCu0"},
		// RFC 2603's examples.
		{"_RNvCs15kBYyAo9fc_7mycrate7example", "mycrate::example"},
		{"_RNvMs_Cs4Cv8Wi1oAIB_7mycrateNtB4_7Example3foo", "<mycrate::Example>::foo"},
		{"_RNvXCs15kBYyAo9fc_7mycrateNtB2_7ExampleNtB2_5Trait3foo", "<mycrate::Example as mycrate::Trait>::foo"},
		{"_RNCNvCsgStHSCytQ6I_7mycrate4main0B3_", "mycrate::main::{closure#0}"},
		{"_RINvCsgStHSCytQ6I_7mycrate7examplelKj1_EB2_", "mycrate::example::<i32, 1>"},
		{"_RNvNvCs4fqI2P2rA04_7mycrate3foo3bar", "mycrate::foo::bar"},
		{"_RNvCs4fqI2P2rA04_7mycrate8uF4_kwdg", "mycrate::uF4_kwdg"}, // not Punycode without the u prefix
		{"_RNvCsgStHSCytQ6I_7mycrateu8gdel_5qa", "mycrate::gödel"},
		// Not Rust, or broken: returned as is.
		{"memset", "memset"},
		{"__adddf3", "__adddf3"},
		{"_R", "_R"},
		{"_RNvC", "_RNvC"},
		{"_RB_", "_RB_"},
		{"_ZN3fooE", "foo"},
		{"_ZN3foo", "_ZN3foo"},
		{"_ZN99fooE", "_ZN99fooE"},
		// Only _R and _ZN are Rust on ELF (c++filt agrees): the
		// Mach-O spelling and C++'s other forms are left alone.
		{"__ZN3foo17h0123456789abcdefE", "__ZN3foo17h0123456789abcdefE"},
		{"_Z3fooi", "_Z3fooi"},
		{"_GLOBAL__sub_I_foo", "_GLOBAL__sub_I_foo"},
		// A hashless _ZN name prints as a path, its suffix dropped.
		{"_ZN3foo3barE.llvm.7", "foo::bar"},
		// third_party/demangle/PATCHES.md 1 and 2, on real std symbols.
		{"_RNvNCNvNtNtCsjrHSEGnQ3l9_3std6thread9lifecycle15spawn_unchecked03MIN",
			"std::thread::lifecycle::spawn_unchecked::{closure#0}::MIN"},
		{"_ZN3std2fs11OpenOptions5_open17h4fc94ffc41092d48E", "std::fs::OpenOptions::_open"},
		// PATCHES.md 3: x.map(E::Io) at opt-level 0 (rustc 1.95).
		{"_RNcNtNtCscacWxBxq5j9_1u1E2Io0B5_", "u::E::Io"},
		// PATCHES.md 4: f::<{i128::MIN}> (c++filt misprints it).
		{"_RINvCsciGn5CcqV8B_1t1fKnn80000000000000000000000000000000_EB2_", "t::f::<-0x80000000000000000000000000000000>"},
		// PATCHES.md 5: corrupt (one byte inserted), not "__rustc".
		{"_RNvCsfLfy6EI15ip_7___rustcC14___rust_dealloc", "_RNvCsfLfy6EI15ip_7___rustcC14___rust_dealloc"},
	}
	for _, tt := range tests {
		if got := Demangle(tt.in); got != tt.want {
			t.Errorf("Demangle(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestDemangleMatchesCxxfilt compares against binutils' c++filt on every
// Rust symbol in the installed toolchains' core and alloc: rustup's (v0
// mangling) and Debian's rustc 1.63 (legacy mangling).
func TestDemangleMatchesCxxfilt(t *testing.T) {
	cxxfilt := needTool(t, "c++filt", "binutils")
	nm := needTool(t, "nm", "binutils")
	var libs []string
	// std's shared library adds deeply generic names (closures in
	// impls, const generics, dyn types) that core's exports lack.
	for _, pat := range []string{
		filepath.Join(rustupSysroot(t), "lib/rustlib/x86_64-unknown-linux-gnu/lib/libcore-*.rlib"),
		filepath.Join(rustupSysroot(t), "lib/rustlib/x86_64-unknown-linux-gnu/lib/libstd-*.so"),
		"/usr/lib/rustlib/x86_64-unknown-linux-gnu/lib/libcore-*.rlib",
		"/usr/lib/rustlib/x86_64-unknown-linux-gnu/lib/libstd-*.so",
	} {
		m, _ := filepath.Glob(pat)
		if len(m) == 0 {
			t.Fatalf("no %s: install the Debian packages rustc and rust-src and rustup's stable toolchain (see the Makefile's deps)", pat)
		}
		libs = append(libs, m...)
	}
	var syms []string
	seen := map[string]bool{}
	for _, lib := range libs {
		args := []string{"--format=just-symbols", lib}
		if strings.HasSuffix(lib, ".so") {
			args = append([]string{"--dynamic"}, args...)
		}
		out, err := exec.Command(nm, args...).Output()
		if err != nil {
			t.Fatalf("nm %s: %v", lib, err)
		}
		sc := bufio.NewScanner(bytes.NewReader(out))
		for sc.Scan() {
			s := sc.Text()
			if (strings.HasPrefix(s, "_R") || strings.HasPrefix(s, "_ZN")) && !seen[s] {
				seen[s] = true
				syms = append(syms, s)
			}
		}
	}
	sort.Strings(syms)
	if len(syms) < 1000 {
		t.Fatalf("found only %d Rust symbols in %v", len(syms), libs)
	}
	cmd := exec.Command(cxxfilt, "-i", "--format=rust")
	cmd.Stdin = strings.NewReader(strings.Join(syms, "\n") + "\n")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("c++filt: %v", err)
	}
	want := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(want) != len(syms) {
		t.Fatalf("c++filt printed %d lines for %d symbols", len(want), len(syms))
	}
	bad, compared := 0, 0
	for i, s := range syms {
		if want[i] == s {
			continue // c++filt could not demangle it either
		}
		compared++
		if got := Demangle(s); got != want[i] {
			bad++
			if bad <= 20 {
				t.Errorf("Demangle(%q)\n got %q\nwant %q", s, got, want[i])
			}
		}
	}
	t.Logf("compared %d of %d symbols with c++filt", compared, len(syms))
	if bad > 0 {
		t.Errorf("%d of %d symbols differ from c++filt", bad, compared)
	}
}

func FuzzDemangle(f *testing.F) {
	for _, s := range []string{
		"_RNvNtCsgEmfK2I1SDS_4core9panicking18panic_bounds_check",
		"_RINvCsgStHSCytQ6I_7mycrate7examplelKj1_EB2_",
		"_RNvXCs15kBYyAo9fc_7mycrateNtB2_7ExampleNtB2_5Trait3foo",
		"_ZN71_$LT$core..ops..range..Range$LT$Idx$GT$$u20$as$u20$core..fmt..Debug$GT$3fmt17h0123456789abcdefE",
		"_RNvCsgStHSCytQ6I_7mycrateu8gdel_5qa",
		"_RYFG0_RL0_hEu",
		"_RCu0",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Demangle(s)
		if out != s && len(out) >= 1<<maxDemangledLog2 {
			t.Fatalf("%d-byte symbol demangled to %d bytes", len(s), len(out))
		}
		if out == "" && s != "" {
			t.Fatalf("%q demangled to nothing", s)
		}
		if !strings.HasPrefix(s, "_R") && !strings.HasPrefix(s, "_ZN") && out != s {
			t.Fatalf("non-Rust %q changed to %q", s, out)
		}
	})
}
