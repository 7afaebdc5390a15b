// Package build owns the module build, from sources to <module>.ko, the way
// rust.ko builds: bindings (cached) -> a core sysroot for the target (rust-src
// mode only, cached per toolchain and target) -> the Rust object (cargo) ->
// object checks -> the kbuild link of the C shim, helpers and Rust object.
// It runs every tool in its own process group so an editor can cancel a build
// without leaving compilers behind, lets one build per module run at a time,
// reports progress per step, and turns every tool's output (rustc/cargo JSON,
// gcc, modpost, objtool) into diagnostics.Finding values with absolute paths.
//
// Build products go to BUILD_DIRECTORY (default build/ in the module root):
// kbuild/ is kbuild's M= folder, cargo/ is cargo's target folder, target/
// holds the embedded target specification when the module has none; only
// <module>.ko is copied into the module root, as rust.ko does.
package build
