#!/usr/bin/env bash
# Runs every Go fuzz target of the project for a short time each, so CI proves
# no parser of outside input panics or hangs on what the fuzzer finds quickly.
set -euo pipefail
time=${1:-5s}
cd "$(dirname "$0")/.."
status=0

# fuzz_one DIR PKG TARGET: every failure counts but one. Go 1.26's
# coordinator can fail a clean run with a bare "context deadline exceeded" at
# the -fuzztime boundary when a worker is mid-input (golang/go#75804, fixed in
# Go 1.27). That is not counted when no failing input was written AND the
# executions kept going to the end: an input that hangs (the demangler once
# did) stalls the count first, and that still fails.
fuzz_one() {
	local dir=$1 pkg=$2 t=$3 corpus="$1/testdata/fuzz/$3" before after
	before=$(ls "$corpus" 2>/dev/null | sort || true)
	echo "fuzz $pkg $t ($time)"
	if (cd "$dir" && go test -run '^$' -fuzz "^${t}\$" -fuzztime "$time" -fuzzminimizetime 2s .) >/tmp/rustko-fuzz.log 2>&1; then
		return
	fi
	after=$(ls "$corpus" 2>/dev/null | sort || true)
	# The execution counts of the last two progress lines at different
	# times: equal means stalled. (Go repeats its last line at the deadline
	# with the same time and count; that repeat is not a stall.)
	local counts
	counts=$(grep -oE 'elapsed: [0-9]+s, execs: [0-9]+' /tmp/rustko-fuzz.log |
		awk '{t=$2; n=$4; if (t != last) { prev=cur } cur=n; last=t} END {print prev, cur}')
	if [ "$before" = "$after" ] && grep -q 'context deadline exceeded' /tmp/rustko-fuzz.log &&
		! grep -qE 'panic:|Failing input written|hung or terminated' /tmp/rustko-fuzz.log &&
		[ "$(echo "$counts" | awk '{print ($1 != $2)}')" = 1 ]; then
		echo "  (no failing input: Go's fuzzing coordinator stopped at the deadline mid-input, golang/go#75804; not counted)"
		return
	fi
	cat /tmp/rustko-fuzz.log
	status=1
}

for pkg in $(go list ./...); do
	dir=$(go list -f '{{.Dir}}' "$pkg")
	for t in $(grep -hoE '^func Fuzz[A-Za-z0-9_]+' "$dir"/*_test.go 2>/dev/null | awk '{print $2}' | sort -u); do
		fuzz_one "$dir" "$pkg" "$t"
	done
done
# The patched C front end is a module of its own (a replace target), which
# `go list ./...` above does not reach; its fuzz targets are rustko's patches.
ccdir=third_party/modernc.org/cc/v4
for t in $(grep -hoE '^func FuzzRustko[A-Za-z0-9_]+' "$ccdir"/*_test.go | awk '{print $2}' | sort -u); do
	fuzz_one "$ccdir" modernc.org/cc/v4 "$t"
done
exit $status
