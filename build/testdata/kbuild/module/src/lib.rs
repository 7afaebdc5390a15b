#![no_std]

// kmalloc is a static inline function in C: the kernel exports __kmalloc
// and kmalloc_trace, never kmalloc itself.
extern "C" {
    fn kmalloc(size: usize, flags: u32) -> *mut u8;
    fn kfree(p: *const u8);
}

#[no_mangle]
pub extern "C" fn rust_main() {
    unsafe {
        let p = kmalloc(64, 0xcc0);
        kfree(p);
    }
}

#[no_mangle]
pub extern "C" fn rust_exit() {}

#[panic_handler]
fn panic(_info: &core::panic::PanicInfo) -> ! {
    loop {}
}

#[no_mangle]
pub extern "C" fn uses_gpl() {
    unsafe { ktime_get() }
}

extern "C" {
    fn ktime_get();
}
