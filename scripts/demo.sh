#!/usr/bin/env bash
# The main job on examples/hello: what a module author sees from the command
# line. check prints the kernel found, the flags captured from kbuild and the
# module's configuration, then its findings; build makes hello.ko.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=bin/rustko-lsp
echo "== rustko-lsp check examples/hello"
$bin check examples/hello
echo
echo "== rustko-lsp build examples/hello"
$bin build examples/hello
echo
echo "== modinfo examples/hello/hello.ko"
# kmod is one of the demo's dependencies (scripts/deps.sh); root's PATH may
# lack /sbin, where older systems keep it.
PATH=$PATH:/sbin:/usr/sbin modinfo examples/hello/hello.ko | grep -E '^(filename|license|vermagic|name):'
