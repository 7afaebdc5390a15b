// A libstd stand-in the way rust.ko's std/ crate is laid out: io and os
// modules, the kernel's functions under os::kernel.
#![no_std]

#[macro_use]
pub mod macros;

pub mod io;
pub mod os;
