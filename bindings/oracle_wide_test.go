package bindings

import (
	"context"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rustko/rustko-lsp/internal/testkernel"
)

// wideHeaders are headers out-of-tree modules include beyond twentyHeaders
// (timers, locks, USB, I2C/SPI, input, tty, proc and sysfs, memory): the
// oracle runs them with the default set on the pinned tree, in about a
// minute. scripts/oracle-sweep.sh runs a wider list on every kernel through
// RUSTKO_ORACLE_SETS.
var wideHeaders = []string{
	"linux/usb.h", "linux/i2c.h", "linux/spi/spi.h", "linux/input.h", "linux/tty.h", "linux/hrtimer.h",
	"linux/proc_fs.h", "linux/gpio/consumer.h", "linux/of.h", "linux/firmware.h", "linux/xarray.h",
	"linux/idr.h", "linux/rbtree.h", "linux/kprobes.h", "linux/eventfd.h", "linux/uio.h", "linux/sysfs.h", "linux/io.h",
}

// oracleSets are the header sets TestOracleWideHeaders checks, each added
// to the default six: wideHeaders, or $RUSTKO_ORACLE_SETS (sets separated by
// ';', headers by spaces or commas). $RUSTKO_ORACLE_RUSTC=none leaves the
// Rust compile out, for a sweep of many sets (the layout assertions are
// compiled once per tree on the whole list).
func oracleSets() [][]string {
	env := os.Getenv("RUSTKO_ORACLE_SETS")
	if env == "" {
		return [][]string{withDefaults(wideHeaders)}
	}
	var sets [][]string
	for _, s := range strings.Split(env, ";") {
		hs := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' })
		if len(hs) > 0 {
			sets = append(sets, withDefaults(hs))
		}
	}
	return sets
}

func withDefaults(hs []string) []string {
	out := append([]string(nil), sixHeaders...)
	for _, h := range hs {
		if !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	return out
}

// setName names a set's subtest after the headers it adds to the default.
func setName(hs []string) string {
	extra := hs[len(sixHeaders):]
	switch len(extra) {
	case 0:
		return "default"
	case 1:
		return extra[0]
	}
	return extra[0] + "+" + strconv.Itoa(len(extra)-1)
}

// TestOracleWideHeaders checks the bindings of wideHeaders (with the
// default set) against gcc on the pinned tree, or on the trees of
// $RUSTKO_TEST_KERNELS when set. The test never skips.
func TestOracleWideHeaders(t *testing.T) {
	dirs := []string{testkernel.Dir(t)}
	if os.Getenv("RUSTKO_TEST_KERNELS") != "" {
		dirs = testkernel.All(t)
	}
	rustc := os.Getenv("RUSTKO_ORACLE_RUSTC") != "none"
	for _, dir := range dirs {
		t.Run(dir[strings.LastIndex(dir, "/")+1:], func(t *testing.T) {
			for _, hs := range oracleSets() {
				t.Run(setName(hs), func(t *testing.T) {
					// The current rustc only: 1.63 takes minutes over large
					// sets' layout assertions, and TestOracleSixHeaders holds
					// it to the default set on every tree.
					runOracleWith(t, dir, hs, rustc)
				})
			}
		})
	}
}

// runOracleWith is runOracleOn with the Rust compile optional.
func runOracleWith(t *testing.T, kdir string, headers []string, rustc bool) {
	if rustc {
		runOracleOn(t, kdir, headers, false)
		return
	}
	k, f := kernelAt(t, kdir)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	g, err := run(ctx, &Options{Kernel: k, Flags: f, Headers: headers, Version: "oracle"}, func(string) {})
	if err != nil {
		t.Fatal(err)
	}
	checkWithGCC(t, ctx, f, g.unit, t.TempDir())
}
