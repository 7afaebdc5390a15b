// Package cwrap owns the C helpers that make static inline kernel functions
// callable from Rust: for the names a module lists in KERNEL_HELPERS it
// writes a C file of wrappers (rustko_helper_<name>, with the original's
// exact prototype, calling the original) that kbuild compiles into the
// module, and the Rust declarations that expose each wrapper under the C
// name (#[link_name]), so Rust calls bindings::kmalloc(...) as if the kernel
// exported it.
//
// It also decides which functions cannot be wrapped and says why, so the
// index, hover and diagnostics can repeat it: variadic functions; functions
// that only compile when an argument is a compile-time constant (a
// BUILD_BUG_ON-style assertion or an inline asm "i" operand that depends on
// a parameter, directly or through the always-inline functions it calls,
// unless a __builtin_constant_p test on that parameter makes the path dead
// in a wrapper); functions that reach a symbol the kernel does not export
// (the module would not link); prototypes C cannot repeat or Rust cannot
// express; and names that are not static inline functions at all.
//
// The analysis reads the function bodies the C front end (cc/v4) parsed with
// kbuild's flags; it never compiles anything. On Debian's 6.1 headers it
// wraps 2,925 of the 2,994 functions the 6-header set defines, and gcc
// compiles every one with kbuild's flags and -Werror (TestWideSample); the
// figures and rules are in README.md next to this file.
package cwrap
