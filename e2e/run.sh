#!/usr/bin/env bash
# The whole boot test, as `make e2e` runs it: builds rustko-lsp, proves the
# QEMU harness with C modules, then builds examples/hello in rust-src and host
# mode and boots each. One boot takes 6-30 s under TCG; the first run also
# downloads Debian's kernel image (about 70 MB) into the cache (see boot.sh).
# Extra arguments go to `go test` (e.g. -run TestBootHello/host).
set -euo pipefail
cd "$(dirname "$0")"
# Kernels boot two at a time: a TCG boot keeps one core busy, and CI has two.
exec go test -count=1 -v -parallel 2 -timeout 40m "$@" .
