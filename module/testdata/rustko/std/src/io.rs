use core::fmt;

use crate::os::kernel;
use crate::os::raw;

/// Writes formatted text to the kernel log, one allocation per piece.
pub struct KernelDebugWriter {}

impl fmt::Write for KernelDebugWriter {
    fn write_str(&mut self, message: &str) -> fmt::Result {
        unsafe {
            let ptr = kernel::__kmalloc(message.len() + 1, 0x90) as *mut raw::c_char; // 0x90: GFP_KERNEL on 4.x
            if ptr.is_null() {
                return Err(fmt::Error);
            }
            core::ptr::copy(message.as_ptr(), ptr as *mut u8, message.len());
            core::ptr::write(ptr.add(message.len()), 0);
            kernel::_printk(b"%s\0".as_ptr() as *const raw::c_char, ptr);
            kernel::kfree(ptr as *const raw::c_void);
        }
        Ok(())
    }
}
