#!/usr/bin/env bash
# Installs the kernels rustko-lsp is tested against, idempotently, on a Debian 12
# machine, from Debian's own packages (docs/KERNELS.md says why each one):
#   6.1    bookworm's linux-headers-amd64 (native, gcc-12)
#   6.12   bookworm-backports: linux-headers-6.12.*+deb12-{amd64,rt-amd64,cloud-amd64}
#          (native, gcc-12; the cloud flavour's headers only: the unit tests must not
#          depend on which flavours a machine has, and run on it too)
#   7      a Debian 13 (trixie) root made with debootstrap, holding trixie-backports'
#          newest linux-headers-7.*+deb13-amd64 and trixie's own newest
#          linux-headers-6.12.*+deb13-amd64 (the stable distro's kernel, built with
#          gcc-14, unlike bookworm-backports' 6.12), gcc-14, and trixie's rustc 1.85 +
#          rust-src + cargo; kbuild for those trees runs inside it with chroot
# and, with --images, each kernel's image for the QEMU boot tests (unpacked, never
# installed: the packages' scripts would touch /boot).
#
# Usage: scripts/kernels.sh [--images] [6.1|6.12|7|all]...   (default: all)
#        scripts/kernels.sh --print-root    the trixie root's path
# Environment: RUSTKO_TRIXIE_ROOT (default /var/lib/rustko-lsp/trixie),
#              RUSTKO_E2E_CACHE (images; default ~/.cache/rustko-lsp/e2e).
set -euo pipefail

root=${RUSTKO_TRIXIE_ROOT:-/var/lib/rustko-lsp/trixie}
cache=${RUSTKO_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rustko-lsp/e2e}
say() { echo "kernels.sh: $*" >&2; }
die() { echo "kernels.sh: $*" >&2; exit 2; }

images=false
want=()
for a in "$@"; do
	case $a in
	--images) images=true ;;
	--print-root) echo "$root"; exit 0 ;;
	6.1 | 6.12 | 7) want+=("$a") ;;
	all) want+=(6.1 6.12 7) ;;
	*) sed -n '2,16p' "$0" >&2; exit 2 ;;
	esac
