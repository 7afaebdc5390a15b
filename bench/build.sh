#!/usr/bin/env bash
# Incremental rebuild of examples/hello after touching one .rs file:
# `rustko-lsp build` against the same steps run by hand (the cargo command
# rustko runs, then kbuild, then copying the .ko), interleaved in one run so
# that both see the same machine load.
#
# usage: bench/build.sh [RUNS] [--write]
#   RUNS     timed rebuilds of each kind (default 7); medians are compared
#   --write  also put the result under "## Build" in docs/BENCHMARKS.md
# needs bin/rustko-lsp (make build) and what `make demo` installs.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
runs=7
write=0
for a in "$@"; do
	case "$a" in
	--write) write=1 ;;
	*[!0-9]* | "") echo "usage: $0 [RUNS] [--write]" >&2; exit 2 ;;
	*) runs=$a ;;
	esac
done
rk=${RUSTKO:-$repo/bin/rustko-lsp}
[ -x "$rk" ] || { echo "$rk is missing: run make build" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for f in Makefile Cargo.toml config.mk.example x86_64-unknown-none-gnu.json src/lib.rs src/hello.c; do
	mkdir -p "$work/$(dirname "$f")"
	cp "examples/hello/$f" "$work/$f"
done
cd "$work"

# Warm everything both sides share: bindings, sysroot, cargo's and kbuild's
# outputs, the .cmd file kbuild's rule writes.
"$rk" build . >/dev/null 2>&1 || { "$rk" build .; exit 1; }
"$rk" build . >/dev/null 2>&1

kbuild=$work/build/kbuild
kdir=$(sed -n 's/^# Kernel tree: //p' "$kbuild/Kbuild")
# The Rust step exactly as rustko runs it: kbuild's rule holds the same cargo
# command (make-escaped: $$ is $, $(pound) is #).
rule=$(sed -n 's/^ *cmd_rustko_rust = //p' "$kbuild/Kbuild" | sed -e 's/\$\$/$/g' -e 's/\$(pound)/#/g')
[ -n "$kdir" ] && [ -n "$rule" ] || { echo "cannot read the generated Kbuild in $kbuild" >&2; exit 1; }

by_hand() {
	sh -c "$rule" >/dev/null 2>&1
	# rustko runs kbuild the same way: one job per CPU.
	make -C "$kdir" M="$kbuild" -j "$(nproc)" modules >/dev/null 2>&1
	cp "$kbuild/hello.ko" hello.ko
}
with_rustko() {
	"$rk" build . >/dev/null 2>&1
}
# timed prints "wall cpu" in seconds; cpu is user+sys of the command and
# its children, which a busy machine disturbs far less than wall time.
timed() {
	local TIMEFORMAT='%3R %3U %3S' t
	t=$({ time "$@" >/dev/null 2>&1; } 2>&1)
	awk '{ printf "%s %.3f\n", $1, $2 + $3 }' <<<"$t"
}

hand=() tool=() handcpu=() toolcpu=()
for ((i = 0; i < runs; i++)); do
	touch src/lib.rs
	read -r w c < <(timed with_rustko)
	tool+=("$w") toolcpu+=("$c")
	touch src/lib.rs
	read -r w c < <(timed by_hand)
	hand+=("$w") handcpu+=("$c")
done
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
pct() { echo "($1 - $2) / $2 * 100" | bc -l; }
mt=$(median "${tool[@]}") mh=$(median "${hand[@]}")
ct=$(median "${toolcpu[@]}") ch=$(median "${handcpu[@]}")
overhead=$(pct "$mt" "$mh")
cpuover=$(pct "$ct" "$ch")

rustc_v=$("$(sed -n 's/.*RUSTC=\([^ ]*\).*/\1/p' <<<"$rule")" --version)
report=$(cat <<MD
## Build

Incremental rebuild of examples/hello after \`touch src/lib.rs\` (cargo recompiles
the crate, kbuild relinks the module), \`bench/build.sh $runs\`, both kinds
interleaved in one run, medians of $runs each:

| | wall, median | CPU (user+sys), median | wall, all runs (s) |
|---|---|---|---|
| \`rustko-lsp build\` | $(printf '%.2f' "$mt") s | $(printf '%.2f' "$ct") s | $(printf '%.2f ' "${tool[@]}") |
| same steps by hand (cargo, make -C KDIR M=... -j N, cp) | $(printf '%.2f' "$mh") s | $(printf '%.2f' "$ch") s | $(printf '%.2f ' "${hand[@]}") |

Overhead of rustko: $(printf '%+.1f' "$overhead") % wall, $(printf '%+.1f' "$cpuover") % CPU (target: at most 5 %).
rustko's extra work per build: reading the module's variables with make, the
bindings cache check (stats every header the bindings came from), parsing
Module.symvers, the object checks, the per-module lock; what rustc says about
itself is cached (starting rustc costs half a second on a busy machine).

Measured $(date -u +%Y-%m-%d) with $rustc_v, kernel tree $kdir, on a machine
shared with other jobs (load average $(cut -d' ' -f1-3 /proc/loadavg)): absolute
times vary from run to run; the interleaving keeps the comparison fair.
MD
)
echo "$report"

if ((write)); then
	doc=$repo/docs/BENCHMARKS.md
	[ -f "$doc" ] || printf '# Benchmarks\n' >"$doc"
	# Replace only the "## Build" section (up to the next "## " heading).
	printf '%s\n' "$report" >"$work/section.md"
	awk -v sec="$work/section.md" '
		function put() { while ((getline l < sec) > 0) print l; done = 1 }
		/^## Build[ \t]*$/ { put(); skip = 1; next }
		skip && /^## / { skip = 0; print "" }
		!skip { print }
		END { if (!done) { print ""; put() } }
	' "$doc" >"$work/doc.md"
	cp "$work/doc.md" "$doc"
	echo "wrote the Build section of $doc"
fi
