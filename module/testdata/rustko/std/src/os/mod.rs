pub mod raw;

// The bindings generated from KERNEL_INCLUDE.
pub mod kernel {
    pub use crate::os::raw::*;
    extern "C" {
        pub fn __kmalloc(size: usize, flags: u32) -> *mut c_void;
        pub fn kfree(ptr: *const c_void);
        pub fn _printk(fmt: *const c_char, ...) -> i32;
    }
}

#[cfg(feature = "float")]
pub mod float;
