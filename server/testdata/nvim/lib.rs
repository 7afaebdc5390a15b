//! The Neovim end-to-end test's src/lib.rs for its copy of examples/hello:
//! a direct _printk call through the bindings (which the test hovers and
//! types a static inline call next to) instead of rustko::pr_info!.
#![no_std]

// The rustko crate's panic handler and allocator.
use rustko as _;

// Generated from KERNEL_INCLUDE by `rustko-lsp build` (or `rustko-lsp bindgen`).
mod bindings;

/// printk reads the log level from the start of its format, so the format
/// is KERN_INFO's text followed by the message, joined at compile time.
/// A fixed format also means no `%` in a message can be misread.
static HELLO: [u8; LEVEL.len() - 1 + MESSAGE.len()] = join(LEVEL, MESSAGE);
const LEVEL: &[u8] = bindings::KERN_INFO;
const MESSAGE: &[u8] = b"hello from rust\n\0";

#[no_mangle]
pub extern "C" fn rust_main() {
    // SAFETY: HELLO is NUL-terminated and has no conversion specifiers.
    unsafe {
        bindings::_printk(HELLO.as_ptr().cast());
    }
}

#[no_mangle]
pub extern "C" fn rust_exit() {}

/// `a` without its terminating NUL, then `b`.
const fn join<const N: usize>(a: &[u8], b: &[u8]) -> [u8; N] {
    let mut out = [0; N];
    let mut i = 0;
    while i + 1 < a.len() {
        out[i] = a[i];
        i += 1;
    }
    let mut j = 0;
    while j < b.len() {
        out[i + j] = b[j];
        j += 1;
    }
    out
}
