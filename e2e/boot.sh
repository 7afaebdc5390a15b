#!/usr/bin/env bash
# Boots Debian's kernel matching the installed headers under QEMU (software
# emulation) with a busybox initramfs that loads and unloads one module, and
# checks the serial log: the expected lines are there and the kernel did not
# oops. The kernel image package is downloaded once (apt-get download, never
# installed: its scripts would touch /boot); its kernel image is unpacked into
# a cache.
#
# Usage: e2e/boot.sh [-k HEADERS_DIR] [-e LINE]... [-t SECONDS] [-l LOG] MODULE.ko
#   -k  kernel headers tree the module was built against
#       (default: $KERNEL_BUILD_PATH, else the newest /usr/src/linux-headers-*
#       whose release matches the module's vermagic)
#   -e  a line the serial log must contain (repeatable; default: "hello: init",
#       "hello from rust", "hello: exit")
#   -t  boot timeout in seconds (default 300: TCG on a busy machine is slow)
#   -l  where to keep the serial log (default: a temporary file, printed)
# Cache: $RUSTKO_E2E_CACHE, else ${XDG_CACHE_HOME:-~/.cache}/rustko-lsp/e2e.
# Exit status: 0 passed, 1 the boot log failed a check, 2 could not run.
set -euo pipefail

die() { echo "boot.sh: $*" >&2; exit 2; }
fail() { echo "boot.sh: FAIL: $*" >&2; exit 1; }

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
	*) sed -n '2,20p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || die "usage: boot.sh [-k HEADERS_DIR] [-e LINE]... [-t SECONDS] [-l LOG] MODULE.ko"
