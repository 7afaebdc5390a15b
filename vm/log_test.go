package vm

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func readLog(t *testing.T, name, module string) Log {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return ParseLog(string(b), module)
}

// The serial logs in testdata are real boots of Debian's 6.1 kernel under
// QEMU (rustko-lsp run --log): examples/hello, and hello with a null
// pointer write in rust_main.
func TestParseLog(t *testing.T) {
	for _, tc := range []struct {
		log, module    string
		complete       bool
		insmod, rmmod  bool
		tainted        int64
		moduleLines    []string
		problemHas     string // "" when the run passes
		reportSummary  string
		firstFrame     Frame
		unreliableRest bool
		second         string // the call trace's first frame in the module
	}{
		{
			log: "hello-6.1.log", module: "hello", complete: true, insmod: true, rmmod: true, tainted: 12288,
			moduleLines: []string{"hello: init", "hello from rust", "hello: exit"},
		},
		{
			log: "rust-null-6.1.log", module: "hello", tainted: -1,
			moduleLines:   []string{"hello: init", "hello from rust"},
			problemHas:    "the kernel log shows BUG: kernel NULL pointer dereference, address: 0000000000000010",
			reportSummary: "BUG: kernel NULL pointer dereference, address: 0000000000000010",
			firstFrame: Frame{Text: "RIP: 0010:rust_main+0xf/0x20 [hello]", Symbol: "rust_main", Offset: 0xf, Length: 0x20,
				Module: "hello", Exact: true},
			unreliableRest: true, second: "hello_init+0x16",
		},
		{
			// The firmware's "Booting from ROM.." shares the first kernel line.
			log: "c-null-6.1.log", module: "crash", tainted: -1,
			moduleLines:   []string{"crash: init how=2", "crash from rust"},
			problemHas:    "the kernel log shows BUG: kernel NULL pointer dereference, address: 0000000000000010",
			reportSummary: "BUG: kernel NULL pointer dereference, address: 0000000000000010",
			firstFrame: Frame{Text: "RIP: 0010:c_null_write+0x5/0x15 [crash]", Symbol: "c_null_write", Offset: 0x5, Length: 0x15,
				Module: "crash", Exact: true},
			unreliableRest: false, second: "crash_init+0x30",
		},
	} {
		t.Run(tc.log, func(t *testing.T) {
			l := readLog(t, tc.log, tc.module)
			if !l.Started || !l.Loaded {
				t.Fatalf("Started %v Loaded %v, want both", l.Started, l.Loaded)
			}
			if l.Complete != tc.complete || l.InsmodOK != tc.insmod || l.RmmodOK != tc.rmmod || l.Tainted != tc.tainted {
				t.Errorf("Complete %v InsmodOK %v RmmodOK %v Tainted %d, want %v %v %v %d",
					l.Complete, l.InsmodOK, l.RmmodOK, l.Tainted, tc.complete, tc.insmod, tc.rmmod, tc.tainted)
			}
			got := l.ModuleLines()
			if len(got) < len(tc.moduleLines) || !reflect.DeepEqual(got[:len(tc.moduleLines)], tc.moduleLines) {
				t.Errorf("ModuleLines starts %q, want %q", got, tc.moduleLines)
			}
			for _, line := range got {
				if strings.Contains(line, "rustko-vm") || strings.Contains(line, "\x1b") || strings.HasPrefix(line, "[") {
					t.Errorf("a marker, escape or timestamp is left in %q", line)
				}
			}
			r := &Result{Module: tc.module, Log: l}
			problems := r.Problems(nil)
			if tc.problemHas == "" && len(problems) != 0 {
				t.Errorf("Problems = %q, want none", problems)
			}
			if tc.problemHas != "" && (len(problems) == 0 || problems[0] != tc.problemHas) {
				t.Errorf("Problems = %q, want first %q", problems, tc.problemHas)
			}
			reps := ParseReports(l.Kernel)
			if tc.reportSummary == "" {
				if len(reps) != 0 {
					t.Errorf("reports in a clean log: %+v", reps)
				}
				return
			}
			// BUG:, Oops:, the end marker and the panic are one report.
			if len(reps) != 1 || reps[0].Summary != tc.reportSummary {
				t.Fatalf("reports %+v, want one: %q", reps, tc.reportSummary)
			}
			fr := reps[0].Frames
			if len(fr) < 2 || fr[0] != tc.firstFrame {
				t.Fatalf("frames %+v, want first %+v", fr, tc.firstFrame)
			}
			for _, f := range fr[1:] {
				if tc.unreliableRest && !f.Unreliable || f.Exact {
					t.Errorf("call trace frame %+v: want unreliable (%v) and not exact", f, tc.unreliableRest)
				}
			}
			if !tc.unreliableRest && fr[1].Unreliable {
				t.Errorf("second frame %+v is marked unreliable", fr[1])
			}
			if got := fmt.Sprintf("%s+0x%x", fr[1].Symbol, fr[1].Offset); got != tc.second || fr[1].Module != tc.module {
				t.Errorf("second frame %+v, want %s [%s]", fr[1], tc.second, tc.module)
			}
		})
	}
}

