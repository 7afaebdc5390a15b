package rustsrc

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rustko/rustko-lsp/bindings"
	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/internal/cputime"
)

// bigFile writes about n lines of rust.ko-style module code: calls through
// the bindings, imports, an extern block, literal and non-literal formats,
// constants, so every check has work to do.
func bigFile(n int) []byte {
	var b strings.Builder
	b.WriteString("#![no_std]\nmod bindings;\nuse bindings::{kmalloc, kfree, GFP_KERNEL};\nuse core::ffi::c_void;\n\n")
	b.WriteString("extern \"C\" {\n    fn __kmalloc(size: usize, flags: u32) -> *mut c_void;\n    fn _printk(fmt: *const i8, ...) -> i32;\n}\n\n")
	for i := 0; ; i++ {
		block := fmt.Sprintf(`/// Allocates and logs buffer %d.
#[no_mangle]
pub extern "C" fn work_%d(len: usize, dev: *mut bindings::file) -> i32 {
    let buf = unsafe { bindings::__kmalloc(len, bindings::GFP_KERNEL) } as *mut u8;
    if buf.is_null() {
        return -12;
    }
    let mut total: u64 = 0;
    for i in 0..len {
        total += (i as u64) * 3 + %d;
    }
    unsafe {
        _printk(b"\x016work %%llu\n\0".as_ptr() as *const i8, total);
        bindings::kfree(buf as *const c_void);
        let p = kmalloc(len, GFP_KERNEL);
        kfree(p);
    }
    let _ = dev;
    0
}

`, i, i, i)
		if strings.Count(b.String(), "\n")+strings.Count(block, "\n") > n {
			break
		}
		b.WriteString(block)
	}
	for strings.Count(b.String(), "\n") < n {
		b.WriteString("// padding\n")
	}
	return []byte(b.String())
}

// benchEnv analyses against the index generated from the real headers
// (the default six), as the editor does.
func benchEnv(b *testing.B) *Env {
	env := &Env{Index: realIndex(b)}
	env.prepare()
	return env
}

// BenchmarkLoadIndex is the other budget: loading the stored index of the
// default headers (≤ 50 ms), what a server does when it opens a module.
func BenchmarkLoadIndex(b *testing.B) {
	realIndex(b)
	genMu.Lock()
	file := genFiles[""]
	genMu.Unlock()
	st, err := os.Stat(file)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	m := meterCPU(b)
	defer m.report()
	for b.Loop() {
		ix, err := bindings.LoadIndex(file)
		if err != nil {
			b.Fatal(err)
		}
		if len(ix.Items) == 0 {
			b.Fatal("empty index")
		}
	}
}

// BenchmarkAnalyze2000 is the budget the editor lives with: analysis of a
// 2,000-line file, parse included, against a loaded index (≤ 20 ms).
func BenchmarkAnalyze2000(b *testing.B) {
	src := bigFile(2000)
	env := benchEnv(b)
	b.ReportMetric(float64(strings.Count(string(src), "\n")), "lines")
	m := meterCPU(b)
	defer m.report()
	for b.Loop() {
		f, err := ParseWith("/m/src/lib.rs", src, env)
		if err != nil {
			b.Fatal(err)
		}
		Analyze(f, env)
	}
}

// BenchmarkAnalyzeOnly2000 leaves the parse out: the server re-analyses a
// parsed file when only the index changed.
func BenchmarkAnalyzeOnly2000(b *testing.B) {
	src := bigFile(2000)
	env := benchEnv(b)
	f, err := ParseWith("/m/src/lib.rs", src, env)
	if err != nil {
		b.Fatal(err)
	}
	m := meterCPU(b)
	defer m.report()
	for b.Loop() {
		Analyze(f, env)
	}
}

func TestBigFileFindings(t *testing.T) {
	// The benchmark's file must exercise the checks, not be trivially clean.
	src := bigFile(2000)
	if n := strings.Count(string(src), "\n"); n < 1990 || n > 2010 {
		t.Fatalf("bigFile(2000) has %d lines", n)
	}
	env := &Env{Index: fixtureIndex(t)}
	f, err := ParseWith("/m/src/lib.rs", src, env)
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]int{}
	for _, x := range Analyze(f, env) {
		codes[x.Code]++
	}
	if codes[diagnostics.CodeInlineFunction] == 0 || codes[diagnostics.CodeSignatureMismatch] != 0 {
		t.Errorf("findings by code: %v", codes)
	}
}

// BenchmarkReanalyze2000 is the editor's loop: one keystroke in the middle
// of a 2,000-line file, reparsed incrementally and analysed again.
func BenchmarkReanalyze2000(b *testing.B) {
	src := bigFile(2000)
	env := benchEnv(b)
	f, err := ParseWith("/m/src/lib.rs", src, env)
	if err != nil {
		b.Fatal(err)
	}
	mid := len(src) / 2
	edited := append(append(append([]byte(nil), src[:mid]...), ' '), src[mid:]...)
	m := meterCPU(b)
	defer m.report()
	for b.Loop() {
		nf, err := f.Reparse(edited, env)
		if err != nil {
			b.Fatal(err)
		}
		Analyze(nf, env)
	}
}

func TestReparseSameFindings(t *testing.T) {
	env := &Env{Index: fixtureIndex(t)}
	src := bigFile(200)
	f, err := ParseWith("/m/src/lib.rs", src, env)
	if err != nil {
		t.Fatal(err)
	}
	edited := []byte(strings.Replace(string(src), "bindings::kfree(buf", "bindings::kmalloc(buf", 1))
	re, err := f.Reparse(edited, env)
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := ParseWith("/m/src/lib.rs", edited, env)
	if err != nil {
		t.Fatal(err)
	}
	a, b := fmt.Sprint(Analyze(re, env)), fmt.Sprint(Analyze(fresh, env))
	if a != b {
		t.Errorf("reparsed findings differ:\n%s\nfresh:\n%s", a, b)
	}
	if len(Analyze(f, env)) == len(Analyze(re, env)) {
		t.Error("the edit added an inline-function finding, but the counts are equal")
	}
}

// cpuMeter reports CPU time (user + system, every thread: GC included) per
// operation next to the wall time: on a shared machine the wall time moves
// with everyone else's load, the CPU time much less.
type cpuMeter struct {
	b     *testing.B
	start time.Duration
}

func meterCPU(b *testing.B) *cpuMeter { return &cpuMeter{b: b, start: cputime.Process()} }

func (m *cpuMeter) report() {
	if n := m.b.N; n > 0 {
		m.b.ReportMetric(float64(cputime.Process()-m.start)/float64(n)/1e6, "cpu-ms/op")
	}
}
