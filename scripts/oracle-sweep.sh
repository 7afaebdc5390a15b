#!/usr/bin/env bash
# The bindings' gcc oracle (bindings.TestOracleWideHeaders) over the headers
# out-of-tree modules include, on every installed kernel: each header alone with
# the default six (gcc only), then all of them together (gcc and the layout
# assertions through the current rustc). The trixie root's trees run inside it
# (scripts/in-trixie.sh) with its rustc. Logs go to OUT (default
# /tmp/rustko-oracle-sweep); the last lines summarise kernel × header.
#
# Usage: scripts/oracle-sweep.sh [HEADER]...   (default: the list below)
# Environment: OUT, KERNELS (host trees, comma-separated), TRIXIE_KERNELS (trees
# inside the root), RUSTKO_TRIXIE_ROOT.
set -uo pipefail
cd "$(dirname "$0")/.."
here=$PWD
out=${OUT:-/tmp/rustko-oracle-sweep}
mkdir -p "$out"
root=${RUSTKO_TRIXIE_ROOT:-/var/lib/rustko-lsp/trixie}
headers=("$@")
((${#headers[@]})) || headers=(linux/netdevice.h linux/skbuff.h linux/pci.h linux/usb.h linux/cdev.h linux/miscdevice.h
	linux/interrupt.h linux/workqueue.h linux/timer.h linux/hrtimer.h linux/spinlock.h linux/mutex.h linux/rwsem.h
	linux/wait.h linux/completion.h linux/kthread.h linux/sched.h linux/device.h linux/platform_device.h linux/i2c.h
	linux/spi/spi.h linux/gpio/consumer.h linux/of.h linux/dma-mapping.h linux/io.h linux/ioport.h linux/proc_fs.h
	linux/seq_file.h linux/debugfs.h linux/sysfs.h linux/kobject.h linux/list.h linux/rbtree.h linux/xarray.h
	linux/idr.h linux/bitops.h linux/atomic.h linux/refcount.h linux/rcupdate.h linux/percpu.h linux/jiffies.h
	linux/delay.h linux/firmware.h linux/input.h linux/tty.h linux/net.h net/sock.h linux/netfilter.h linux/blkdev.h
	linux/genhd.h linux/mm.h linux/vmalloc.h linux/highmem.h linux/uio.h linux/poll.h linux/eventfd.h
	linux/kprobes.h linux/ftrace.h)
kernels=${KERNELS-/usr/src/linux-headers-6.1.0-57-amd64,/usr/src/linux-headers-6.12.118+deb12-amd64,/usr/src/linux-headers-6.12.118+deb12-rt-amd64}
trixie=${TRIXIE_KERNELS-/usr/src/linux-headers-6.12.117+deb13-amd64,/usr/src/linux-headers-7.3.4+deb13-amd64}

# The test binary lives under /tmp, which the trixie root shares (OUT may not be).
bins=$(mktemp -d "${TMPDIR:-/tmp}/rustko-oracle-sweep.XXXXXX")
trap 'rm -rf "$bins"' EXIT
bin="$bins/bindings.test"
go test -c -o "$bin" ./bindings || exit 2

present() { # TREE HEADER: Debian keeps include/ in the flavour's -common tree
	local base=$1 h=$2
	[ -f "${base%-amd64}-common/include/$h" ] || [ -f "${base%-rt-amd64}-common-rt/include/$h" ] || [ -f "$base/include/$h" ]
}

# one TREE IN_TRIXIE: both runs on one tree.
one() {
	local tree=$1 chroot=$2 name=${1##*/linux-headers-} singles=() h prefix=()
	local base=$tree
	[ "$chroot" = 1 ] && base=$root$tree
	for h in "${headers[@]}"; do
		# A header the tree lacks (linux/genhd.h after 6.1) is listed in absent.txt, not run.
		if present "$base" "$h"; then singles+=("$h"); else echo "$name $h absent" >>"$out/absent.txt"; fi
	done
	local sets all
	sets=$(IFS=';'; echo "${singles[*]}")
	all=$(IFS=' '; echo "${singles[*]}")
	env=(RUSTKO_TEST_KDIR="$tree" RUSTKO_TEST_KERNELS="$tree")
	if [ "$chroot" = 1 ]; then
		prefix=("$here/scripts/in-trixie.sh")
		env+=(RUSTKO_TEST_RUSTC=/usr/bin/rustc)
	else
		prefix=(env)
	fi
	echo "== $name: ${#singles[@]} headers one by one" >&2
	(cd bindings && "${prefix[@]}" "${env[@]}" RUSTKO_ORACLE_SETS="$sets" RUSTKO_ORACLE_RUSTC=none \
		"$bin" -test.run '^TestOracleWideHeaders$' -test.v -test.count=1 -test.timeout=60m) >"$out/$name-single.log" 2>&1
	echo "== $name: all together" >&2
	(cd bindings && "${prefix[@]}" "${env[@]}" RUSTKO_ORACLE_SETS="$all" \
		"$bin" -test.run '^TestOracleWideHeaders$' -test.v -test.count=1 -test.timeout=60m) >"$out/$name-all.log" 2>&1
}

: >"$out/absent.txt"
IFS=, read -ra hk <<<"$kernels"
IFS=, read -ra tk <<<"$trixie"
for t in "${hk[@]}"; do [ -n "$t" ] && one "$t" 0; done
for t in "${tk[@]}"; do [ -n "$t" ] && one "$t" 1; done

# Summary: one line per kernel × set, from the subtest results and the oracle's
# count line: kernel, alone/together, set, PASS/FAIL, checks, mismatches, the first error.
python3 - "$out"/*.log <<'PY' | sort | tee "$out/summary.tsv"
import re, sys
for path in sys.argv[1:]:
    run = "together" if path.endswith("-all.log") else "alone"
    counts, first = {}, {}
    cur = None
    for line in open(path, errors="replace"):
        m = re.match(r"=== (?:RUN|CONT)\s+TestOracleWideHeaders/([^/]+)/(\S+)", line)
        if m:
            cur = m.group(1, 2)
            continue
        m = re.search(r"(\d+) integer checks, (\d+) bit-fields, (\d+) strings.*?; (\d+) mismatches", line)
        if m and cur:
            counts[cur] = (sum(map(int, m.group(1, 2, 3))), int(m.group(4)))
            continue
        m = re.match(r"\s+--- (PASS|FAIL): TestOracleWideHeaders/([^/]+)/(\S+)", line)
        if m:
            key = m.group(2, 3)
            n, mis = counts.get(key, ("-", "-"))
            print("\t".join([key[0], run, key[1], m.group(1), str(n), str(mis), first.get(key, "")[:300]]))
            continue
        if cur and cur not in first and re.match(r"\s+\S+\.go:\d+: ", line) and "integer checks" not in line and "compiled with" not in line:
            first[cur] = line.strip()
PY
