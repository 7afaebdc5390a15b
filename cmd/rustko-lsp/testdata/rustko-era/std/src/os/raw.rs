#![allow(non_camel_case_types)]
pub type c_char = i8;
pub type c_int = i32;
pub type c_void = ::core::ffi::c_void;