done
((${#want[@]})) || want=(6.1 6.12 7)

sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
command -v apt-get >/dev/null || die "these test kernels come from Debian's packages: run this on Debian 12"

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

# The mirror the machine already uses (deb822 or one-line sources), so the added
# suites come from the same place.
mirror() {
	local m
	m=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -m1 '/debian/\?$' || true)
	[ -n "$m" ] || m=$(grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{print $2}' | grep -m1 '/debian/\?$' || true)
	echo "${m:-http://deb.debian.org/debian}"
}

# newest NAME matching the extended regex among the packages apt knows.
newest() {
	apt-cache pkgnames "$1" 2>/dev/null | grep -E "^$2\$" | sort -V | tail -n1
}

# Debian 12's kernel line.
install_61() {
	installed linux-headers-amd64 && installed gcc && installed make && return 0
	say "installing bookworm's linux-headers-amd64 (6.1) with gcc and make"
	$sudo apt-get update -qq
	$sudo apt-get install -y -qq --no-install-recommends linux-headers-amd64 gcc make >/dev/null
}

bpo_list=/etc/apt/sources.list.d/rustko-bookworm-backports.list
install_612() {
	if ! compgen -G "/usr/src/linux-headers-6.12.*+deb12-amd64/Module.symvers" >/dev/null ||
		! compgen -G "/usr/src/linux-headers-6.12.*+deb12-rt-amd64/Module.symvers" >/dev/null ||
		! compgen -G "/usr/src/linux-headers-6.12.*+deb12-cloud-amd64/Module.symvers" >/dev/null; then
		if [ ! -f "$bpo_list" ]; then
			say "adding the bookworm-backports suite ($bpo_list)"
			echo "deb $(mirror) bookworm-backports main" | $sudo tee "$bpo_list" >/dev/null
		fi
		$sudo apt-get update -qq
		local amd64 rt
		amd64=$(newest linux-headers-6.12 'linux-headers-6\.12\.[0-9]+\+deb12-amd64')
		rt=${amd64%-amd64}-rt-amd64
		cloud=${amd64%-amd64}-cloud-amd64
		[ -n "$amd64" ] || die "bookworm-backports offers no linux-headers-6.12.*+deb12-amd64 (apt-get update failed?)"
		say "installing $amd64, $rt and $cloud from bookworm-backports (about 120 MB)"
		# --no-install-recommends: the headers recommend the signed image, which
		# would install a kernel into /boot.
		$sudo apt-get install -y -qq --no-install-recommends "$amd64" "$rt" "$cloud" >/dev/null
	fi
	if $images; then
		local h
		for h in /usr/src/linux-headers-6.12.*+deb12-amd64 /usr/src/linux-headers-6.12.*+deb12-rt-amd64; do
			image_native "${h#/usr/src/linux-headers-}"
		done
	fi
}

# image_native RELEASE: Debian 12's -unsigned image, unpacked into the cache the
# boot test reads (the same layout e2e/boot.sh uses).
image_native() {
	local release=$1 pkg dir dl
	pkg=linux-image-$release-unsigned
	dir=$cache/$pkg
	[ -s "$dir/boot/vmlinuz-$release" ] && return 0
	mkdir -p "$cache"
	dl=$(mktemp -d "$cache/download.XXXXXX")
	say "downloading $pkg (the kernel image for the QEMU boot test)"
	(cd "$dl" && apt-get download -q -o APT::Sandbox::User="$(id -un)" "$pkg" >&2) || die "apt-get download $pkg failed"
	rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
	dpkg-deb --fsys-tarfile "$dl"/*.deb | tar -x -C "$dir.tmp" "./boot/vmlinuz-$release"
	rm -rf "$dir" "$dl"
	mv "$dir.tmp" "$dir"
}

# in_root CMD...: runs CMD inside the trixie root with /proc and /dev mounted
# for the duration.
in_root() {
	local mounted=()
	for m in proc dev; do
		if ! mountpoint -q "$root/$m"; then
			$sudo mount --bind "/$m" "$root/$m"
			mounted+=("$root/$m")
		fi
	done
	local status=0
	$sudo chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
		DEBIAN_FRONTEND=noninteractive "$@" || status=$?
	for m in "${mounted[@]}"; do $sudo umount "$m"; done
	return $status
}

# QEMU and a static busybox too: the kernel-reading unit tests that boot a
# module (bindings' helpers test) run inside the root.
root_pkgs=(gcc-14 make libc6-dev kmod rustc cargo rust-src binutils qemu-system-x86 busybox-static)
install_7() {
	if [ ! -x "$root/usr/bin/apt-get" ]; then
		installed debootstrap || { $sudo apt-get update -qq; $sudo apt-get install -y -qq --no-install-recommends debootstrap >/dev/null; }
		say "making a Debian 13 (trixie) root at $root with debootstrap (about 45 s, 214 MB)"
		$sudo rm -rf "$root.tmp"
		$sudo mkdir -p "$(dirname "$root")"
		$sudo debootstrap --variant=minbase trixie "$root.tmp" "$(mirror)" >/dev/null ||
			die "debootstrap trixie failed (log: $root.tmp/debootstrap/debootstrap.log)"
		$sudo mv "$root.tmp" "$root"
	fi
	local sources=$root/etc/apt/sources.list.d/rustko-trixie-backports.list
	if [ ! -f "$sources" ]; then
		echo "deb $(mirror) trixie-backports main" | $sudo tee "$sources" >/dev/null
		in_root apt-get update -qq
	fi
	if ! compgen -G "$root/usr/src/linux-headers-7.*+deb13-amd64/Module.symvers" >/dev/null ||
		! compgen -G "$root/usr/src/linux-headers-6.12.*+deb13-amd64/Module.symvers" >/dev/null ||
		! [ -x "$root/usr/bin/rustc" ] || ! [ -x "$root/usr/bin/x86_64-linux-gnu-gcc-14" ] ||
		! [ -x "$root/usr/bin/qemu-system-x86_64" ] || ! [ -x "$root/bin/busybox" ]; then
		local hdr7 hdr612
		hdr7=$(newest_in_root 7 '^linux-headers-7\.[0-9]+\.[0-9]+\+deb13-amd64$')
		[ -n "$hdr7" ] || { in_root apt-get update -qq; hdr7=$(newest_in_root 7 '^linux-headers-7\.[0-9]+\.[0-9]+\+deb13-amd64$'); }
		[ -n "$hdr7" ] || die "trixie-backports offers no linux-headers-7.*+deb13-amd64"
		hdr612=$(newest_in_root 6.12 '^linux-headers-6\.12\.[0-9]+\+deb13-amd64$')
		[ -n "$hdr612" ] || die "trixie offers no linux-headers-6.12.*+deb13-amd64"
		say "installing $hdr7, $hdr612, gcc-14, rustc 1.85 + rust-src + cargo, QEMU in the trixie root (about 3 min)"
		in_root apt-get install -y -qq --no-install-recommends "$hdr7" "$hdr612" "${root_pkgs[@]}" >/dev/null
	fi
	if $images; then
		local h
		for h in "$root"/usr/src/linux-headers-7.*+deb13-amd64 "$root"/usr/src/linux-headers-6.12.*+deb13-amd64; do
			image_root "${h#"$root"/usr/src/linux-headers-}"
		done
	fi
}

# newest_in_root PREFIX REGEX: the newest header package of the root's
# sources whose name starts linux-headers-PREFIX and matches REGEX.
newest_in_root() {
	in_root apt-cache pkgnames "linux-headers-$1" | grep -E "$2" | sort -V | tail -n1
}

# image_root RELEASE: Debian 13's 7.x packaging has no -unsigned image; the kernel
# is in linux-binary-RELEASE (or the signed image), downloaded inside the root.
image_root() {
	local release=$1 pkg dir dl f
	pkg=linux-image-$release-unsigned
	dir=$cache/$pkg
	[ -s "$dir/boot/vmlinuz-$release" ] && return 0
	mkdir -p "$cache"
	dl=$root/tmp/rustko-image
	$sudo rm -rf "$dl" && $sudo mkdir -p "$dl"
	say "downloading the kernel image for $release inside the trixie root"
	local got=""
	for p in "linux-binary-$release" "linux-image-$release-unsigned" "linux-image-$release"; do
		if in_root sh -c "cd /tmp/rustko-image && apt-get download -q $p" >/dev/null 2>&1; then got=$p; break; fi
	done
	[ -n "$got" ] || die "no package holds the kernel image for $release (tried linux-binary-, -unsigned, signed)"
	rm -rf "$dir.tmp" && mkdir -p "$dir.tmp/boot"
	local x=$dl/x
	$sudo mkdir -p "$x"
	dpkg-deb -x "$dl"/*.deb "$x"
	f=$(find "$x" -name "vmlinuz*" -type f | head -n1)
	[ -n "$f" ] || die "$got holds no vmlinuz"
	cp "$f" "$dir.tmp/boot/vmlinuz-$release"
	$sudo rm -rf "$dl"
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
}

for k in "${want[@]}"; do
	case $k in
	6.1) install_61 ;;
	6.12) install_612 ;;
	7) install_7 ;;
	esac
done
