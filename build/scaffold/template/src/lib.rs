//! The Rust side of {{.Name}}. The C shim (src/{{.Name}}.c) registers the
//! module and calls rust_main when it loads and rust_exit when it unloads.
//! The rustko crate (rustko/, a path dependency in Cargo.toml) gives the
//! print macros, the panic handler and the kmalloc allocator:
//! `extern crate alloc;` brings Box, Vec, String and format!.
#![no_std]

// Generated from KERNEL_INCLUDE by `rustko-lsp build` (or `rustko-lsp bindgen`):
// the kernel's functions, types and constants, as `bindings::NAME`.
#[allow(dead_code)]
mod bindings;

#[no_mangle]
pub extern "C" fn rust_main() {
    rustko::pr_info!("hello from rust");
}

#[no_mangle]
pub extern "C" fn rust_exit() {}
