// Package objcheck owns what rustko does to and checks in the Rust object
// before kbuild links it into a module: the GOT relaxation a host-mode object
// needs before the kernel's module loader accepts it (RelaxGOT), and the
// checks that predict what would otherwise fail silently at run time or
// cryptically at modpost (Check): FP/SIMD instructions, GOT and other
// relocations the loader rejects, red-zone use, and undefined symbols the
// kernel does not export. Findings point at Rust source lines through the
// object's DWARF line tables.
//
// It reads x86_64 ELF relocatable objects only: that is what rustc emits for
// every target rust.ko supports.
package objcheck
