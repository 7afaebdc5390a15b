#!/usr/bin/env bash
# Unpacks Debian 12's rustc-web (a current rustc that bookworm ships for
# Firefox builds) into DIR and writes DIR/rustc, a wrapper that runs it.
# The targets tests compile the embedded target specs with it next to
# Debian's rustc 1.63. It is unpacked, never installed: installing rustc-web
# REMOVES the rustc 1.63 and cargo packages (they conflict over /usr/bin/rustc),
# which the rust.ko build (RUST_ROOT=/usr) relies on.
# Usage: fetch-rustc-web.sh [DIR]   (default: $XDG_CACHE_HOME/rustko-lsp/rustc-web)
set -euo pipefail
dir=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/rustko-lsp/rustc-web}
if [ -x "$dir/rustc" ] && "$dir/rustc" -V >/dev/null 2>&1; then
	exit 0
fi
command -v apt-get >/dev/null || { echo "fetch-rustc-web: needs apt-get (Debian 12)" >&2; exit 1; }
if ! apt-cache show rustc-web >/dev/null 2>&1; then
	apt-get update -qq
fi
# Follow rustc-web's dependency chain to the versioned library packages
# (libstd-rust-web-1.NN, libllvmNN) so that nothing here names a version.
deps() { apt-cache depends "$1" | awk '/^ *Depends: /{print $2}'; }
std_dev=$(deps rustc-web | grep -x 'libstd-rust-web-dev')
std=$(deps "$std_dev" | grep -E '^libstd-rust-web-[0-9.]+$')
llvm=$(deps "$std" | grep -E '^libllvm[0-9]+$')
pkgs=(rustc-web "$std_dev" "$std" "$llvm")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download -qq -o APT::Sandbox::User=root "${pkgs[@]}" >/dev/null)
rm -rf "$dir.new"
mkdir -p "$dir.new"
for deb in "$tmp"/*.deb; do
	dpkg-deb -x "$deb" "$dir.new/root"
done
lib=$(dirname "$(find "$dir.new/root/usr/lib" -name 'librustc_driver-*.so' | head -n1)")
cat >"$dir.new/rustc" <<WRAP
#!/bin/sh
# rustc-web unpacked by fetch-rustc-web.sh; its libraries are not on the system path.
LD_LIBRARY_PATH="${lib/$dir.new/$dir}\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" exec "$dir/root/usr/bin/rustc" "\$@"
WRAP
chmod +x "$dir.new/rustc"
rm -rf "$dir"
mv "$dir.new" "$dir"
"$dir/rustc" -V
