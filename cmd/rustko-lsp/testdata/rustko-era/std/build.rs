// Generates src/os/kernel.rs from the kernel headers with bindgen 0.46, fed
// by the variables kbuild.mk exports.
extern crate bindgen;
extern crate shlex;

use std::env;

// Headers std itself needs, on top of KERNEL_INCLUDE.
const REQUIRED: [&str; 2] = ["linux/printk.h", "linux/slab.h"];

fn main() {
    let args = shlex::split(&env::var("STD_CLANG_ARGS").expect("STD_CLANG_ARGS")).expect("STD_CLANG_ARGS");
    let files = shlex::split(&env::var("STD_CLANG_FILES").expect("STD_CLANG_FILES")).expect("STD_CLANG_FILES");
    let mut header = String::new();
    for f in files.iter().map(|s| s.as_str()).chain(REQUIRED.iter().cloned()) {
        header.push_str(&format!("#include <{}>\n", f));
    }
    let bindings = bindgen::Builder::default()
        .header_contents("kernel-include.h", &header)
        .clang_args(args)
        .use_core()
        .ctypes_prefix("::os::raw")
        .generate()
        .expect("bindgen failed");
    bindings.write_to_file("src/os/kernel.rs").expect("writing src/os/kernel.rs");
}
