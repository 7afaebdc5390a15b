// hello: a rust.ko module
#![no_std]

extern "C" {
	fn printk(fmt: *const u8, ...) -> i32;
}

#[no_mangle]
pub fn rust_main() {
	let größe = unsafe { kmalloc(64, 0x90) };
	let x: f64 = 1.5;
	unsafe { printk(msg.as_ptr()) };
}
