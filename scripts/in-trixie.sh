#!/usr/bin/env bash
# Runs a command inside the Debian 13 (trixie) root that scripts/kernels.sh makes,
# where Debian 13's 6.12 and the 7.x kernel trees, gcc-14 and trixie's rustc 1.85 live. The checkout,
# /tmp, /proc, /dev and the boot image cache are bind-mounted at the same paths, so a Go binary or test
# binary built on the host (glibc 2.36 runs on trixie's newer glibc) runs there on
# the same files. The working directory is kept.
#
# Usage: scripts/in-trixie.sh [VAR=value]... CMD [ARG]...
# Environment: RUSTKO_TRIXIE_ROOT (default /var/lib/rustko-lsp/trixie).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
root=${RUSTKO_TRIXIE_ROOT:-/var/lib/rustko-lsp/trixie}
[ -x "$root/usr/bin/apt-get" ] || { echo "in-trixie.sh: no trixie root at $root: run scripts/kernels.sh 7" >&2; exit 2; }
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
# Mounts stay for later calls (several tests run here at once); they are bind
# mounts of the machine's own folders, nothing to clean.
# The boot tests' kernel image cache too, when there is one: a test that
# boots a module inside the root finds the images scripts/kernels.sh unpacked.
cache=${RUSTKO_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rustko-lsp/e2e}
mounts=(/proc /dev /tmp "$here")
[ -d "$cache" ] && mounts+=("$cache")
# A mount left by an earlier checkout at the same path can outlive that
# checkout (CI clones to the same folder again after deleting the last one:
# the old mount then shows "//deleted" and an empty folder), so a mount counts
# only when it shows the very folder it should: same device and inode.
same() { [ "$(stat -Lc %d:%i "$1")" = "$(stat -Lc %d:%i "$2" 2>/dev/null)" ]; }
for m in "${mounts[@]}"; do
	mkdir -p "$root$m" 2>/dev/null || $sudo mkdir -p "$root$m"
	if mountpoint -q "$root$m" && ! same "$m" "$root$m"; then
		$sudo umount -l "$root$m"
	fi
	if ! mountpoint -q "$root$m"; then
		$sudo mount --bind "$m" "$root$m"
	fi
	same "$m" "$root$m" || { echo "in-trixie.sh: $root$m does not show $m after mounting it" >&2; exit 2; }
done
env=(PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 TERM=dumb)
[ -d "$cache" ] && env+=("RUSTKO_E2E_CACHE=$cache")
while [ $# -gt 0 ] && [[ $1 == *=* ]]; do env+=("$1"); shift; done
[ $# -gt 0 ] || { sed -n '2,9p' "$0" >&2; exit 2; }
# Only the variables named above cross into the root: the host's PATH and caches
# would point at host paths.
exec $sudo chroot "$root" /usr/bin/env -i "${env[@]}" sh -c 'cd "$1" && shift && exec "$@"' sh "$PWD" "$@"
