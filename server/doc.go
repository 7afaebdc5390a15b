// Package server owns rustko-lsp's language server: the LSP connection and
// its lifecycle, the open documents, one session per rust.ko module (its
// module, kernel, C index and findings), the scheduling of analysis on change
// and of the build on save, and the features editors ask for (diagnostics,
// hover, definition, code actions, commands, progress).
//
// It is the only package that knows LSP. Everything it shows comes from the
// packages below it (module, bindings, build, diagnostics/rustsrc, targets),
// reached through the small interfaces in backend.go so the scheduling logic
// can be tested on its own. Handlers never wait for a build: notifications
// run in wire order on the read loop and only record state and schedule work,
// requests run concurrently, and builds run on the session's worker.
package server
