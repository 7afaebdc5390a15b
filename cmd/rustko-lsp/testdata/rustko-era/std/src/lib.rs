#![feature(raw)]
#![no_std]

#[macro_use]
pub mod macros;

pub mod io;
pub mod os;

pub use core::raw;
