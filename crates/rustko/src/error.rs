//! Kernel error numbers, for init code that returns them to C.

use alloc::collections::TryReserveError;
use core::fmt;

/// A kernel error: an errno value (ENOMEM is `Error::ENOMEM`). C functions
/// return its negation, `-ENOMEM`; [`Error::to_errno`] gives that.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Error(i32);

/// The result of fallible kernel work.
pub type Result<T = ()> = core::result::Result<T, Error>;

macro_rules! errnos {
    ($($name:ident = $value:expr, $text:expr;)*) => {
        impl Error {
            $(
                #[doc = $text]
                pub const $name: Error = Error($value);
            )*

            /// The errno's name, for the ones listed here.
            pub fn name(self) -> Option<&'static str> {
                match self.0 {
                    $($value => Some(stringify!($name)),)*
                    _ => None,
                }
            }
        }
    };
}

// The values of include/uapi/asm-generic/errno-base.h and errno.h, the
// system-call ABI on every architecture rustko builds for.
errnos! {
    EPERM = 1, "Operation not permitted";
    ENOENT = 2, "No such file or directory";
    EINTR = 4, "Interrupted system call";
    EIO = 5, "I/O error";
    ENXIO = 6, "No such device or address";
    E2BIG = 7, "Argument list too long";
    EBADF = 9, "Bad file number";
    EAGAIN = 11, "Try again";
    ENOMEM = 12, "Out of memory";
    EACCES = 13, "Permission denied";
    EFAULT = 14, "Bad address";
    EBUSY = 16, "Device or resource busy";
    EEXIST = 17, "File exists";
    ENODEV = 19, "No such device";
    EINVAL = 22, "Invalid argument";
    ENOTTY = 25, "Not a typewriter";
    ENOSPC = 28, "No space left on device";
    ERANGE = 34, "Math result not representable";
    ENOSYS = 38, "Invalid system call number";
    EOVERFLOW = 75, "Value too large for defined data type";
    EOPNOTSUPP = 95, "Operation not supported on transport endpoint";
    ETIMEDOUT = 110, "Connection timed out";
}

impl Error {
    /// The error a C function's negative return value names (`-ENOMEM` or
    /// `ENOMEM`), or None for 0 and values beyond MAX_ERRNO (4095).
    pub fn from_errno(errno: i32) -> Option<Error> {
        let e = errno.checked_abs()?;
        if e == 0 || e > 4095 {
            return None;
        }
        Some(Error(e))
    }

    /// The positive errno value.
    pub fn errno(self) -> i32 {
        self.0
    }

    /// What a C function returns for this error: the negated errno.
    pub fn to_errno(self) -> i32 {
        -self.0
    }

    /// The value for a C init function: 0 for Ok, the negated errno
    /// otherwise (`return rustko::Error::init_result(init());`).
    pub fn init_result(r: Result) -> i32 {
        match r {
            Ok(()) => 0,
            Err(e) => e.to_errno(),
        }
    }
}

/// Ok for 0 and positive values (counts, handles), the error for a
/// negative errno, as kernel functions return them.
pub fn to_result(ret: i32) -> Result<i32> {
    if ret >= 0 {
        return Ok(ret);
    }
    Err(Error::from_errno(ret).unwrap_or(Error::EINVAL))
}

impl From<TryReserveError> for Error {
    fn from(_: TryReserveError) -> Error {
        Error::ENOMEM
    }
}

impl From<core::alloc::LayoutError> for Error {
    fn from(_: core::alloc::LayoutError) -> Error {
        Error::ENOMEM
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "Error({})", self.0),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => write!(f, "{} ({})", n, self.0),
            None => write!(f, "errno {}", self.0),
        }
    }
}
