//! The runtime of a Linux kernel module written in Rust the rust.ko way.
//!
//! - Printing: [`pr_emerg!`] … [`pr_debug!`] at the kernel's log levels, and
//!   [`println!`]/[`print!`] (KERN_INFO) for code written for rust.ko's
//!   `linux-std`. They take Rust's format syntax:
//!   `rustko::pr_info!("x={} v={:?}", x, v)`.
//! - A `#[panic_handler]` (feature `panic-handler`, on by default) that prints
//!   `<module>: panicked at <file>:<line>: <message>` at KERN_ERR, then BUG()s
//!   (feature `panic-halts`: panic() instead).
//! - A `#[global_allocator]` on kmalloc/krealloc/kfree with GFP_KERNEL
//!   (feature `global-allocator`, on by default): `extern crate alloc;` then
//!   gives `Box`, `Vec`, `String` and `format!`.
//! - [`Error`] and [`Result`]: errno values for init code.
//!
//! The crate declares the few kernel functions it calls itself and takes
//! what differs between kernels from `c/rustko_rt.c`, which `rustko-lsp
//! build` compiles into the module with the kernel's headers; it needs no
//! generated bindings.
#![no_std]
#![cfg_attr(rustko_alloc_error_handler, feature(alloc_error_handler))]
#![cfg_attr(rustko_panic_message_option, feature(panic_info_message))]

extern crate alloc;

mod error;
mod kalloc;
#[cfg(feature = "panic-handler")]
mod panic;
#[doc(hidden)]
pub mod print;

pub use error::{to_result, Error, Result};
pub use kalloc::KernelAllocator;
pub use print::Level;

/// Prints at KERN_EMERG; a newline ends the message unless it has one.
#[macro_export]
macro_rules! pr_emerg {
    ($($arg:tt)*) => { $crate::print::line($crate::Level::Emerg, format_args!($($arg)*)) };
}

/// Prints at KERN_ALERT; a newline ends the message unless it has one.
#[macro_export]
macro_rules! pr_alert {
    ($($arg:tt)*) => { $crate::print::line($crate::Level::Alert, format_args!($($arg)*)) };
}

/// Prints at KERN_CRIT; a newline ends the message unless it has one.
#[macro_export]
macro_rules! pr_crit {
    ($($arg:tt)*) => { $crate::print::line($crate::Level::Crit, format_args!($($arg)*)) };
}

/// Prints at KERN_ERR; a newline ends the message unless it has one.
#[macro_export]
macro_rules! pr_err {
    ($($arg:tt)*) => { $crate::print::line($crate::Level::Err, format_args!($($arg)*)) };
}

/// Prints at KERN_WARNING; a newline ends the message unless it has one.
#[macro_export]
macro_rules! pr_warn {
    ($($arg:tt)*) => { $crate::print::line($crate::Level::Warning, format_args!($($arg)*)) };
}

/// Prints at KERN_NOTICE; a newline ends the message unless it has one.
#[macro_export]
macro_rules! pr_notice {
    ($($arg:tt)*) => { $crate::print::line($crate::Level::Notice, format_args!($($arg)*)) };
}

/// Prints at KERN_INFO; a newline ends the message unless it has one.
#[macro_export]
macro_rules! pr_info {
    ($($arg:tt)*) => { $crate::print::line($crate::Level::Info, format_args!($($arg)*)) };
}

/// Prints at KERN_DEBUG; a newline ends the message unless it has one. The
/// kernel's console shows it only when the console log level allows.
#[macro_export]
macro_rules! pr_debug {
    ($($arg:tt)*) => { $crate::print::line($crate::Level::Debug, format_args!($($arg)*)) };
}

/// As [`pr_info!`]: rust.ko's `println!`. `println!()` prints an empty line.
#[macro_export]
macro_rules! println {
    () => { $crate::print::line($crate::Level::Info, format_args!("")) };
    ($($arg:tt)*) => { $crate::print::line($crate::Level::Info, format_args!($($arg)*)) };
}

/// Prints at KERN_INFO without adding a newline. The kernel still shows
/// each call as a record of its own: to build one line from pieces, format
/// them into one `println!`.
#[macro_export]
macro_rules! print {
    ($($arg:tt)*) => { $crate::print::text($crate::Level::Info, format_args!($($arg)*)) };
}
