#![no_std]

extern "C" {
    fn _printk(fmt: *const u8, ...) -> i32;
}

#[no_mangle]
pub extern "C" fn rust_main() {
    unsafe {
        _printk(b"\x016fixture: hello from rust\n\0".as_ptr());
    }
}

#[no_mangle]
pub extern "C" fn rust_exit() {}

#[panic_handler]
fn panic(_info: &core::panic::PanicInfo) -> ! {
    loop {}
}
