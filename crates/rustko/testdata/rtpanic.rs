//! A module whose init panics: the panic handler prints the message and
//! its file:line at KERN_ERR, then BUG()s.
#![no_std]

extern crate alloc;

use alloc::vec::Vec;

#[allow(dead_code)]
mod bindings;

#[no_mangle]
pub extern "C" fn rust_main() {
    let v: Vec<u32> = Vec::new();
    rustko::pr_info!("about to panic");
    if v.is_empty() {
        panic!("boom {} of {:?}", 7, v);
    }
}

#[no_mangle]
pub extern "C" fn rust_exit() {}