ko=$(realpath -e "$1" 2>/dev/null) || die "module $1 does not exist; build it first"
((${#expect[@]})) || expect=("hello: init" "hello from rust" "hello: exit")

for tool in qemu-system-x86_64:qemu-system-x86 busybox:busybox-static cpio:cpio modinfo:kmod \
	apt-get:apt dpkg-deb:dpkg gzip:gzip timeout:coreutils flock:util-linux; do
	command -v "${tool%%:*}" >/dev/null || die "${tool%%:*} not found: apt-get install -y ${tool#*:}"
done
busybox=$(command -v busybox)
# The initramfs has no libraries: a dynamically linked busybox cannot run there.
if file_out=$(LC_ALL=C ldd "$busybox" 2>&1) && ! grep -q "not a dynamic executable\|statically linked" <<<"$file_out"; then
	die "$busybox is dynamically linked: apt-get install -y busybox-static"
fi

vermagic=$(modinfo -F vermagic "$ko") || die "modinfo cannot read $ko: is it a kernel module?"
mod_release=${vermagic%% *}
modname=$(modinfo -F name "$ko")
[ -n "$modname" ] || modname=$(basename "$ko" .ko)

# The release is the headers tree's UTS_RELEASE, never hard-coded: Debian's
# 6.1.0-NN moves with every kernel update.
release_of() {
	sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$1/include/generated/utsrelease.h" 2>/dev/null
}
if [ -z "$headers" ]; then
	for d in $(ls -d /usr/src/linux-headers-* 2>/dev/null | sort -V -r); do
		if [ "$(release_of "$d")" = "$mod_release" ]; then headers=$d; break; fi
	done
	[ -n "$headers" ] || die "no /usr/src/linux-headers-* tree has release $mod_release (the module's vermagic): apt-get install -y linux-headers-$mod_release"
fi
release=$(release_of "$headers")
[ -n "$release" ] || die "$headers has no include/generated/utsrelease.h: not a kernel build tree"
[ "$release" = "$mod_release" ] || die "$ko was built for $mod_release (vermagic) but $headers is $release"

cache=${RUSTKO_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rustko-lsp/e2e}
mkdir -p "$cache"
pkg=linux-image-$release-unsigned
kdir=$cache/$pkg
vmlinuz=$kdir/boot/vmlinuz-$release
download_kernel() {
	# Pin the image to the headers' package version so the two match exactly.
	local version dl deb
	version=$(dpkg-query -W -f='${Version}' "linux-headers-$release" 2>/dev/null || true)
	dl=$(mktemp -d "$cache/download.XXXXXX")
	echo "boot.sh: downloading $pkg${version:+=$version} into $cache" >&2
	# As root, apt would hand the download to its _apt user, which cannot
	# write into a private cache; downloading as ourselves is what we want.
	if ! (cd "$dl" && { apt-get download -q -o APT::Sandbox::User="$(id -un)" "$pkg${version:+=$version}" >&2 ||
		{ [ -n "$version" ] && apt-get download -q -o APT::Sandbox::User="$(id -un)" "$pkg" >&2; }; }); then
		rm -rf "$dl"
		die "apt-get download $pkg failed: run apt-get update, and check that the package exists for the installed headers ($release)"
	fi
	deb=$(ls "$dl"/*.deb)
	rm -rf "$kdir.tmp"
	mkdir -p "$kdir.tmp"
	# Unpack only the kernel: the package's 400 MB of modules are not needed
	# (dpkg-deb -x restricted to one member).
	if ! dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$kdir.tmp" "./boot/vmlinuz-$release"; then
		rm -rf "$dl" "$kdir.tmp"
		die "$deb holds no boot/vmlinuz-$release"
	fi
	rm -rf "$kdir" "$dl"
	mv "$kdir.tmp" "$kdir"
}
if [ ! -s "$vmlinuz" ]; then
	# One download at a time when several boots start on a fresh machine.
	exec 9>"$cache/.lock"
	flock 9
	[ -s "$vmlinuz" ] || download_kernel
	flock -u 9
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/rustko-boot.XXXXXX")
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
root=$work/root
mkdir -p "$root"/{bin,proc,sys,dev}
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$ko" "$root/$modname.ko"
# Markers let the checks tell the harness's own steps from kernel output.
cat >"$root/init" <<INIT
#!/bin/sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
echo 7 > /proc/sys/kernel/printk
echo "rustko-e2e: insmod $modname"
if insmod /$modname.ko; then echo "rustko-e2e: insmod ok"; else echo "rustko-e2e: insmod failed"; fi
if rmmod $modname; then echo "rustko-e2e: rmmod ok"; else echo "rustko-e2e: rmmod failed"; fi
echo "rustko-e2e: dmesg"
dmesg
echo "rustko-e2e: done"
poweroff -f
INIT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initrd.cpio.gz"

[ -n "$log" ] || log=$(mktemp "${TMPDIR:-/tmp}/rustko-boot-$modname.XXXXXX.log")
start=$(date +%s)
# KVM hangs on this machine and is not needed: TCG boots in seconds.
set +e
timeout --kill-after=10 "$timeout_s" qemu-system-x86_64 -accel tcg -m 512 -smp 1 \
	-kernel "$vmlinuz" -initrd "$work/initrd.cpio.gz" \
	-append "console=ttyS0 panic=-1 oops=panic quiet" \
	-nographic -no-reboot -monitor none -serial stdio </dev/null >"$log" 2>&1
status=$?
set -e
echo "boot.sh: booted $release with $modname.ko in $(($(date +%s) - start)) s; serial log: $log" >&2
((status != 124 && status != 137)) || fail "QEMU did not power off within $timeout_s s (serial log: $log)"
((status == 0)) || fail "QEMU exited with status $status (serial log: $log)"

# The log holds terminal escape sequences: grep it as binary text.
problems=()
for bad in "Oops" "BUG:" "Kernel panic" "Call Trace" "rustko-e2e: insmod failed" "rustko-e2e: rmmod failed" \
	"Unknown rela relocation" "invalid module format" "Unknown symbol"; do
	if grep -aq -- "$bad" "$log"; then problems+=("the log shows \"$bad\": $(grep -a -m1 -- "$bad" "$log" | tr -d '\r')"); fi
done
for want in "rustko-e2e: insmod ok" "rustko-e2e: rmmod ok" "${expect[@]}" "rustko-e2e: done"; do
	grep -aqF -- "$want" "$log" || problems+=("the log lacks \"$want\"")
done
if ((${#problems[@]})); then
	printf 'boot.sh: FAIL: %s\n' "${problems[@]}" >&2
	echo "boot.sh: --- serial log ($log), last 40 lines ---" >&2
	tail -n 40 "$log" | tr -d '\r' >&2
	exit 1
fi
echo "boot.sh: PASS: $modname.ko loaded and unloaded on $release; found: ${expect[*]}" >&2
