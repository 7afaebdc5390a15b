#![no_std]

mod bindings;

// kmalloc is static inline in C; KERNEL_HELPERS makes rustko generate an
// exported C wrapper for it, which kbuild links into the module.
#[no_mangle]
pub extern "C" fn rust_main() {
    unsafe {
        let p = bindings::kmalloc(64, bindings::GFP_KERNEL);
        bindings::kfree(p);
    }
}

#[no_mangle]
pub extern "C" fn rust_exit() {}

#[panic_handler]
fn panic(_info: &core::panic::PanicInfo) -> ! {
    loop {}
}
