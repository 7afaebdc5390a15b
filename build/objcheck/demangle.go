package objcheck

import (
	"strings"

	"github.com/ianlancetaylor/demangle"
)

// maxDemangledLog2 caps a demangled name at 64 KiB: twelve bytes of v0 can
// ask for billions of bound lifetimes, and backreferences to backreferences
// double the output at each level. No real symbol comes near it.
const maxDemangledLog2 = 16

// Demangle turns a Rust symbol, legacy (_ZN...E) or v0 (_R...), into the
// path a person reads, without crate disambiguators and hashes, exactly as
// `c++filt -i --format=rust` prints it:
//
//	_RNvNtCsgEmfK2I1SDS_4core9panicking18panic_bounds_check -> core::panicking::panic_bounds_check
//
// Anything that is not a well-formed Rust symbol (C names such as memset,
// truncated or hostile input) comes back unchanged, as does a name that
// would demangle to 64 KiB or more. Compiler suffixes such as ".llvm.1234"
// are dropped.
//
// The work is github.com/ianlancetaylor/demangle's, patched in
// third_party/demangle (PATCHES.md) where it differed from c++filt.
func Demangle(sym string) string {
	// Only Rust's two prefixes go in: the library also demangles C++
	// and "_GLOBAL_" names, which a C symbol of the kernel is not.
	if !strings.HasPrefix(sym, "_R") && !strings.HasPrefix(sym, "_ZN") {
		return sym
	}
	// A _ZN name without legacy Rust's hash is read by the C++ grammar;
	// NoParams prints only its path, without a parameter list or what
	// follows (".llvm.N"), as for the Rust names.
	out, err := demangle.ToString(sym, demangle.NoParams, demangle.MaxLength(maxDemangledLog2))
	// The library decodes an empty Punycode identifier ("_RCu0") to an
	// empty name, which c++filt refuses: a symbol never names nothing.
	if err != nil || out == "" || len(out) >= 1<<maxDemangledLog2 {
		return sym
	}
	return out
}
