#![feature(custom_attribute, lang_items, raw)]
#![no_std]

#[macro_use]
extern crate linux_std as std;

// Lang items the compiler asks of a no_std crate.
mod lang;

#[no_mangle]
pub fn rust_main() {
    println!("Hello from Rust!++");
}
