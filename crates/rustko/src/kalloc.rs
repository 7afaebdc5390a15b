//! The global allocator: kmalloc, krealloc and kfree with GFP_KERNEL,
//! through c/rustko_rt.c (kmalloc and krealloc are static inlines or macros
//! over symbols that changed names between kernels, and GFP_KERNEL's value
//! changes with them).

use core::alloc::{GlobalAlloc, Layout};

extern "C" {
    fn rustko_rt_alloc(size: usize, align: usize, zero: bool) -> *mut u8;
    fn rustko_rt_realloc(p: *mut u8, new_size: usize, align: usize) -> *mut u8;
    fn rustko_rt_free(p: *mut u8);
}

/// Allocates with kmalloc(GFP_KERNEL): it may sleep, so allocating in
/// atomic context (under a spinlock, in an interrupt handler) is a bug, as
/// it is in C. Alignments above ARCH_KMALLOC_MINALIGN are met by rounding
/// the size up to a power of two, which kmalloc aligns to its size. A
/// failed allocation returns null, which `alloc` turns into a panic
/// (`Vec::try_reserve` and friends report it instead).
pub struct KernelAllocator;

unsafe impl GlobalAlloc for KernelAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        rustko_rt_alloc(layout.size(), layout.align(), false)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        rustko_rt_alloc(layout.size(), layout.align(), true)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        rustko_rt_free(ptr)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        rustko_rt_realloc(ptr, new_size, layout.align())
    }
}

#[cfg(feature = "global-allocator")]
#[global_allocator]
static ALLOCATOR: KernelAllocator = KernelAllocator;

/// Before rustc 1.68 a no_std program that links alloc names the function
/// a failed allocation ends in; later compilers panic with the same words.
#[cfg(all(rustko_alloc_error_handler, feature = "global-allocator"))]
#[alloc_error_handler]
fn alloc_failed(layout: Layout) -> ! {
    panic!("memory allocation of {} bytes failed", layout.size())
}
