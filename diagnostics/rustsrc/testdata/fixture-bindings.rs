// A few lines in the shape of a generated bindings file, for the unit tests
// that use fixture-index.json: the C type aliases are declared here, not in
// any kernel header.
pub type c_char = i8;
pub type c_int = i32;
pub type c_uint = u32;
pub type c_long = i64;
pub type c_ulong = u64;
pub type c_void = core::ffi::c_void;
pub type gfp_t = c_uint;
extern "C" {
    pub fn __kmalloc(size: usize, flags: gfp_t) -> *mut c_void;
}
