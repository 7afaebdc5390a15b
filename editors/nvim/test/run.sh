#!/usr/bin/env bash
# Runs the Neovim tests headless with editors/nvim on 'runtimepath', the way a
# user installs it: test/unit.lua always, test/e2e.lua (the real server on a
# copy of examples/hello) when RUSTKO_BIN names the rustko-lsp binary.
# Exits non-zero on any failure; the last line is "N passed, N failed".
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
nvimdir=$(dirname "$here")
repo=$(cd "$nvimdir/../.." && pwd)

if ! command -v nvim >/dev/null; then
	echo "nvim not found: install Neovim (Debian: apt-get install neovim)" >&2
	echo "0 passed, 1 failed"
	exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0

run() { # name script [env...]
	local name=$1 script=$2
	shift 2
	local results="$work/$name.results"
	: >"$results"
	env RUSTKO_RESULTS="$results" "$@" timeout 900 nvim --headless -u NONE -i NONE -n \
		--cmd "set runtimepath^=$nvimdir" -c "luafile $script" -c "cquit! 3" </dev/null >"$work/$name.log" 2>&1
	local rc=$?
	grep -E '^(ok|not ok) - ' "$results" | sed "s/^/[$name] /"
	local p f
	p=$(grep -c '^ok - ' "$results")
	f=$(grep -c '^not ok - ' "$results")
	if ((rc != 0 && f == 0)); then
		# Neovim died before the harness could say why: show its output.
		echo "[$name] not ok - nvim exited $rc without a result; its output:"
		sed 's/^/    /' "$work/$name.log" | tail -40
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
}

run unit "$here/unit.lua"

if [ -n "${RUSTKO_BIN:-}" ]; then
	module="$work/hello"
	mkdir -p "$module"
	# A copy without build output, so the test never disturbs the example.
	(cd "$repo/examples/hello" && tar --exclude=./build --exclude=./target -cf - .) | (cd "$module" && tar -xf -)
	# examples/hello prints through rustko::pr_info!; the test hovers a
	# direct _printk call and types a static inline call beside it (the
	# server's Neovim test uses the same src/lib.rs).
	cp "$repo/server/testdata/nvim/lib.rs" "$module/src/lib.rs" || exit 1
	# The pinned kernel tree, as the Go tests' (internal/testkernel):
	# $RUSTKO_TEST_KDIR, else the newest plain Debian 12 6.1 tree. The
	# module's `KERNEL_BUILD_PATH ?=` takes it from the environment.
	kdir=${RUSTKO_TEST_KDIR:-}
	if [ -z "$kdir" ]; then
		for t in $(ls -d /usr/src/linux-headers-6.1.*-amd64 2>/dev/null | sort -V); do
			[[ $(basename "$t") =~ ^linux-headers-6\.1\.[0-9]+-[0-9]+-amd64$ && -f $t/.config ]] && kdir=$t
		done
	fi
	if [ -z "$kdir" ]; then
		echo "[e2e] not ok - a kernel tree to pin: install Debian 12's linux-headers-6.1.*-amd64 or set RUSTKO_TEST_KDIR"
		echo "$passed passed, $((failed + 1)) failed"
		exit 1
	fi
	# :RustkoRun's accelerator: TCG unless told, as e2e/boot.sh (KVM hangs
	# or aborts on some machines).
	run e2e "$here/e2e.lua" RUSTKO_BIN="$RUSTKO_BIN" RUSTKO_MODULE="$module" KERNEL_BUILD_PATH="$kdir" \
		RUSTKO_VM_ACCEL="${RUSTKO_VM_ACCEL:-tcg}"
fi

echo "$passed passed, $failed failed"
((failed == 0))
