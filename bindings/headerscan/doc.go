// Package headerscan answers "which kernel header declares NAME" for every
// header of a kernel tree (HeaderIndex, a lexical scan cached on disk), and
// "which other installed kernel declares it" for a name the module's kernel
// lacks (Elsewhere). The analysis uses both to say which header to add to
// KERNEL_INCLUDE, or that a name was removed or added in another release.
package headerscan
