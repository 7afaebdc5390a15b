// Package verdict owns what rustko knows about the C names that bindings
// cannot turn into something a Rust module can call: what a function-like
// macro expands to and what to do instead (Classify, the verdicts stored in
// the index), and the table of known Rust idioms for kernel macros
// (idioms.tsv). The bindings generator calls Classify while it fills
// Item.Verdict; the analysis calls it for items that arrive without one.
package verdict
