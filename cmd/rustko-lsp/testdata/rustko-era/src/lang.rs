use core::panic::PanicInfo;

#[lang = "eh_personality"]
extern fn eh_personality() {}

#[lang = "eh_unwind_resume"]
extern fn eh_unwind_resume() {}

#[lang = "panic_impl"]
extern fn panic_impl(info: &PanicInfo) -> ! {
    if let Some(message) = info.message() {
        println!("panic: {}", *message);
    }
    loop {}
}
