// Copyright 2021 The CC Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build linux

// The rustko-lsp real-header check: the installed Debian kernel headers,
// configured with the flags kbuild itself uses for an out-of-tree module,
// must translate with no errors. The flags are captured by building a trivial
// module with make V=1, so nothing about the kernel version or its compiler is
// hard-coded here.

package cc // import "modernc.org/cc/v4"

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// rustkoKbuild is what kbuild's compiler command line for a module source
// says about the translation unit.
type rustkoKbuild struct {
	kdir     string   // The -amd64 tree make -C runs in.
	cc       string   // The compiler kbuild runs, gcc-12 on Debian 12.
	includes []string // -I directories in order, absolute.
	forced   []string // -include files in order.
	opts     []string // Flags that decide predefined macros: -D, -U, -std, -m, -f, -O, -nostdinc.
}

var (
	rustkoKbuildOnce sync.Once
	rustkoKbuildVal  *rustkoKbuild
	rustkoKbuildErr  error
)

// rustkoKernelFlags builds a trivial module once per test binary and returns
// the flags kbuild used for it.
func rustkoKernelFlags(t testing.TB) *rustkoKbuild {
	t.Helper()
	rustkoKbuildOnce.Do(func() { rustkoKbuildVal, rustkoKbuildErr = captureRustkoKbuild() })
	if rustkoKbuildErr != nil {
		t.Fatal(rustkoKbuildErr)
	}
	return rustkoKbuildVal
}

func captureRustkoKbuild() (*rustkoKbuild, error) {
	kdir, err := rustkoKernelDir()
	if err != nil {
		return nil, err
	}

	if _, err := exec.LookPath("make"); err != nil {
		return nil, fmt.Errorf("make not found: apt-get install -y make")
	}

	dir, err := os.MkdirTemp("", "rustko-kbuild-")
	if err != nil {
		return nil, err
	}

	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, "Kbuild"), []byte("obj-m := p.o\n"), 0o644); err != nil {
		return nil, err
	}

	if err := os.WriteFile(filepath.Join(dir, "p.c"), []byte("#include <linux/module.h>\nMODULE_LICENSE(\"GPL\");\n"), 0o644); err != nil {
		return nil, err
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "make", "-C", kdir, "M="+dir, "V=1", "modules")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("building a trivial module in %s with make -C %s failed: %v\n%s", dir, kdir, err, out)
	}

	for _, line := range strings.Split(string(out), "\n") {
		// Before 6.13 kbuild names the source by its absolute path; since
		// then it compiles in the module's folder: -c -o p.o p.c.
		if strings.Contains(line, " -c ") && (strings.Contains(line, filepath.Join(dir, "p.c")) || rustkoRelSource.MatchString(line)) {
			return parseRustkoKbuild(kdir, line)
		}
	}
	return nil, fmt.Errorf("make -C %s M=%s V=1 printed no compiler command for p.c:\n%s", kdir, dir, out)
}

// rustkoRelSource finds the source named relative to the module's folder,
// followed by the end, a blank or kbuild's "; objtool ..." tail.
var rustkoRelSource = regexp.MustCompile(`\sp\.c(\s|;|$)`)

// rustkoKernelDir is the tree these tests pin, as rustko's
// internal/testkernel does (this module cannot import it):
// $RUSTKO_TEST_KDIR, else the newest Debian 12 6.1 amd64 tree, so an rt,
// cloud or newer tree installed beside it changes nothing.
func rustkoKernelDir() (string, error) {
	if d := os.Getenv("RUSTKO_TEST_KDIR"); d != "" {
		if _, err := os.Stat(filepath.Join(d, ".config")); err != nil {
			return "", fmt.Errorf("RUSTKO_TEST_KDIR=%s is not a configured kernel tree: %v", d, err)
		}
		return d, nil
	}
	plain := regexp.MustCompile(`^linux-headers-6\.1\.[0-9]+-([0-9]+)-amd64$`)
	kdirs, _ := filepath.Glob("/usr/src/linux-headers-6.1.*-amd64")
	best, bestABI := "", -1
	for _, d := range kdirs {
		m := plain.FindStringSubmatch(filepath.Base(d))
		if m == nil {
			continue
		}
		if abi, _ := strconv.Atoi(m[1]); abi > bestABI {
			best, bestABI = d, abi
		}
	}
	if best == "" {
		return "", fmt.Errorf("no Debian 12 kernel tree /usr/src/linux-headers-6.1.*-amd64: apt-get install -y linux-headers-amd64 (or set RUSTKO_TEST_KDIR)")
	}
	return best, nil
}

