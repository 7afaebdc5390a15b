#![no_std]
#[allow(dead_code)]
mod bindings;

fn fops() -> bindings::file_operations {
    bindings::file_operations { read: None, ..unsafe { core::mem::zeroed() } }
}

#[no_mangle]
pub extern "C" fn rust_main() {
    let flags = bindings::GFP_KERNEL;
    let _ = (flags, fops());
    unsafe {
        bindings::_printk(b"\x016hello: hello from rust\n\0".as_ptr() as *const _);
    }
}

#[no_mangle]
pub extern "C" fn rust_exit() {}

#[panic_handler]
fn panic(_info: &core::panic::PanicInfo) -> ! {
    loop {}
}
