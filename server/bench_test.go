package server

import (
	"bufio"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/rustko/rustko-lsp/internal/cputime"
)

// Benchmarks of what the editor waits for, on the real backend and the
// real 6.1 headers. Results and commands are in docs/BENCHMARKS.md
// ("## Server"). Each reports percentiles of its own samples as metrics.

func percentile(d []time.Duration, p float64) float64 {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := int(float64(len(s)-1) * p)
	return float64(s[i].Microseconds()) / 1000
}

// realBench starts the real server on a copy of testdata/hello with lib as
// src/lib.rs and the server's default delays (the ones editors get), opens
// lib.rs and waits for its first analysis with the index loaded.
func realBench(b *testing.B, lib string) (*harness, string) {
	b.Helper()
	requireRealTools(b)
	// The collector settings of `rustko-lsp serve`, whose server this
	// process hosts here.
	b.Cleanup(TuneMemory())
	root := copyModule(b, lib)
	logs := &syncBuffer{}
	opts := testOptions(nil, logs)
	opts.AnalysisDelay, opts.BuildDelay, opts.ReloadDelay = 0, 0, 0 // New's defaults
	opts.Backend = NewBackend(BackendOptions{Version: "bench", Logger: opts.Logger, Rustko: rustkoBinary(b)})
	h := startWith(b, opts, logs)
	p := withFolders(&protocol.InitializeParams{InitializationOptions: protocol.LSPAny(`{"buildOnSave": false}`)}, root)
	p.Capabilities.TextDocument = &protocol.TextDocumentClientCapabilities{Hover: &protocol.HoverClientCapabilities{ContentFormat: []protocol.MarkupKind{"markdown"}}}
	h.initialize(b, p)
	path := filepath.Join(root, "src", "lib.rs")
	h.open(b, path, lib)
	h.waitFor(b, realTimeout, "the index", func() bool {
		return h.hoverAt(b, path, lib, "GFP_KERNEL") != nil
	})
	return h, path
}