func TestProblems(t *testing.T) {
	clean := readLog(t, "hello-6.1.log", "hello")
	for _, tc := range []struct {
		name   string
		edit   func(r *Result)
		expect []string
		want   []string
	}{
		{"pass", func(*Result) {}, []string{"hello from rust"}, nil},
		{"missing line", func(*Result) {}, []string{"hello: absent"}, []string{`the kernel log lacks "hello: absent"`}},
		{"timeout", func(r *Result) { r.TimedOut = true }, nil,
			[]string{"the VM did not power off in time: the module hangs (in its init or exit), or the machine is too slow (--timeout)"}},
		{"warn taint", func(r *Result) { r.Log.Tainted = 12288 | 1<<9 }, nil, []string{"the kernel is tainted W (12800) after the module ran"}},
		// Bits 14 and 15 are L (soft lockup) and K (live patch), bit 19 J.
		{"soft lockup taint", func(r *Result) { r.Log.Tainted = 12288 | 1<<14 }, nil, []string{"the kernel is tainted L (28672) after the module ran"}},
		{"live patch and fwctl taint", func(r *Result) { r.Log.Tainted = 12288 | 1<<15 | 1<<19 }, nil, []string{"the kernel is tainted KJ (569344) after the module ran"}},
		{"proprietary is fine", func(r *Result) { r.Log.Tainted = 12288 | 1 }, nil, nil},
		{"rmmod", func(r *Result) {
			r.Log.RmmodOK, r.Log.RmmodErr = false, "rmmod: can't unload module 'hello': Resource temporarily unavailable"
		}, nil,
			[]string{"rmmod failed: rmmod: can't unload module 'hello': Resource temporarily unavailable"}},
		{"insmod", func(r *Result) {
			r.Log.InsmodOK, r.Log.RmmodOK, r.Log.InsmodErr = false, false, "insmod: can't insert 'hello.ko': invalid parameter"
			r.Log.Kernel = []string{"hello: `x' invalid for parameter `n'", "hello: `x' invalid for parameter `n'"}
		}, nil, []string{"insmod failed: `x' invalid for parameter `n'"}},
		{"unknown parameter", func(r *Result) {
			r.Log.Kernel = append([]string{"hello: unknown parameter 'nosuch' ignored"}, r.Log.Kernel...)
		}, nil, []string{"the kernel unknown parameter 'nosuch' ignored"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &Result{Module: "hello", Log: clean}
			r.Log.Kernel = append([]string(nil), clean.Kernel...)
			tc.edit(r)
			if got := r.Problems(tc.expect); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Problems = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestInitramfs reads the archive back: the newc headers, names and
// contents the kernel's unpacker will see.
func TestInitramfs(t *testing.T) {
	dir := t.TempDir()
	bb, ko := dir+"/busybox", dir+"/m.ko"
	os.WriteFile(bb, []byte("BUSYBOX"), 0o755)
	os.WriteFile(ko, []byte("KO"), 0o644)
	out := dir + "/initrd"
	if err := buildInitramfs(out, bb, ko, "m", []string{"a=1", "s=it's"}, 2); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(out)
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for len(data) > 0 {
		if len(data) < 110 || string(data[:6]) != "070701" {
			t.Fatalf("bad newc header at %q", data[:min(len(data), 20)])
		}
		field := func(i int) int {
			n, err := strconv.ParseUint(string(data[6+8*i:14+8*i]), 16, 32)
			if err != nil {
				t.Fatal(err)
			}
			return int(n)
		}
		size, namesize := field(6), field(11)
		name := string(data[110 : 110+namesize-1])
		off := (110 + namesize + 3) &^ 3
		files[name] = string(data[off : off+size])
		data = data[(off+size+3)&^3:]
		if name == "TRAILER!!!" {
			break
		}
	}
	if !bytes.Equal(bytes.TrimRight(data, "\x00"), nil) {
		t.Errorf("bytes after the trailer: %q", data)
	}
	if files["bin/busybox"] != "BUSYBOX" || files["m.ko"] != "KO" || files["bin/sh"] != "busybox" {
		t.Errorf("archive holds %v", files)
	}
	if !strings.Contains(files["init"], `insmod /m.ko a=1 's=it'\''s'`) || !strings.Contains(files["init"], "sleep 2") {
		t.Errorf("init does not load the module with its quoted parameters:\n%s", files["init"])
	}
}

func TestSetupErrors(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := Boot(t.Context(), Config{KO: "testdata/none.ko"})
	se, ok := err.(*SetupError)
	if !ok || se.Install != "apt-get install -y qemu-system-x86" {
		t.Errorf("without QEMU: %v, want a SetupError with the install command", err)
	}
	// No image cached and no apt-get to download one.
	cache := t.TempDir()
	_, err = FindImage(t.Context(), cache, "0.0.0-rustko-test", io.Discard)
	if se, ok := err.(*SetupError); !ok || !strings.Contains(se.Msg, "no kernel image for 0.0.0-rustko-test") {
		t.Errorf("missing image: %v, want a SetupError naming the release", err)
	}
}

// TestParseLogInterleaved: /init's echo of the dmesg marker lands inside a
// console line the kernel is still printing (seen on 6.12-rt's threaded
// console): the kernel log is still found.
func TestParseLogInterleaved(t *testing.T) {
	b, err := os.ReadFile("testdata/hello-6.1.log")
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(b), dmesgMarker+"\r\n", "[    4.690000] late console line"+dmesgMarker+"\r\n", 1)
	if s == string(b) {
		t.Fatal("the fixture has no dmesg marker line")
	}
	l := ParseLog(s, "hello")
	if !l.Loaded || !l.Complete || !l.InsmodOK || !l.RmmodOK {
		t.Fatalf("Loaded %v Complete %v InsmodOK %v RmmodOK %v, want all", l.Loaded, l.Complete, l.InsmodOK, l.RmmodOK)
	}
	if got := l.ModuleLines(); len(got) != 3 || got[2] != "hello: exit" {
		t.Errorf("ModuleLines = %q", got)
	}
}
