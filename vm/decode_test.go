package vm

import (
	"strconv"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/build/objcheck"
)

// TestFindingPastPanicHandler: a Rust panic oopses in the rustko crate's
// BUG() (rustko/c/rustko_rt.c), under its handler (rustko/src/panic.rs),
// both files of the module; the error belongs on the line that panicked.
// The frames are those of a bounds-check panic in rust_main booted on
// 6.12 (rustc 1.63, rust-src mode).
func TestFindingPastPanicHandler(t *testing.T) {
	loc := func(file string, line int) []objcheck.Location {
		return []objcheck.Location{{File: file, Line: line, Col: 1}}
	}
	bug := DecodedFrame{Frame: Frame{Symbol: "rustko_rt_bug", Offset: 9, Module: "m", Exact: true}, Name: "rustko_rt_bug",
		Locations: loc("/m/rustko/c/rustko_rt.c", 92)}
	stop := DecodedFrame{Frame: Frame{Symbol: "_ZN6rustko5panic4stop17h5369a42e211460beE", Offset: 6, Module: "m"},
		Name: "rustko::panic::stop", Locations: loc("/m/rustko/src/panic.rs", 66)}
	handler := DecodedFrame{Frame: Frame{Symbol: "rust_begin_unwind", Offset: 0x1e2, Module: "m"}, Name: "rust_begin_unwind",
		Locations: loc("/m/rustko/src/panic.rs", 43)}
	// rustc 1.88 on mangles the handler's symbol; its file still tells it.
	mangled := handler
	mangled.Name = "__rustc::rust_begin_unwind"
	core := DecodedFrame{Frame: Frame{Symbol: "_ZN4core9panicking9panic_fmt17hbe438df0e0c85290E", Offset: 0x2c, Module: "m"},
		Name: "core::panicking::panic_fmt", Locations: loc("/usr/lib/rustlib/src/rust/library/core/src/panicking.rs", 67)}
	guess := DecodedFrame{Frame: Frame{Symbol: "__pfx_m_init", Offset: 0x10, Module: "m", Unreliable: true}, Name: "__pfx_m_init",
		Locations: loc("/m/src/m.c", 14)}
	user := DecodedFrame{Frame: Frame{Symbol: "rust_main", Offset: 0xc7, Module: "m"}, Name: "rust_main", Locations: loc("/m/src/lib.rs", 18)}
	init := DecodedFrame{Frame: Frame{Symbol: "m_init", Offset: 0x1a, Module: "m"}, Name: "m_init", Locations: loc("/m/src/m.c", 17)}
	alloc := DecodedFrame{Frame: Frame{Symbol: "rustko_rt_kmalloc", Offset: 4, Module: "m", Exact: true}, Name: "rustko_rt_kmalloc",
		Locations: loc("/m/rustko/c/rustko_rt.c", 40)}

	for _, tc := range []struct {
		name     string
		frames   []DecodedFrame
		want     string // file:line blamed
		panicked bool
		related  []string
	}{
		{"bounds check", []DecodedFrame{bug, stop, handler, guess, core, user, init}, "/m/src/lib.rs:18", true,
			[]string{"/m/src/m.c:17 called from m_init"}},
		{"mangled handler", []DecodedFrame{bug, stop, mangled, core, user, init}, "/m/src/lib.rs:18", true,
			[]string{"/m/src/m.c:17 called from m_init"}},
		{"only a guessed caller", []DecodedFrame{bug, stop, handler, core, guess}, "/m/src/m.c:14", true, nil},
		{"nothing but the handler", []DecodedFrame{bug, stop, handler, core}, "/m/rustko/c/rustko_rt.c:92", false,
			[]string{"/m/rustko/src/panic.rs:66 called from rustko::panic::stop", "/m/rustko/src/panic.rs:43 called from rust_begin_unwind"}},
		{"fault in the runtime, not a panic", []DecodedFrame{alloc, user, init}, "/m/rustko/c/rustko_rt.c:40", false,
			[]string{"/m/src/lib.rs:18 called from rust_main", "/m/src/m.c:17 called from m_init"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dec := Decoded{Report: Report{Summary: "kernel BUG at /m/rustko/c/rustko_rt.c:92!"}, Frames: tc.frames}
			f, panicked, ok := dec.finding("m")
			if !ok {
				t.Fatal("no finding")
			}
			if got := f.File + ":" + strconv.Itoa(f.Range.Start.Line); got != tc.want || panicked != tc.panicked {
				t.Errorf("blamed %s (panicked %v), want %s (panicked %v): %s", got, panicked, tc.want, tc.panicked, f.Message)
			}
			var related []string
			for _, r := range f.Related {
				related = append(related, r.File+":"+strconv.Itoa(r.Range.Start.Line)+" "+r.Message)
			}
			if strings.Join(related, "\n") != strings.Join(tc.related, "\n") {
				t.Errorf("related:\n%s\nwant:\n%s", strings.Join(related, "\n"), strings.Join(tc.related, "\n"))
			}
		})
	}
}

// TestPanicLines: the handler's lines of this module, in order, without
// the module's other lines or another module's panics.
func TestPanicLines(t *testing.T) {
	kernel := []string{
		"m: init",
		"m: panicked at src/lib.rs:18: index out of bounds: the len is 3 but the index is 7",
		"other: panicked at src/lib.rs:2: no",
		"m: not panicked at all",
		"m: panicked at src/x.rs:4: second",
	}
	got := strings.Join(panicLines(kernel, "m"), "|")
	want := "panicked at src/lib.rs:18: index out of bounds: the len is 3 but the index is 7|panicked at src/x.rs:4: second"
	if got != want {
		t.Errorf("panicLines = %q, want %q", got, want)
	}
}
