//! Calls static inline kernel functions through rustko's generated helpers.
#![no_std]

mod bindings;

/// Allocates, writes and frees; takes and releases the caller's lock; asks
/// for the current task; copies to a kernel address, which copy_to_user
/// refuses (it returns the bytes left, 1). Returns the byte read back (42).
#[no_mangle]
pub extern "C" fn rust_helpers_selftest(lock: *mut bindings::spinlock_t, left: *mut i64) -> i32 {
    // SAFETY: lock is the shim's initialised spinlock and left a valid
    // pointer; the allocation is used only between kmalloc and kfree.
    unsafe {
        let p = bindings::kmalloc(64, bindings::GFP_KERNEL) as *mut u8;
        if p.is_null() {
            return -12;
        }
        core::ptr::write_volatile(p, 42);
        let v = core::ptr::read_volatile(p);
        bindings::kfree(p as *const bindings::c_void);
        bindings::spin_lock(lock);
        bindings::spin_unlock(lock);
        let task = bindings::get_current();
        let mut buf = [0u8; 8];
        *left = bindings::copy_to_user(
            buf.as_mut_ptr() as *mut bindings::c_void,
            &v as *const u8 as *const bindings::c_void,
            1,
        ) as i64;
        if task.is_null() {
            return -1;
        }
        v as i32
    }
}

#[panic_handler]
fn on_panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}
