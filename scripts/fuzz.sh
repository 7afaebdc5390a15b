#!/usr/bin/env bash
# Runs every Go fuzz target of the project for a short time each, so CI proves
# no parser of outside input panics on what the fuzzer finds quickly.
set -euo pipefail
time=${1:-5s}
cd "$(dirname "$0")/.."
status=0
for pkg in $(go list ./...); do
	dir=$(go list -f '{{.Dir}}' "$pkg")
	for t in $(grep -hoE '^func Fuzz[A-Za-z0-9_]+' "$dir"/*_test.go 2>/dev/null | awk '{print $2}' | sort -u); do
		echo "fuzz $pkg $t ($time)"
		if ! go test -run '^$' -fuzz "^${t}\$" -fuzztime "$time" -fuzzminimizetime 2s "$pkg" >/tmp/rustko-fuzz.log 2>&1; then
			cat /tmp/rustko-fuzz.log
			status=1
		fi
	done
done
# The patched C front end is a module of its own (a replace target), which
# `go list ./...` above does not reach; its fuzz targets are rustko's patches.
ccdir=third_party/modernc.org/cc/v4
for t in $(grep -hoE '^func FuzzRustko[A-Za-z0-9_]+' "$ccdir"/*_test.go | awk '{print $2}' | sort -u); do
	echo "fuzz modernc.org/cc/v4 $t ($time)"
	if ! (cd "$ccdir" && go test -run '^$' -fuzz "^${t}\$" -fuzztime "$time" -fuzzminimizetime 2s .) >/tmp/rustko-fuzz.log 2>&1; then
		cat /tmp/rustko-fuzz.log
		status=1
	fi
done
exit $status
