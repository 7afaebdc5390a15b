//! The panic handler: the message and where it happened at KERN_ERR, then
//! the kernel's way of stopping (the kernel has no unwinder: panics abort).

use core::fmt::Write;
use core::panic::PanicInfo;
use core::ptr;
use core::sync::atomic::{AtomicPtr, Ordering};

use crate::print::{Level, Writer};

extern "C" {
    fn rustko_rt_prefix() -> *const u8;
    fn rustko_rt_current() -> *const u8;
    fn rustko_rt_bug() -> !;
    #[cfg(feature = "panic-halts")]
    fn rustko_rt_panic() -> !;
}

/// The task printing a panic message: a panic raised while formatting the
/// message (a Display impl that panics) must not recurse. Another task's
/// panic still prints, even though BUG() leaves this set.
static PRINTING: AtomicPtr<u8> = AtomicPtr::new(ptr::null_mut());

#[panic_handler]
fn on_panic(info: &PanicInfo<'_>) -> ! {
    // SAFETY: rustko_rt_current only reads `current`.
    let task = unsafe { rustko_rt_current() } as *mut u8;
    if PRINTING.swap(task, Ordering::Relaxed) != task {
        // SAFETY: rustko_rt_prefix returns a static NUL-terminated string.
        let mut w = Writer::new(Level::Err, unsafe { rustko_rt_prefix() });
        let _ = w.write_str("panicked at ");
        match info.location() {
            Some(l) => {
                let _ = write!(w, "{}:{}: ", l.file(), l.line());
            }
            None => {
                let _ = w.write_str("an unknown location: ");
            }
        }
        write_message(&mut w, info);
        w.finish(true);
    }
    stop()
}

#[cfg(rustko_panic_message_option)]
fn write_message(w: &mut Writer, info: &PanicInfo<'_>) {
    match info.message() {
        Some(m) => {
            let _ = w.write_fmt(*m);
        }
        None => {
            let _ = w.write_str("(no message)");
        }
    }
}

#[cfg(not(rustko_panic_message_option))]
fn write_message(w: &mut Writer, info: &PanicInfo<'_>) {
    let _ = write!(w, "{}", info.message());
}

#[cfg(not(feature = "panic-halts"))]
fn stop() -> ! {
    // SAFETY: BUG() oopses and kills the current task; it does not return.
    unsafe { rustko_rt_bug() }
}

#[cfg(feature = "panic-halts")]
fn stop() -> ! {
    // SAFETY: panic() stops the machine; it does not return.
    unsafe { rustko_rt_panic() }
}
