//! The Rust side of unknownsym: nothing the kernel could object to.
#![no_std]

#[allow(dead_code)]
mod bindings;

use core::panic::PanicInfo;

static HELLO: &[u8] = b"\x016unknownsym from rust\n\0";

#[no_mangle]
pub extern "C" fn rust_main() {
    // SAFETY: a NUL-terminated format without conversion specifiers.
    unsafe {
        bindings::_printk(HELLO.as_ptr().cast());
    }
}

#[panic_handler]
fn on_panic(_info: &PanicInfo) -> ! {
    loop {}
}
