// Package bridge owns what rustko knows about the C names that bindings
// cannot turn into something a Rust module can call: what a function-like
// macro expands to and what to do instead (the verdicts), the table of known
// Rust idioms for kernel macros (idioms.tsv), and which kernel header declares
// a name the configured headers do not.
//
// It imports only bindings/index, so the bindings generator can call Classify
// while it fills Item.Verdict, and diagnostics can call it for items that
// arrive without one.
package bridge
