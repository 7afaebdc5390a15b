//! The Rust side of crash: rust_main(1) writes through a null pointer.
#![no_std]

#[allow(dead_code)]
mod bindings;

use core::panic::PanicInfo;

static HELLO: &[u8] = b"\x016crash from rust\n\0";

#[no_mangle]
pub extern "C" fn rust_main(how: i32) {
    // SAFETY: a NUL-terminated format without conversion specifiers.
    unsafe {
        bindings::_printk(HELLO.as_ptr().cast());
    }
    if how == 1 {
        let p = 16 as *mut u32;
        // SAFETY: none: this is the bug the test wants the kernel to catch.
        unsafe { core::ptr::write_volatile(p, 1) }; // RUST-NULL-WRITE
    }
}

#[no_mangle]
pub extern "C" fn rust_exit() {}

#[panic_handler]
fn on_panic(_info: &PanicInfo) -> ! {
    // SAFETY: a NUL-terminated format without conversion specifiers.
    unsafe {
        bindings::panic(b"crash: Rust panic\n\0".as_ptr().cast());
    }
    loop {}
}
