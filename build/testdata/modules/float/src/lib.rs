#![no_std]

static SCALE: f64 = 1.5;

extern "C" {
    fn _printk(fmt: *const u8, ...) -> i32;
}

#[no_mangle]
pub extern "C" fn rust_main() {
    let jiffies = unsafe { core::ptr::read_volatile(&SCALE) };
    let scaled = jiffies * 2.5;
    unsafe {
        _printk(b"\x016fixture: %d\n\0".as_ptr(), scaled as i32);
    }
}

#[no_mangle]
pub extern "C" fn rust_exit() {}

#[panic_handler]
fn panic(_info: &core::panic::PanicInfo) -> ! {
    loop {}
}