func parseRustkoKbuild(kdir, line string) (*rustkoKbuild, error) {
	if x := strings.Index(line, ";"); x >= 0 { // "; ./tools/objtool/objtool ..."
		line = line[:x]
	}
	args, err := rustkoShellWords(line)
	if err != nil {
		return nil, fmt.Errorf("kbuild command line %q: %v", line, err)
	}

	if len(args) == 0 {
		return nil, fmt.Errorf("empty kbuild command line")
	}

	r := &rustkoKbuild{kdir: kdir, cc: args[0]}
	abs := func(p string) string {
		if filepath.IsAbs(p) {
			return filepath.Clean(p)
		}
		return filepath.Join(kdir, p)
	}
	for i := 1; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-I" || a == "-include":
			if i+1 == len(args) {
				return nil, fmt.Errorf("%s without an argument", a)
			}

			i++
			if a == "-I" {
				r.includes = append(r.includes, abs(args[i]))
				break
			}

			r.forced = append(r.forced, abs(args[i]))
		case strings.HasPrefix(a, "-I"):
			r.includes = append(r.includes, abs(a[2:]))
		case a == "-o":
			i++
		case strings.HasPrefix(a, "-D"), strings.HasPrefix(a, "-U"), strings.HasPrefix(a, "-std="),
			strings.HasPrefix(a, "-m"), strings.HasPrefix(a, "-f"), strings.HasPrefix(a, "-O"), a == "-nostdinc":
			r.opts = append(r.opts, a)
		}
	}
	return r, nil
}

// rustkoShellWords splits a command line printed by make the way sh would,
// for the quoting kbuild uses: '...', "..." and backslash.
func rustkoShellWords(s string) (r []string, err error) {
	var w strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case ' ', '\t':
			if inWord {
				r = append(r, w.String())
				w.Reset()
				inWord = false
			}
		case '\'', '"':
			j := strings.IndexByte(s[i+1:], c)
			if j < 0 {
				return nil, fmt.Errorf("unterminated %c quote", c)
			}

			w.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case '\\':
			if i+1 < len(s) {
				i++
				w.WriteByte(s[i])
			}
			inWord = true
		default:
			w.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		r = append(r, w.String())
	}
	return r, nil
}

var rustkoConfigs sync.Map // *rustkoKbuild -> *Config

// config returns the Config for k, with gcc's predefined macros for the kbuild
// target flags, ABI layout and gcc's unsigned enums.
func (k *rustkoKbuild) config(t testing.TB) *Config {
	t.Helper()
	if v, ok := rustkoConfigs.Load(k); ok {
		c := *v.(*Config)
		return &c
	}

	t.Setenv("CC", k.cc)
	cfg, err := NewConfig("linux", "amd64", k.opts...)
	if err != nil {
		t.Fatalf("NewConfig with kbuild flags %q: %v", k.opts, err)
	}

	cfg.IncludePaths = append([]string{""}, k.includes...)
	cfg.SysIncludePaths = k.includes
	cfg.ABILayout = true
	cfg.UnsignedEnums = true
	rustkoConfigs.Store(k, cfg)
	c := *cfg
	return &c
}

// sources returns the translation unit kbuild compiles for a module source
// including headers: the forced includes first, in kbuild's order.
func (k *rustkoKbuild) sources(cfg *Config, headers []string) []Source {
	r := []Source{
		{Name: "<predefined>", Value: cfg.Predefined},
		{Name: "<builtin>", Value: Builtin},
	}
	for _, v := range k.forced {
		r = append(r, Source{Name: v})
	}
	var b strings.Builder
	for _, v := range headers {
		fmt.Fprintf(&b, "#include <%s>\n", v)
	}
	return append(r, Source{Name: "rustko-headers.c", Value: b.String()})
}

var (
	rustkoHeaders6 = []string{
		"linux/module.h", "linux/kernel.h", "linux/printk.h", "linux/slab.h", "linux/fs.h", "linux/uaccess.h",
	}
	rustkoHeaders20 = append(append([]string(nil), rustkoHeaders6...),
		"linux/netdevice.h", "linux/pci.h", "linux/blkdev.h", "linux/blk-mq.h", "net/sock.h",
		"linux/miscdevice.h", "linux/platform_device.h", "linux/workqueue.h", "linux/interrupt.h",
		"linux/dma-mapping.h", "linux/cdev.h", "linux/kthread.h", "linux/seq_file.h", "linux/debugfs.h",
	)
)

// rustkoLayoutSane reports records whose layout cc/v4 could not compute: a
// negative size, or an array of unknown length inside a complete struct
// that is not its flexible last member. Those were the silent defects.
func rustkoLayoutSane(ast *AST) (bad []string) {
	for st := range ast.Structs {
		if st.IsIncomplete() {
			continue
		}

		if st.Size() < 0 {
			bad = append(bad, fmt.Sprintf("%v: size %d", st, st.Size()))
			continue
		}

		for i := 0; i < st.NumFields(); i++ {
			f := st.FieldByIndex(i)
			if f.Type().Size() < 0 && !f.IsFlexibleArrayMember() {
				bad = append(bad, fmt.Sprintf("%v: member %s: size %d", st, f.Name(), f.Type().Size()))
			}
		}
	}
	sort.Strings(bad)
	return bad
}

