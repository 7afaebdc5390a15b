#!/usr/bin/env bash
# Cold bindings per kernel, in one run: rustko-lsp bindgen of the six-header set
# against every test kernel (docs/KERNELS.md), beside gcc -fsyntax-only of the
# same headers with kbuild's flags (the floor) and Debian's bindgen where it is
# installed (bookworm's 0.60; the trixie root has none). Native trees are
# measured here, 7.x trees inside the trixie root. With -w the "## Bindings per
# kernel" section of docs/BENCHMARKS.md is replaced.
#
# Usage: bench/kernels.sh [-r ROUNDS] [-w]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=5
write=false
while getopts "r:w" o; do
	case $o in
	r) rounds=$OPTARG ;;
	w) write=true ;;
	*) sed -n '2,9p' "$0" >&2; exit 2 ;;
	esac
done
root=${RUSTKO_TRIXIE_ROOT:-/var/lib/rustko-lsp/trixie}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rustko-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/rustko-lsp" ./cmd/rustko-lsp
go build -o "$tmp/kernels" ./bench/kernels

native=()
for d in /usr/src/linux-headers-6.1.*-amd64 /usr/src/linux-headers-6.12.*-amd64; do
	[ -f "$d/Module.symvers" ] && native+=("$d")
done
inroot=()
for d in "$root"/usr/src/linux-headers-7.*-amd64; do
	[ -f "$d/Module.symvers" ] && inroot+=("${d#"$root"}")
done
load0=$(cut -d' ' -f1-3 /proc/loadavg)
rows=$("$tmp/kernels" -rounds "$rounds" -rustko "$tmp/rustko-lsp" "${native[@]}")
if ((${#inroot[@]})); then
	rows+=$'\n'$(scripts/in-trixie.sh "$tmp/kernels" -rounds "$rounds" -rustko "$tmp/rustko-lsp" "${inroot[@]}")
fi
load1=$(cut -d' ' -f1-3 /proc/loadavg)
cpu=$(sed -n 's/^model name\s*:\s*//p' /proc/cpuinfo | head -n1)

section=$(
	cat <<MD
## Bindings per kernel

Cold generation of the default six-header set per kernel, measured by \`bench/kernels.sh -r $rounds\` on $cpu
($(nproc) CPUs), $(date -u +%F); load average $load0 before, $load1 after. Each cell: median wall (median CPU),
peak RSS, output lines. rustko: \`rustko-lsp bindgen --no-cache\` with kbuild's flags already cached. gcc:
\`-fsyntax-only\` of the same headers with the same captured flags, run with the tree's own compiler — the floor
for any tool that must read these headers. bindgen: Debian 12's 0.60.1 (clang 14) with bench/bindgen's kernel-style
options; "empty output" means it exited 0 and wrote no bindings. 7.x rows were measured inside the trixie root
(gcc-14; no bindgen there).

| kernel | rustko-lsp bindgen (cold) | gcc -fsyntax-only | rustko / gcc | bindgen |
|---|---|---|---|---|
$rows
MD
)
echo "$section"
if $write; then
	python3 - "$section" <<'PY'
import sys
path = "docs/BENCHMARKS.md"
sec = sys.argv[1].rstrip("\n") + "\n\n"
text = open(path).read()
head = "## Bindings per kernel\n"
i = text.find(head)
if i < 0:
    text = text.rstrip("\n") + "\n\n" + sec
else:
    j = text.find("\n## ", i + len(head))
    text = text[:i] + sec + (text[j + 1:] if j >= 0 else "")
open(path, "w").write(text.rstrip("\n") + "\n")
PY
fi
