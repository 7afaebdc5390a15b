// Package rustsrc owns rustko's analysis of a module's Rust source: a
// tree-sitter parse (error-tolerant, so half-typed code still gets answers),
// the one resolver that says which C item an identifier refers to — through
// the bindings module's paths, `use` imports, globs and hand-written
// `extern "C"` blocks — and the kernel-aware findings built on it: static
// inline functions and macros used as functions, symbols the kernel does not
// export or exports GPL-only, names no configured header declares, extern
// declarations that disagree with the C prototype, floating point, non-literal
// printk formats, #[no_mangle] functions the C shim calls without
// extern "C", hard-coded flag numbers, and the target JSON.
//
// Hover and definition in the server use the same resolver (File.Resolve),
// so what a finding says and what hover shows cannot disagree.
package rustsrc
