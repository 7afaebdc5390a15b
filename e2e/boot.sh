#!/usr/bin/env bash
# Boots Debian's kernel matching a module's kernel tree under QEMU with a
# busybox initramfs that loads and unloads the module, and checks the kernel
# log: the expected lines are there and the kernel did not oops. A thin
# wrapper over `rustko-lsp run MODULE.ko` (package vm holds the logic, the
# one copy the tests and users share), kept for the tests that call it.
#
# Usage: e2e/boot.sh [-k HEADERS_DIR] [-e LINE]... [-t SECONDS] [-l LOG] MODULE.ko
#   -k  kernel headers tree the module was built against
#       (default: $KERNEL_BUILD_PATH, else the module's vermagic release)
#   -e  a line the module's kernel log must contain (repeatable; default:
#       "hello: init", "hello from rust", "hello: exit")
#   -t  boot timeout in seconds (default 300: TCG on a busy machine is slow)
#   -l  where to keep the serial log
# rustko-lsp: $RUSTKO_LSP, else built from this checkout (go build).
# Accelerator: $RUSTKO_VM_ACCEL, else tcg (KVM hangs on some machines).
# Image cache: $RUSTKO_E2E_CACHE, else ${XDG_CACHE_HOME:-~/.cache}/rustko-lsp/e2e.
# Exit status: 0 passed, 1 the boot failed a check, 2 could not run.
set -euo pipefail

die() { echo "boot.sh: $*" >&2; exit 2; }

headers=${KERNEL_BUILD_PATH:-}
expect=()
timeout_s=300
log=""
while getopts "k:e:t:l:h" opt; do
	case $opt in
	k) headers=$OPTARG ;;
	e) expect+=("$OPTARG") ;;
	t) timeout_s=$OPTARG ;;
	l) log=$OPTARG ;;
	*) sed -n '2,19p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || die "usage: boot.sh [-k HEADERS_DIR] [-e LINE]... [-t SECONDS] [-l LOG] MODULE.ko"
[ -f "$1" ] || die "module $1 does not exist; build it first"
((${#expect[@]})) || expect=("hello: init" "hello from rust" "hello: exit")

bin=${RUSTKO_LSP:-}
if [ -z "$bin" ]; then
	command -v go >/dev/null || die "go not found: install Go, or set RUSTKO_LSP to a built rustko-lsp"
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/rustko-boot.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	(cd "$(dirname "$0")/.." && go build -o "$tmp/rustko-lsp" ./cmd/rustko-lsp) >&2 ||
		die "go build ./cmd/rustko-lsp failed"
	bin=$tmp/rustko-lsp
fi

args=(run --accel "${RUSTKO_VM_ACCEL:-tcg}" --timeout "${timeout_s}s")
[ -z "$headers" ] || args+=(--kdir "$headers")
[ -z "$log" ] || args+=(--log "$log")
for e in "${expect[@]}"; do args+=(--expect "$e"); done
# The module's log lines and findings go with the verdict, to stderr.
set +e
"$bin" "${args[@]}" "$1" >&2
status=$?
set -e
exit $status
