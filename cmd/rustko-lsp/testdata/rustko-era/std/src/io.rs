use core::fmt;

use os::kernel;
use os::raw;

/// Writes to the kernel log, one allocation per piece.
pub struct KernelDebugWriter {}

impl fmt::Write for KernelDebugWriter {
    fn write_str(&mut self, message: &str) -> fmt::Result {
        unsafe {
            let ptr = kernel::__kmalloc(message.len() + 1, 0x90) as *mut raw::c_char;
            if ptr.is_null() {
                return Err(fmt::Error);
            }
            core::ptr::copy(message.as_ptr(), ptr as *mut u8, message.len());
            *ptr.offset(message.len() as isize) = 0;
            kernel::printk(b"%s\0".as_ptr() as *const raw::c_char, ptr);
            kernel::kfree(ptr as *const raw::c_void);
        }
        Ok(())
    }
}
