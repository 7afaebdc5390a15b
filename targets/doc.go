// Package targets owns the Rust target specifications rustko-lsp builds
// kernel modules with: the specs embedded in the binary (x86_64, aarch64,
// armv7 and riscv64, each with FP/SIMD off the way that architecture's
// kernel requires), their rendering for the exact rustc at hand (the JSON
// format changed across releases: no one file suits both Debian's rustc 1.63
// and a current one), and a validator that reports what is wrong with a
// module's own target JSON, positioned at the offending key or value.
package targets
