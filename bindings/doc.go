// Package bindings turns Linux kernel headers into the Rust module a rust.ko
// style module compiles against, and into the index hover and diagnostics
// read.
//
// The pipeline follows rust-bindgen's split. The C front end is cc/v4
// (patched, third_party/) configured from kbuild's captured flags: the same
// include search, the three forced includes as the first sources in kbuild's
// order, the compiler's predefined macros under the kbuild target flags, and
// gcc's layout rules (frontend.go). Lowering turns the checked AST into an IR
// of records with their exact C layout, enums, typedefs, functions and
// variables (lower*.go, ir.go); object-like macros are expanded from the
// front end's final macro table (bindings/cmacro) and evaluated as C
// evaluates them (cexpr.go, macros.go). Selection keeps what the configured
// headers declare, every type that reaches, and every macro with a value
// (select.go). The Rust writer (rustgen.go, layouttests.go) and the index
// (indexgen.go, indexio.go) are written from the same IR; the cache
// (cache.go) skips all of it when no input changed.
//
// The generated file is a module file, used as `mod bindings;`: it starts with
// inner #![allow(...)] attributes, which a module file may carry (only the
// crate root may carry crate attributes such as #![no_std]) and which an
// include!() would reject. It needs neither std nor core::ffi: C's types are
// defined in it for the target's data model, so the same file builds with
// Debian's rustc 1.63 and with current stable, for the kernel target and the
// host alike. Crates on edition 2024 cannot use it, because that edition
// requires `unsafe extern` blocks, which rustc 1.63 does not parse.
//
// Layout: every record is #[repr(C)] with its members at the C offsets, made
// explicit with padding members, plus repr(packed(N)) or repr(align(N))
// where C packs or over-aligns. Where Rust cannot express the C layout
// (packed together with aligned, a repr(align) type inside a packed one) the
// record is an opaque blob of the right size and alignment, and the index
// says why. Bit-fields live in byte arrays with typed getters and setters.
// A flexible array member is a zero-length array. A record the front end laid
// out impossibly (negative size, unknown-length array inside) stops the
// generation if the output needs it, rather than producing wrong Rust.
//
// Names: C names are kept (struct file is file); see names.go for how
// keywords, anonymous members and types, and clashes are named.
package bindings
