#!/usr/bin/env bash
# The unit tests that read a kernel tree, run once more for each kernel tree of
# the trixie root (scripts/kernels.sh 7: the 7.x line and Debian 13's own 6.12):
# those trees need gcc-14, which only the root has. Test binaries are built here with the host's Go and run inside
# the root (scripts/in-trixie.sh) from their package folder, with the tree
# pinned through RUSTKO_TEST_KDIR (internal/testkernel) and trixie's rustc 1.85
# as both the rust-src and the "current" rustc (the root has no rustup).
#
# Usage: scripts/test-in-trixie.sh [PACKAGE[:RUN]]...   (default: the list below;
# RUN is a -test.run pattern, for packages whose other tests are pinned to 6.1)
set -euo pipefail
cd "$(dirname "$0")/.."
here=$PWD
root=${RUSTKO_TRIXIE_ROOT:-/var/lib/rustko-lsp/trixie}
# Packages whose tests read the pinned tree: flag capture and kernel discovery,
# the bindings and their gcc oracle, the helpers bridge, the header scan; of the
# analysis (whose corpus expects 6.1's headers) the tests that follow the tree.
pkgs=("$@")
((${#pkgs[@]})) || pkgs=(./module ./bindings ./bindings/cwrap ./bindings/headerscan ./bindings/verdict
	./workspace:TestPlainCharFollowsTheTree)

trees=()
for t in "$root"/usr/src/linux-headers-6.12.*+deb13-amd64 "$root"/usr/src/linux-headers-7.*+deb13-amd64; do
	[ -f "$t/Module.symvers" ] && trees+=("${t#"$root"}")
done
((${#trees[@]})) || { echo "test-in-trixie.sh: no kernel tree in $root: run scripts/kernels.sh 7" >&2; exit 2; }

bins=$(mktemp -d "${TMPDIR:-/tmp}/rustko-trixie-tests.XXXXXX")
trap 'rm -rf "$bins"' EXIT
# Tests that boot a module run e2e/boot.sh, which runs $RUSTKO_LSP (the root
# has no Go to build one).
go build -o "$bins/rustko-lsp" ./cmd/rustko-lsp
status=0
for p in "${pkgs[@]}"; do
	run=.
	if [[ $p == *:* ]]; then
		run=${p#*:} p=${p%%:*}
	fi
	name=$(echo "${p#./}" | tr / _)
	go test -c -o "$bins/$name.test" "$p"
	for t in "${trees[@]}"; do
		echo "== $p on ${t#/usr/src/linux-headers-} (inside the trixie root)"
		if ! (cd "$p" && "$here/scripts/in-trixie.sh" RUSTKO_TEST_KDIR="$t" RUSTKO_TEST_KERNELS="$t" \
			RUSTKO_TEST_RUSTC=/usr/bin/rustc RUSTKO_TEST_HOST_RUSTC=/usr/bin/rustc RUSTKO_LSP="$bins/rustko-lsp" \
			"$bins/$name.test" -test.count=1 -test.timeout=30m -test.run="$run"); then
			status=1
		fi
	done
done
exit $status
