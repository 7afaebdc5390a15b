//! Tells the crate which panic and allocation APIs the compiler has. The
//! crate has no dependencies, so this asks rustc itself rather than a
//! version-detection crate.
use std::env;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    // An unreadable version means a rustc this script does not know: the
    // newest APIs are the likeliest.
    let minor = Command::new(&rustc)
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|v| minor_version(&v))
        .unwrap_or(u32::MAX);
    if minor >= 80 {
        // rustc 1.80 warns about cfgs it was not told of.
        println!("cargo:rustc-check-cfg=cfg(rustko_alloc_error_handler)");
        println!("cargo:rustc-check-cfg=cfg(rustko_panic_message_option)");
    }
    // Before 1.68 a no_std crate graph linking alloc must name its own
    // allocation-error handler (#[alloc_error_handler], unstable).
    if minor < 68 {
        println!("cargo:rustc-cfg=rustko_alloc_error_handler");
    }
    // Before 1.81 PanicInfo::message was unstable and returned
    // Option<&fmt::Arguments>.
    if minor < 81 {
        println!("cargo:rustc-cfg=rustko_panic_message_option");
    }
    if minor < 81 && env::var("RUSTC_BOOTSTRAP").is_err() {
        println!(
            "cargo:warning=rustc 1.{} needs RUSTC_BOOTSTRAP=rustko for the rustko crate's \
             #![feature]s (rustko-lsp build sets it)",
            minor
        );
    }
}

/// The minor version in "rustc 1.63.0 (…)".
fn minor_version(v: &str) -> Option<u32> {
    let rest = v.strip_prefix("rustc ")?;
    let mut parts = rest.split('.');
    if parts.next()? != "1" {
        return None;
    }
    parts.next()?.parse().ok()
}
