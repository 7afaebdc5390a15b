/// println! through io::KernelDebugWriter.
#[macro_export]
macro_rules! println {
    ($($arg:tt)*) => {{
        use core::fmt::Write;
        let _ = write!($crate::io::KernelDebugWriter {}, $($arg)*);
    }};
}
