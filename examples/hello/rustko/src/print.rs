//! The printing behind the macros: Rust formatting into a bounded stack
//! buffer, handed to `_printk` as an argument of a fixed format, so nothing
//! the user writes is ever read as a printk format.

use core::fmt::{self, Write};

extern "C" {
    // int _printk(const char *fmt, ...): exported since 5.15 (printk
    // became a macro over it). u8 rather than c_char: core::ffi::c_char
    // is newer than the oldest rustc rustko supports (1.63).
    fn _printk(fmt: *const u8, ...) -> i32;
}

/// A kernel log level (`KERN_EMERG` … `KERN_DEBUG`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Emerg,
    Alert,
    Crit,
    Err,
    Warning,
    Notice,
    Info,
    Debug,
}

/// The text one printk call carries at most, with its NUL. The kernel keeps
/// about 1000 bytes of a record (LOG_LINE_MAX) and drops the rest, so a
/// longer line is split here into several records instead: nothing is lost.
pub const CHUNK: usize = 512;

/// Formats into a stack buffer and hands it to printk a line (or a full
/// buffer) at a time.
pub struct Writer {
    level: Level,
    prefix: *const u8,
    buf: [u8; CHUNK],
    len: usize,
    emitted: bool,
    ended_line: bool,
}

impl Writer {
    /// A writer at level whose records each start with prefix, a
    /// NUL-terminated string that lives as long as the writer.
    pub fn new(level: Level, prefix: *const u8) -> Writer {
        Writer { level, prefix, buf: [0; CHUNK], len: 0, emitted: false, ended_line: true }
    }

    /// Writes out what is pending; with newline, the output then ends a line
    /// (an empty message prints an empty line).
    pub fn finish(&mut self, newline: bool) {
        if newline {
            let needs = if self.len > 0 { self.buf[self.len - 1] != b'\n' } else { !self.emitted || !self.ended_line };
            if needs {
                self.push(b"\n");
            }
        }
        self.flush();
    }

    fn flush(&mut self) {
        if self.len == 0 {
            return;
        }
        self.buf[self.len] = 0;
        let (p, t) = (self.prefix, self.buf.as_ptr());
        // Each format is the level's KERN_SOH prefix ("\001" and the level's
        // digit, printk's record format since 3.6) and two strings: the
        // prefix and the text, both arguments, never part of the format.
        // SAFETY: NUL-terminated formats taking two strings, given two
        // NUL-terminated strings; printk copies the text before returning.
        unsafe {
            match self.level {
                Level::Emerg => _printk(b"\x010%s%s\0".as_ptr(), p, t),
                Level::Alert => _printk(b"\x011%s%s\0".as_ptr(), p, t),
                Level::Crit => _printk(b"\x012%s%s\0".as_ptr(), p, t),
                Level::Err => _printk(b"\x013%s%s\0".as_ptr(), p, t),
                Level::Warning => _printk(b"\x014%s%s\0".as_ptr(), p, t),
                Level::Notice => _printk(b"\x015%s%s\0".as_ptr(), p, t),
                Level::Info => _printk(b"\x016%s%s\0".as_ptr(), p, t),
                Level::Debug => _printk(b"\x017%s%s\0".as_ptr(), p, t),
            };
        }
        self.ended_line = self.buf[self.len - 1] == b'\n';
        self.emitted = true;
        self.len = 0;
    }

    /// Appends bytes that fit (callers split first).
    fn push(&mut self, b: &[u8]) {
        if self.len + b.len() > CHUNK - 1 {
            self.flush();
        }
        self.buf[self.len..self.len + b.len()].copy_from_slice(b);
        self.len += b.len();
    }

    /// Appends text holding no NUL: lines are written out as they end, a
    /// line longer than the buffer in pieces cut at character boundaries.
    fn put(&mut self, mut s: &str) {
        while !s.is_empty() {
            let piece = match s.find('\n') {
                Some(i) => &s[..=i],
                None => s,
            };
            let room = CHUNK - 1 - self.len;
            if piece.len() <= room {
                self.push(piece.as_bytes());
                s = &s[piece.len()..];
                if piece.ends_with('\n') {
                    self.flush();
                }
                continue;
            }
            let mut n = room;
            while n > 0 && !piece.is_char_boundary(n) {
                n -= 1;
            }
            self.push(piece[..n].as_bytes());
            s = &s[n..];
            self.flush();
        }
    }
}

impl Write for Writer {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        // %s would stop at a NUL and drop the rest: write it visibly.
        let mut parts = s.split('\0');
        if let Some(first) = parts.next() {
            self.put(first);
        }
        for part in parts {
            self.put("\\0");
            self.put(part);
        }
        Ok(())
    }
}

/// An empty prefix for the records of the print macros.
const NO_PREFIX: &[u8] = b"\0";

/// Prints one message at level, ending it with a newline.
#[inline(never)]
pub fn line(level: Level, args: fmt::Arguments<'_>) {
    let mut w = Writer::new(level, NO_PREFIX.as_ptr());
    // A Display impl's error ends its own output, not the message.
    let _ = w.write_fmt(args);
    w.finish(true);
}

/// Prints at level without adding a newline.
#[inline(never)]
pub fn text(level: Level, args: fmt::Arguments<'_>) {
    let mut w = Writer::new(level, NO_PREFIX.as_ptr());
    let _ = w.write_fmt(args);
    w.finish(false);
}
