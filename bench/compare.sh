#!/usr/bin/env bash
# Same-run comparison of two revisions of rustko-lsp on examples/hello: a
# restructuring must keep the figures, and only an interleaved run on the same
# machine at the same load can show that. Each round runs, for the base
# revision and then for this checkout:
#   bindgen  cold binding generation of the six default headers
#            (`bindgen --no-cache`, kbuild flags cached)
#   check    a warm `check` (every cache filled: what an editor save costs
#            before the build)
#   build    `build` after touching src/lib.rs (rustc + kbuild relink)
# and reports medians of wall and CPU (user+sys) and the largest peak RSS.
# Each binary has its own cache folder: the formats differ between revisions.
# Both build the base revision's examples/hello.
#
# usage: bench/compare.sh BASE_REV [ROUNDS] [NEW_REV]
#   ROUNDS   default 5
#   NEW_REV  default: this checkout as it is (uncommitted changes included)
# needs what `make demo` installs; the Go benchmarks are compared separately
# (docs/BENCHMARKS.md says how).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
base=${1:?usage: bench/compare.sh BASE_REV [ROUNDS] [NEW_REV]}
rounds=${2:-5}
new=${3:-}

work=$(mktemp -d "${TMPDIR:-/tmp}/rustko-compare.XXXXXX")
cleanup() {
	git -C "$repo" worktree remove --force "$work/base-src" 2>/dev/null || true
	git -C "$repo" worktree remove --force "$work/head-src" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
git -C "$repo" worktree add -q --detach "$work/base-src" "$base"
(cd "$work/base-src" && go build -o "$work/base" ./cmd/rustko-lsp)
if [ -n "$new" ]; then
	git -C "$repo" worktree add -q --detach "$work/head-src" "$new"
	(cd "$work/head-src" && go build -o "$work/head" ./cmd/rustko-lsp)
	echo "base $(git -C "$repo" rev-parse --short "$base"), head $(git -C "$repo" rev-parse --short "$new")"
else
	go build -o "$work/head" ./cmd/rustko-lsp
	echo "base $(git -C "$repo" rev-parse --short "$base"), head $(git -C "$repo" rev-parse --short HEAD)$(git -C "$repo" diff --quiet HEAD || echo ' (with uncommitted changes)')"
fi

for side in base head; do
	mkdir -p "$work/$side-mod" "$work/$side-cache"
	# Both build the base revision's examples/hello: the same input, and one
	# the older binary knows how to build (later examples use newer features).
	git -C "$work/base-src" ls-files -z examples/hello | while IFS= read -r -d '' f; do
		mkdir -p "$work/$side-mod/$(dirname "${f#examples/hello/}")"
		cp "$work/base-src/$f" "$work/$side-mod/${f#examples/hello/}"
	done
	# Warm: flags, toolchain, sysroot, cargo's and kbuild's outputs.
	XDG_CACHE_HOME=$work/$side-cache "$work/$side" build "$work/$side-mod" >/dev/null 2>&1 ||
		{ echo "$side: build of examples/hello failed:" >&2; XDG_CACHE_HOME=$work/$side-cache "$work/$side" build "$work/$side-mod" >&2; exit 1; }
	# bindgen gets a cache folder of its own (flags only), so that its output
	# does not replace the bindings check and build find cached.
	(cd "$work/$side-mod" && XDG_CACHE_HOME=$work/$side-cache-bindgen "$work/$side" bindgen -o src/bench_bindings.rs linux/panic.h >/dev/null 2>&1)
	XDG_CACHE_HOME=$work/$side-cache "$work/$side" check "$work/$side-mod" >/dev/null 2>&1 || true
done

# time_one SIDE JOB CACHE CMD...: appends "wall cpu rss_kib" to $work/SIDE.JOB
time_one() {
	local side=$1 job=$2 cache=$3
	shift 3
	XDG_CACHE_HOME=$cache /usr/bin/time -f '%e %U %S %M' -o "$work/t" "$@" >/dev/null 2>&1 ||
		{ echo "$side $job failed: $*" >&2; exit 1; }
	awk '{printf "%.3f %.3f %d\n", $1, $2 + $3, $4}' "$work/t" >>"$work/$side.$job"
}

# The default header set of docs/BENCHMARKS.md's bindings figures, named
# explicitly: the revisions may read a module's header list differently.
headers=(linux/module.h linux/kernel.h linux/printk.h linux/slab.h linux/fs.h linux/uaccess.h)
for ((r = 1; r <= rounds; r++)); do
	for side in base head; do
		bin=$work/$side mod=$work/$side-mod
		time_one "$side" check "$work/$side-cache" "$bin" check "$mod"
		(cd "$mod" && time_one "$side" bindgen "$work/$side-cache-bindgen" "$bin" bindgen --no-cache -o src/bench_bindings.rs "${headers[@]}")
		touch "$mod/src/lib.rs"
		time_one "$side" build "$work/$side-cache" "$bin" build "$mod"
	done
done

median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
printf '| job | base wall | head wall | base CPU | head CPU | base peak RSS | head peak RSS |\n|---|---|---|---|---|---|---|\n'
for job in bindgen check build; do
	row="| $job"
	for col in 1 2; do
		for side in base head; do
			row+=" | $(cut -d' ' -f$col "$work/$side.$job" | median) s"
		done
	done
	for side in base head; do
		row+=" | $(cut -d' ' -f3 "$work/$side.$job" | sort -n | tail -1 | awk '{printf "%d MiB", $1 / 1024}')"
	done
	echo "$row |"
done
echo "rounds: $rounds; load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