// BenchmarkHover: hover requests on kernel names (a record, a field of a
// struct literal, a macro constant, a function). "wire" is what the editor
// waits for: a request over the LSP pipe, JSON both ways, the reply decoded
// into protocol.Hover by this process; "wire-raw" the same with the reply
// left as bytes, since an editor decodes in its own process (the Go
// decoder's escaped-string path costs more CPU than the server's whole
// answer and, run in-process, competes with the server for the two cores);
// "handler" is the server's own work (resolution and rendering), without
// the transport.
func BenchmarkHover(b *testing.B) {
	src, err := os.ReadFile("testdata/hello/src/lib.rs")
	must(b, err)
	lib := string(src)
	h, path := realBench(b, lib)
	targets := []string{"file_operations {", "read: None", "GFP_KERNEL", "_printk("}
	body := newText(lib)
	params := make([]*protocol.HoverParams, len(targets))
	for i, at := range targets {
		params[i] = &protocol.HoverParams{TextDocumentPositionParams: protocol.TextDocumentPositionParams{
			TextDocument: protocol.TextDocumentIdentifier{URI: uri.File(path)},
			Position:     body.position(strings.Index(lib, at), utf16),
		}}
	}
	raw := func(ctx context.Context, p *protocol.HoverParams) (*protocol.Hover, error) {
		var reply jsonrpc2.RawMessage
		if _, err := h.conn.Call(ctx, protocol.MethodTextDocumentHover, p, &reply); err != nil {
			return nil, err
		}
		if !strings.Contains(string(reply), `"contents"`) {
			return nil, fmt.Errorf("hover reply without contents: %.200s", reply)
		}
		return &protocol.Hover{}, nil
	}
	for _, via := range []string{"wire", "wire-raw", "handler"} {
		b.Run(via, func(b *testing.B) {
			hover := h.server.Hover
			switch via {
			case "wire-raw":
				hover = raw
			case "handler":
				hover = h.srv.Hover
			}
			var lat []time.Duration
			cpu0 := cputime.Process()
			b.ResetTimer()
			for i := range b.N {
				start := time.Now()
				hv, err := hover(h.ctx, params[i%len(params)])
				if err != nil || hv == nil {
					b.Fatalf("hover on %q: %v, %v", targets[i%len(targets)], hv, err)
				}
				lat = append(lat, time.Since(start))
			}
			b.StopTimer()
			b.ReportMetric(percentile(lat, 0.5), "p50-ms")
			b.ReportMetric(percentile(lat, 0.99), "p99-ms")
			b.ReportMetric(float64((cputime.Process()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
	h.shutdown(b)
}

// BenchmarkAnalysisOnChange: from an edit (didChange adding or removing a
// call to a static inline function) to the publishDiagnostics that reflects
// it, including the server's quiet-keyboard delay.
func BenchmarkAnalysisOnChange(b *testing.B) {
	src, err := os.ReadFile("testdata/hello/src/lib.rs")
	must(b, err)
	for _, lines := range []int{0, 2000, 10000} {
		b.Run(fmt.Sprintf("lines=%d", max(lines, strings.Count(string(src), "\n"))), func(b *testing.B) {
			lib := string(src) + filler(lines)
			h, path := realBench(b, lib)
			anchor := strings.Index(lib, "    let flags")
			at := newText(lib).position(anchor, utf16)
			const call = "    let _p = unsafe { bindings::kmalloc(8, bindings::GFP_KERNEL) };\n"
			flagged := func() bool {
				d, _ := h.rec.diagsOf(path)
				for _, x := range d {
					if c, ok := x.Code.(protocol.String); ok && c == "inline-function" {
						return true
					}
				}
				return false
			}
			var lat []time.Duration
			version := int32(1)
			cpu0 := cputime.Process()
			b.ResetTimer()
			for i := range b.N {
				version++
				ch := &protocol.TextDocumentContentChangePartial{Range: protocol.Range{Start: at, End: at}, Text: call}
				want := true
				if i%2 == 1 { // remove the line added by the previous round
					end := protocol.Position{Line: at.Line + 1, Character: 0}
					ch = &protocol.TextDocumentContentChangePartial{Range: protocol.Range{Start: at, End: end}, Text: ""}
					want = false
				}
				start := time.Now()
				must(b, h.server.DidChange(h.ctx, &protocol.DidChangeTextDocumentParams{
					TextDocument:   protocol.VersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: uri.File(path)}, Version: version},
					ContentChanges: []protocol.TextDocumentContentChangeEvent{ch},
				}))
				h.waitFor(b, 10*time.Second, "the analysis of the edit", func() bool { return flagged() == want })
				lat = append(lat, time.Since(start))
			}
			b.StopTimer()
			b.ReportMetric(percentile(lat, 0.5), "p50-ms")
			b.ReportMetric(percentile(lat, 0.95), "p95-ms")
			// CPU per edit (client and server together, in this process):
			// what the latency would approach on an idle machine.
			b.ReportMetric(float64((cputime.Process()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
			h.shutdown(b)
		})
	}
}

// filler is n lines of rust.ko-style code calling through the bindings.
func filler(n int) string {
	var sb strings.Builder
	for i := 0; i < n/5; i++ {
		fmt.Fprintf(&sb, "\nfn f%d(p: *mut bindings::file) -> bindings::loff_t {\n    let flags = bindings::GFP_KERNEL;\n    let _ = (p, flags);\n    %d\n}", i, i)
	}
	return sb.String()
}

// BenchmarkServeRSS20Headers: the rustko-lsp process's memory with the
// index of the 20-header set loaded, after opening a file, its analysis
// and a hover. "cold" generates the bindings in the process (empty cache);
// "warm" loads them from the cache, as every later start does.
func BenchmarkServeRSS20Headers(b *testing.B) {
	requireRealTools(b)
	bin := rustkoBinary(b)
	cache := b.TempDir()
	// The same module both times: the bindings cache answers for a module
	// whose inputs did not change, as on every later start of the editor.
	root := copyModule(b, "")
	must(b, os.WriteFile(filepath.Join(root, "config.mk"), []byte("RUST_ROOT := /usr\nKERNEL_INCLUDE := "+twentyHeaders+"\n"), 0o644))
	for _, run := range []string{"cold", "warm"} {
		b.Run(run, func(b *testing.B) {
			for range b.N {
				rss, hwm := serveRSS(b, bin, cache, root)
				b.ReportMetric(rss, "rss-MiB")
				b.ReportMetric(hwm, "peak-rss-MiB")
			}
		})
	}
}

var twentyHeaders = "linux/module.h linux/kernel.h linux/printk.h linux/slab.h linux/fs.h linux/uaccess.h " +
	"linux/netdevice.h linux/pci.h linux/blkdev.h linux/blk-mq.h net/sock.h linux/miscdevice.h " +
	"linux/platform_device.h linux/workqueue.h linux/interrupt.h linux/dma-mapping.h linux/cdev.h " +
	"linux/kthread.h linux/seq_file.h linux/debugfs.h"

// BenchmarkServeRSS5MB: the process's memory with a 5 MB .rs file of the
// module open (after its analysis, or the server's refusal to analyse it,
// is published) and a hover answered in lib.rs; the budget is 300 MiB.
func BenchmarkServeRSS5MB(b *testing.B) { serveRSSBigFile(b, 5<<20) }

// BenchmarkServeRSSAtBound: the same with the largest file the server
// analyses (just under maxAnalysedBytes): what the bound costs.
func BenchmarkServeRSSAtBound(b *testing.B) { serveRSSBigFile(b, maxAnalysedBytes-4<<10) }

func serveRSSBigFile(b *testing.B, size int) {
	requireRealTools(b)
	bin := rustkoBinary(b)
	cache := b.TempDir()
	root := copyModule(b, "")
	var big strings.Builder
	// A finding on the first lines, so an analysed file publishes too.
	big.WriteString("use crate::bindings;\nfn k() { let _p = unsafe { bindings::kmalloc(8, bindings::GFP_KERNEL) }; }\n")
	for big.Len() < size {
		big.WriteString(filler(2000))
	}
	text := big.String()
	if len(text) > size {
		text = text[:strings.LastIndex(text[:size], "\n}")+2]
	}
	bigPath := filepath.Join(root, "src", "big.rs")
	must(b, os.WriteFile(bigPath, []byte(text), 0o644))
	serveRSS(b, bin, cache, root) // the bindings into the cache: memory of the editing, not of a generation
	b.ResetTimer()
	for range b.N {
		r := serveRun(b, bin, cache, root, bigPath)
		b.ReportMetric(r.rss, "rss-MiB")
		b.ReportMetric(r.hwm, "peak-rss-MiB")
		b.ReportMetric(float64(r.extraPublish.Milliseconds()), "big-publish-ms")
		b.ReportMetric(float64(len(text))/(1<<20), "file-MiB")
	}
}

// BenchmarkColdFirstHover: from starting `rustko-lsp serve` to the first
// hover with a value, on a new copy of a module whose bindings another
// copy already put in the cache (the cache is keyed by content, so the
// copy must not regenerate): "copy" is a fresh checkout (no generated
// files), "copy-built" a copy of the first module's folder with its
// generated src/bindings.rs (cp -r); "same" is the module that filled the
// cache.
func BenchmarkColdFirstHover(b *testing.B) {
	requireRealTools(b)
	bin := rustkoBinary(b)
	cache := b.TempDir()
	first := copyModule(b, "")
	serveRSS(b, bin, cache, first)
	for _, run := range []string{"copy", "copy-built", "same"} {
		b.Run(run, func(b *testing.B) {
			var lat []time.Duration
			for range b.N {
				root := first
				switch run {
				case "copy":
					root = copyModule(b, "")
				case "copy-built":
					root = copyTree(b, first)
				}
				r := serveRun(b, bin, cache, root, "")
				lat = append(lat, r.firstHover)
				b.ReportMetric(r.hwm, "peak-rss-MiB")
			}
			b.ReportMetric(percentile(lat, 0.5), "p50-ms")
			b.ReportMetric(percentile(lat, 1), "max-ms")
		})
	}
}

func serveRSS(b *testing.B, bin, cache, root string) (rss, hwm float64) {
	r := serveRun(b, bin, cache, root, "")
	return r.rss, r.hwm
}

type serveResult struct {
	rss, hwm   float64
	firstHover time.Duration // from starting the process to the first hover with a value
	// extraPublish is from starting the process to the first publish for
	// the extra file (0: none within a minute).
	extraPublish time.Duration
}

// serveRun starts `rustko-lsp serve` on root, opens extra (when set, and
// waits for its diagnostics) and src/lib.rs, and hovers in lib.rs until
// the index answers; then it reads the process's memory.
func serveRun(b *testing.B, bin, cache, root, extra string) serveResult {
	b.Helper()
	lib := filepath.Join(root, "src", "lib.rs")
	src, err := os.ReadFile(lib)
	must(b, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	args := []string{"serve"}
	if dir := os.Getenv("RUSTKO_BENCH_LOGS"); dir != "" {
		// The server's own account of where the time went, one file per run.
		f, err := os.CreateTemp(dir, "serve-*.log")
		must(b, err)
		f.Close()
		args = append(args, "--log-level", "debug", "--log-file", f.Name())
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "RUSTKO_CACHE_DIR="+cache)
	stdin, err := cmd.StdinPipe()
	must(b, err)
	stdout, err := cmd.StdoutPipe()
	must(b, err)
	start := time.Now()
	must(b, cmd.Start())
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	send := func(body string) {
		_, err := fmt.Fprintf(stdin, "Content-Length: %d\r\n\r\n%s", len(body), body)
		must(b, err)
	}
	libURI := string(uri.File(lib))
	send(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"rootUri":"` + string(uri.File(root)) + `","capabilities":{},"initializationOptions":{"buildOnSave":false}}}`)
	send(`{"jsonrpc":"2.0","method":"initialized","params":{}}`)
	frames := make(chan string, 64)
	go func() {
		defer close(frames)
		in := bufio.NewReader(stdout)
		for {
			body, err := readFrame(in)
			if err != nil {
				return
			}
			select {
			case frames <- string(body):
			case <-ctx.Done():
				return
			}
		}
	}()
	var r serveResult
	eURI := ""
	extraPublished := false // a publish for extra may come before the first hover's answer
	next := func(what string) string {
		body, ok := <-frames
		if !ok {
			b.Fatalf("the server closed its output while waiting for %s", what)
		}
		if eURI != "" && !extraPublished && strings.Contains(body, "publishDiagnostics") && strings.Contains(body, eURI) {
			extraPublished = true
			r.extraPublish = time.Since(start)
		}
		return body
	}
	if extra != "" {
		eb, err := os.ReadFile(extra)
		must(b, err)
		et, _ := jsonString(string(eb))
		eURI = string(uri.File(extra))
		send(`{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"` + eURI + `","languageId":"rust","version":1,"text":` + et + `}}}`)
	}
	text, _ := jsonString(string(src))
	send(`{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"` + libURI + `","languageId":"rust","version":1,"text":` + text + `}}}`)
	pos := newText(string(src)).position(strings.Index(string(src), "GFP_KERNEL"), utf16)
	for id := 2; r.firstHover == 0; id++ {
		send(fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"textDocument/hover","params":{"textDocument":{"uri":"%s"},"position":{"line":%d,"character":%d}}}`, id, libURI, pos.Line, pos.Character))
		for {
			body := next("a hover")
			if strings.Contains(body, fmt.Sprintf(`"id":%d,"result"`, id)) {
				if strings.Contains(body, "0xcc0") {
					r.firstHover = time.Since(start)
				}
				break
			}
		}
		if r.firstHover == 0 {
			time.Sleep(10 * time.Millisecond)
		}
	}
	if extra != "" {
		// The extra file's analysis (or the server's word that it skips
		// it) is what the memory is about; a server that never publishes
		// for it is measured after a minute.
		deadline := time.After(time.Minute)
	wait:
		for !extraPublished {
			select {
			case body, ok := <-frames:
				if !ok {
					b.Fatal("the server closed its output")
				}
				if strings.Contains(body, "publishDiagnostics") && strings.Contains(body, eURI) {
					r.extraPublish = time.Since(start)
					break wait
				}
			case <-deadline:
				b.Logf("no diagnostics for %s within a minute; measuring now", extra)
				break wait
			}
		}
	}
	r.rss, r.hwm = procMemory(b, cmd.Process.Pid)
	return r
}

// procMemory reads VmRSS and VmHWM (the peak) of a process, in MiB.
func procMemory(b *testing.B, pid int) (rss, hwm float64) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	must(b, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		kb, _ := strconv.ParseFloat(fields[1], 64)
		switch fields[0] {
		case "VmRSS:":
			rss = kb / 1024
		case "VmHWM:":
			hwm = kb / 1024
		}
	}
	return rss, hwm
}

func jsonString(s string) (string, error) {
	b, err := protocol.Marshal(protocol.String(s))
	return string(b), err
}

// copyTree copies a module's folder (regular files only) to a new place.
func copyTree(b *testing.B, src string) string {
	b.Helper()
	dst := filepath.Join(b.TempDir(), filepath.Base(src))
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	must(b, err)
	return dst
}