func TestRustkoKernelHeaders(t *testing.T) {
	k := rustkoKernelFlags(t)
	t.Logf("kbuild: %s in %s, %d include dirs, forced %v", k.cc, k.kdir, len(k.includes), k.forced)
	if len(k.forced) != 3 {
		t.Fatalf("expected the three forced includes of kbuild, got %v", k.forced)
	}

	for _, test := range []struct {
		name    string
		headers []string
		header  bool
		skip    bool
	}{
		{"6", rustkoHeaders6, false, false},
		{"6/Header", rustkoHeaders6, true, false},
		{"6/SkipFunctionBodies", rustkoHeaders6, true, true},
		{"20", rustkoHeaders20, false, false},
		{"20/Header", rustkoHeaders20, true, false},
		{"20/SkipFunctionBodies", rustkoHeaders20, true, true},
	} {
		t.Run(test.name, func(t *testing.T) {
			cfg := k.config(t)
			cfg.Header = test.header
			cfg.SkipFunctionBodies = test.skip
			t0 := time.Now()
			ast, err := Translate(cfg, k.sources(cfg, test.headers))
			if err != nil {
				t.Fatalf("Translate %v: %v", test.headers, err)
			}

			t.Logf("%d headers, Header=%v, SkipFunctionBodies=%v: %v, %d structs", len(test.headers), test.header, test.skip, time.Since(t0), len(ast.Structs))
			if bad := rustkoLayoutSane(ast); len(bad) != 0 {
				t.Errorf("%d records with an unknown layout:\n%s", len(bad), strings.Join(bad, "\n"))
			}
		})
	}
}

// TestRustkoKernelSkipFunctionBodies checks Config.SkipFunctionBodies on the
// real headers: every file scope declaration, type, record layout, enum value
// and macro must be what a full parse gives.
func TestRustkoKernelSkipFunctionBodies(t *testing.T) {
	k := rustkoKernelFlags(t)
	for _, test := range []struct {
		name    string
		headers []string
	}{
		{"6", rustkoHeaders6},
		{"20", rustkoHeaders20},
	} {
		t.Run(test.name, func(t *testing.T) {
			var sums [2][]string
			for i, skip := range []bool{false, true} {
				cfg := k.config(t)
				cfg.Header = true
				cfg.SkipFunctionBodies = skip
				ast, err := Translate(cfg, k.sources(cfg, test.headers))
				if err != nil {
					t.Fatalf("Translate SkipFunctionBodies=%v: %v", skip, err)
				}

				sums[i] = rustkoFileScopeSummary(ast)
			}
			full, skipped := sums[0], sums[1]
			if len(full) < 10000 {
				t.Fatalf("only %d file scope facts, expected a kernel-sized translation unit", len(full))
			}

			n := 0
			for i := 0; i < len(full) || i < len(skipped); i++ {
				var f, s string
				if i < len(full) {
					f = full[i]
				}
				if i < len(skipped) {
					s = skipped[i]
				}
				if f != s {
					t.Errorf("fact %d differs:\nfull:    %s\nskipped: %s", i, f, s)
					if n++; n == 10 {
						t.FailNow()
					}
				}
			}
			t.Logf("%d file scope facts identical", len(full))
		})
	}
}

// BenchmarkRustkoKernel6 measures the front end alone on the 6-header
// translation unit, configured once: Header only, and with
// SkipFunctionBodies as rustko-lsp runs it.
func BenchmarkRustkoKernel6(b *testing.B) {
	k := rustkoKernelFlags(b)
	for _, skip := range []bool{false, true} {
		name := "Header"
		if skip {
			name = "SkipFunctionBodies"
		}
		b.Run(name, func(b *testing.B) {
			cfg := k.config(b)
			cfg.Header = true
			cfg.SkipFunctionBodies = skip
			src := k.sources(cfg, rustkoHeaders6)
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := rustkoCPUTime(b)
			for i := 0; i < b.N; i++ {
				if _, err := Translate(cfg, src); err != nil {
					b.Fatal(err)
				}
			}
			rustkoReportRusage(b, cpu0)
		})
	}
}

// rustkoCPUTime returns the user plus system CPU time of the process so far.
// On a shared machine the CPU time per operation, GC workers included, is a
// steadier measure of work than the wall time.
func rustkoCPUTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}

	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// rustkoReportRusage reports the CPU seconds per operation since cpu0 and the
// peak RSS of the process.
func rustkoReportRusage(b *testing.B, cpu0 time.Duration) {
	cpu := rustkoCPUTime(b) - cpu0
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}

	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(ru.Maxrss)/1024, "peak-RSS-MiB") // Maxrss is in KiB on Linux.
}

// BenchmarkRustkoKernel6Preprocess measures the preprocessor alone on the
// same translation unit.
func BenchmarkRustkoKernel6Preprocess(b *testing.B) {
	k := rustkoKernelFlags(b)
	cfg := k.config(b)
	src := k.sources(cfg, rustkoHeaders6)
	var buf bytes.Buffer
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := rustkoCPUTime(b)
	for i := 0; i < b.N; i++ {
		buf.Reset()
		if err := Preprocess(cfg, src, &buf); err != nil {
			b.Fatal(err)
		}
	}
	rustkoReportRusage(b, cpu0)
}
