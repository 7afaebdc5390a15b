// Package rustsrc owns rustko's analysis of a module's Rust source: a
// tree-sitter parse (error-tolerant, so half-typed code still gets answers),
// the one resolver that says which C item an identifier refers to — through
// the bindings module's paths, `use` imports, globs and hand-written
// `extern "C"` blocks — and the kernel-aware findings built on it: static
// inline functions and macros used as functions, symbols the kernel does not
// export or exports GPL-only, names no configured header declares, extern
// declarations that disagree with the C prototype, floating point, non-literal
// printk formats, #[no_mangle] functions the C shim calls without
// extern "C", hard-coded flag numbers. What is about the module as a whole
// (its licence, the target JSON, rust.ko-era leftovers) is the composition
// root's (workspace).
//
// Hover and Definition answer for the identifier under a cursor with the
// same resolver, so what a finding says and what hover shows cannot
// disagree; they return protocol-free content (text, byte offsets, header
// positions) that the server turns into LSP.
package rustsrc
