//! The rustko crate's test module: formatting, Vec, String, Box, the
//! allocator's alignment, zeroing, growth and failure paths, long lines.
//! The tests (build/runtime_test.go, e2e/runtime_test.go) look for the
//! lines it prints.
#![no_std]

extern crate alloc;

use alloc::alloc::{alloc, dealloc, realloc, Layout};
use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

#[allow(dead_code)]
mod bindings;

#[no_mangle]
pub extern "C" fn rust_main() {
    let v: Vec<u32> = vec![1, 2, 3];
    let s: String = format!("{}-{}", "ab", 7);
    let b: Box<u64> = Box::new(42);
    rustko::pr_info!("x={} v={:?} s={}", 42, v, s);
    rustko::pr_info!("box={} text={:>5}|", b, "r");

    // Alignments above kmalloc's, through alloc and a growing realloc.
    let layout = Layout::from_size_align(100, 4096).unwrap();
    // SAFETY: a non-zero size; the pointers are checked before use and
    // freed with the layout they were last given.
    unsafe {
        let p = alloc(layout);
        let q = if p.is_null() { p } else { realloc(p, layout, 5000) };
        rustko::pr_info!("align4096 alloc={} realloc={}", !p.is_null() && p as usize % 4096 == 0, !q.is_null() && q as usize % 4096 == 0);
        if !q.is_null() {
            dealloc(q, Layout::from_size_align(5000, 4096).unwrap());
        }
    }

    // vec![0; n] takes alloc_zeroed; pushes grow through krealloc.
    let zeros = vec![0u8; 3000];
    let mut grown: Vec<u16> = Vec::new();
    for i in 0..20000u32 {
        grown.push(i as u16);
    }
    let sum: u32 = grown.iter().map(|&x| x as u32).sum();
    rustko::pr_info!("zeroed={} grown={} sum={}", zeros.iter().all(|&z| z == 0), grown.len(), sum);

    // More than kmalloc can give fails without a warning and reports ENOMEM.
    let mut huge: Vec<u8> = Vec::new();
    let r: rustko::Result = huge.try_reserve(1 << 40).map_err(rustko::Error::from);
    rustko::pr_info!("try_reserve={:?} {}", r, rustko::Error::ENOMEM);

    // A line longer than one record is split, never cut: it ends in "END".
    let mut long = String::new();
    while long.len() < 1200 {
        long.push_str("0123456789");
    }
    rustko::pr_info!("long={}END", long);
    rustko::println!("println {}", "works");
    rustko::print!("print without newline\n");
}

#[no_mangle]
pub extern "C" fn rust_exit() {}
