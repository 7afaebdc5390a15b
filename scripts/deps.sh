#!/usr/bin/env bash
# Installs what rustko-lsp needs on a Debian/Ubuntu machine, idempotently:
# packages already present are not touched and apt is only asked when
# something is missing. Usage: scripts/deps.sh demo|test
set -euo pipefail

profile=${1:-test}

# What `make demo` needs: kernel headers (kbuild, Module.symvers), gcc/make for
# kbuild, a Rust toolchain with rust-src (the rust.ko way: RUST_ROOT=/usr), and
# kmod for the modinfo the demo ends with.
demo_pkgs=(gcc make linux-headers-amd64 rustc rust-src cargo binutils kmod)
# What `make test` adds: a real editor (Neovim 0.7), the QEMU boot test, and the
# reference tool the bindings benchmark compares against.
test_pkgs=("${demo_pkgs[@]}" unzip neovim qemu-system-x86 busybox-static cpio dkms bindgen libclang1-14 nodejs npm)

case "$profile" in
demo) pkgs=("${demo_pkgs[@]}") ;;
test) pkgs=("${test_pkgs[@]}") ;;
*) echo "usage: $0 demo|test" >&2; exit 2 ;;
esac

missing=()
for p in "${pkgs[@]}"; do
	# Node and npm may come from outside Debian (nodesource, nvm): a working
	# command is as good as the package.
	case "$p" in
	nodejs) command -v node >/dev/null && continue ;;
	npm) command -v npm >/dev/null && continue ;;
	esac
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
	exit 0
fi

if ! command -v apt-get >/dev/null; then
	cat >&2 <<MSG
rustko-lsp: missing packages: ${missing[*]}
This is not a Debian/Ubuntu machine; install the equivalents with your package manager:
  kernel headers with Module.symvers for your kernel (Fedora: kernel-devel; Arch: linux-headers),
  gcc, make, rustc + rust-src + cargo (or rustup with the rust-src component),
  and for the tests: neovim, qemu-system-x86, busybox (static), cpio, kmod, dkms, bindgen, nodejs, npm.
MSG
	exit 1
fi

sudo=""
if [ "$(id -u)" != 0 ]; then
	sudo=sudo
fi
echo "rustko-lsp: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
