package migrate

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/module"
)

// planFor writes files into a fresh module folder and plans its migration.
// Only the variables migrate reads are set, as the Makefile would: the Rust
// and C files under src/ and the x86_64 target spec when there is one.
func planFor(t *testing.T, files map[string]string) (string, *Plan) {
	t.Helper()
	root := t.TempDir()
	m := &module.Module{Root: root}
	for rel, text := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		switch {
		case strings.HasPrefix(rel, "src/") && strings.HasSuffix(rel, ".rs"):
			m.Vars.RustFiles = append(m.Vars.RustFiles, p)
		case strings.HasPrefix(rel, "src/") && strings.HasSuffix(rel, ".c"):
			m.Vars.CFiles = append(m.Vars.CFiles, p)
		case rel == "x86_64-unknown-none-gnu.json":
			m.Vars.Target = p
		}
	}
	plan, err := NewPlan(m)
	if err != nil {
		t.Fatal(err)
	}
	return root, plan
}

// planText is the plan as the user reads it: each finding's file:line and
// message, then the notes.
func planText(root string, p *Plan) string {
	var b strings.Builder
	for _, f := range p.Findings {
		rel, _ := filepath.Rel(root, f.File)
		b.WriteString(rel + ":" + itoa(f.Range.Start.Line) + ": " + f.Message)
		if len(f.Fixes) == 0 {
			b.WriteString(" (no fix)")
		}
		b.WriteString("\n")
	}
	for _, n := range p.Notes {
		b.WriteString("note: " + n + "\n")
	}
	return b.String()
}

func itoa(n int) string { return strconv.Itoa(n) }

const legacyStdCrate = "[package]\nname = \"linux-std\"\nversion = \"0.1.0\"\nbuild = \"build.rs\"\n\n[build-dependencies]\nbindgen = \"0.46\"\n"

// TestRustKoEraConstructs: constructs found in real rust.ko-era projects
// (tsgates/rust.ko and its forks, kernel-roulette, faulty-rust.ko), each in a
// minimal module written for the test, and what the migrated files hold.
func TestRustKoEraConstructs(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		// after: for each file, texts it holds after the migration;
		// "!text" is a text it must no longer hold.
		after map[string][]string
		plan  []string // texts the printed plan holds; "!text" one it must not
	}{{
		// kernel-roulette: comment lines between the rule and its recipe.
		name: "recipe with comment lines",
		files: map[string]string{
			"Makefile":  "export KERNEL_MODULE := m\n\nall: build/Makefile\n# kbuild runs from the kernel tree\n\n\t$(MAKE) -C $(KDIR) M=$(PWD)/build modules\n\nclean:\n\trm -rf build\n",
			"kbuild.mk": "obj-m := m.o\n\tcd $(BASE_DIR) && xargo build\n",
		},
		after: map[string][]string{"Makefile": {"all:\n\t$(RUSTKO) build .\n\nclean:\n\trm -rf build\n", "!$(MAKE) -C"}},
		plan:  []string{"Makefile:3: `make` builds through kbuild.mk with xargo"},
	}, {
		// faulty-rust.ko: `all modules:` is one rule for two targets.
		name: "rule for all and another target",
		files: map[string]string{
			"Makefile":  "export CARGO = xargo\n\nall modules: build/Makefile\n\t@$(MAKE) -C $(KDIR) M=$(PWD)/build modules\n\tcp build/m.ko m.ko\n\n.PHONY: all modules\n",
			"kbuild.mk": "obj-m := m.o\n",
		},
		after: map[string][]string{"Makefile": {"all modules:\n\t$(RUSTKO) build .\n\n.PHONY: all modules\n", "!cp build/m.ko"}},
		plan:  []string{"Makefile:3: `make` builds through kbuild.mk with xargo"},
	}, {
		// kernel-roulette: its own #[panic_handler] reads info.message(),
		// which needs panic_info_message before 1.81.
		name: "own panic handler keeps panic_info_message",
		files: map[string]string{
			"src/lib.rs":  "#![no_std]\n#![feature(lang_items)]\n#![feature(panic_info_message)]\nmod lang;\n",
			"src/lang.rs": "use core::panic::PanicInfo;\n\n#[panic_handler]\nfn on_panic(info: &PanicInfo) -> ! {\n    if let Some(m) = info.message() {\n        let _ = m;\n    }\n    loop {}\n}\n",
		},
		after: map[string][]string{"src/lib.rs": {"#![feature(panic_info_message)]", "!lang_items"}},
		plan:  []string{"note: src/lib.rs:3: #![feature(panic_info_message)] stays"},
	}, {
		// kernel-roulette: features on lines of their own that migrate does
		// not know are named in the plan.
		name: "unknown features are named",
		files: map[string]string{
			"src/lib.rs": "#![no_std]\n#![feature(alloc)]\n#![feature(alloc_error_handler)]\n",
		},
		after: map[string][]string{"src/lib.rs": {"#![feature(alloc_error_handler)]", "!feature(alloc)]"}},
		plan:  []string{"note: src/lib.rs:3: #![feature(alloc_error_handler)] stays"},
	}, {
		// tsgates/rust.ko, tbelaire/rust.ko: panic_fmt with no std/ crate, so
		// no rustko crate comes to give a #[panic_handler].
		name: "panic_fmt without the rustko crate",
		files: map[string]string{
			"src/lib.rs":  "#![feature(lang_items)]\n#![no_std]\nmod lang;\n",
			"src/lang.rs": "use core;\n\n#[lang = \"panic_fmt\"]\nextern fn panic_impl(_: core::fmt::Arguments, _: &'static str, _: u32) -> ! {\n\tloop{}\n}\n",
		},
		after: map[string][]string{"src/lang.rs": {"#[panic_handler]\nfn panic_impl(_info: &core::panic::PanicInfo) -> ! {\n    loop {}\n}\n", "!#[lang"}},
		plan:  []string{`src/lang.rs:3: obsolete lang item "panic_fmt": rustc asks for a #[panic_handler] instead`},
	}, {
		name: "panic_fmt that does more than loop, without the rustko crate",
		files: map[string]string{
			"src/lib.rs":  "#![feature(lang_items)]\n#![no_std]\nmod lang;\n",
			"src/lang.rs": "#[lang = \"panic_fmt\"]\nextern fn panic_fmt(_: core::fmt::Arguments, file: &'static str, line: u32) -> ! {\n    unsafe { report(file, line) };\n    loop {}\n}\n",
		},
		after: map[string][]string{"src/lang.rs": {"#[lang = \"panic_fmt\"]"}, "src/lib.rs": {"#![feature(lang_items)]"}},
		plan:  []string{`src/lang.rs:1: obsolete lang item "panic_fmt"`, "(no fix)"},
	}, {
		// tsgates/rust.ko, tbelaire/rust.ko: core from nightly-libcore.
		name: "core from git",
		files: map[string]string{
			"Cargo.toml": "[package]\nname = \"m\"\n\n[lib]\ncrate-type = [\"staticlib\"]\n\n[dependencies.core]\ngit = \"https://github.com/phil-opp/nightly-libcore.git\"\nfeatures = [\"disable_float\"]\n",
		},
		after: map[string][]string{"Cargo.toml": {"crate-type = [\"staticlib\"]\n", "!nightly-libcore", "![dependencies.core]"}},
		plan:  []string{"Cargo.toml:7: the `core` dependency"},
	}, {
		// tbelaire/rust.ko: the Makefile runs rustc itself; its kbuild.mk
		// (of another era) is not used, and there is no Xargo.toml.
		name: "rustc called by the Makefile",
		files: map[string]string{
			"Makefile":  "KDIR ?= /lib/modules/$(shell uname -r)/build\n\nall: m.o\n\t$(MAKE) -C $(KDIR) M=$(PWD) modules\n\nm.o: src/lib.rs\n\trustc -O --emit obj --crate-type lib src/lib.rs -o $@\n",
			"kbuild.mk": "obj-m := m.o\n",
		},
		plan: []string{"Makefile:3: `make` builds with rustc for a target spec", "; kbuild.mk stays but is no longer used", "!Xargo"},
	}, {
		// HolmesSherlock/rust.ko: compiler_builtins from git, linked by name.
		name: "compiler_builtins from git",
		files: map[string]string{
			"Cargo.toml": "[package]\nname = \"m\"\n\n[dependencies]\ncompiler_builtins = { git = \"https://github.com/rust-lang-nursery/compiler-builtins\" }\n",
			"src/lib.rs": "#![feature(compiler_builtins_lib)]\n#![no_std]\nextern crate compiler_builtins;\n\nfn f() {}\n",
		},
		after: map[string][]string{
			"Cargo.toml": {"[dependencies]\n", "!compiler-builtins"},
			"src/lib.rs": {"#![no_std]\n", "fn f() {}", "!extern crate compiler_builtins", "!#![feature"},
		},
		plan: []string{"Cargo.toml:5: the `compiler_builtins` dependency", "src/lib.rs:3: `extern crate compiler_builtins;`"},
	}, {
		// tbelaire/rust.ko: StrExt went with core_str_ext.
		name: "StrExt import",
		files: map[string]string{
			"src/lib.rs": "#![feature(core_str_ext)]\n#![no_std]\n\nuse core::str::StrExt;\nuse core::mem;\n",
		},
		after: map[string][]string{"src/lib.rs": {"use core::mem;", "!StrExt", "!#![feature"}},
		plan:  []string{"src/lib.rs:4: `use core::str::StrExt;`"},
	}, {
		// faulty-rust.ko, tbelaire/rust.ko: paths into linux-std's os::kernel
		// (the generated bindings), os::raw and its re-exports of core.
		name: "paths into the std crate",
		files: map[string]string{
			"Cargo.toml":     "[package]\nname = \"m\"\n\n[dependencies.linux-std]\npath = \"std\"\n\n[workspace]\nmembers = [ \".\", \"std\" ]\n",
			"std/Cargo.toml": legacyStdCrate,
			"std/build.rs":   "fn main() {}\n",
			"src/lib.rs":     "#![no_std]\n\n#[macro_use]\nextern crate linux_std as std;\n\nuse std::os::raw::c_void;\nuse std::os::kernel;\nmod a;\n\nfn f(p: *mut c_void) -> usize {\n    unsafe { std::os::kernel::kfree(p) };\n    std::mem::size_of::<u64>()\n}\n",
			"src/a.rs":       "use std::os::raw::{c_char, c_int};\nuse std::os::kernel::loff_t;\nuse std::os::errors::ERROR;\n\nfn g(o: *mut loff_t) { let _ = ::std::ptr::null::<c_char>(); }\n",
		},
		after: map[string][]string{
			"src/lib.rs": {"use crate::bindings::c_void;", "use crate::bindings as kernel;", "crate::bindings::kfree(p)", "core::mem::size_of", "!use std::", "!std::mem", "!std::os::kernel::kfree"},
			"src/a.rs":   {"use crate::bindings::{c_char, c_int};", "use crate::bindings::loff_t;", "core::ptr::null", "use std::os::errors::ERROR;"},
			"Cargo.toml": {"members = [ \".\" ]", "rustko = { path = \"rustko\" }"},
		},
		plan: []string{"src/a.rs:1: paths into the linux-std crate", "note: src/a.rs:3: std::os::errors"},
	}, {
		// faulty-rust.ko as stored: std/ (a submodule?) is not there, but the
		// dependency is linux-std by name.
		name: "linux-std whose folder is missing",
		files: map[string]string{
			"Cargo.toml": "[package]\nname = \"m\"\n\n[dependencies.linux-std]\npath = \"std\"\n",
			"src/lib.rs": "#![no_std]\n#[macro_use]\nextern crate linux_std as std;\n",
		},
		after: map[string][]string{"Cargo.toml": {"rustko = { path = \"rustko\" }", "!linux-std"}, "src/lib.rs": {"extern crate rustko;"}},
		plan:  []string{"Cargo.toml:4: the linux-std crate at std/", "std/ is not there"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			root, plan := planFor(t, tc.files)
			text := planText(root, plan)
			for _, w := range tc.plan {
				if neg, ok := strings.CutPrefix(w, "!"); ok {
					if strings.Contains(text, neg) {
						t.Errorf("the plan holds %q:\n%s", neg, text)
					}
				} else if !strings.Contains(text, w) {
					t.Errorf("the plan lacks %q:\n%s", w, text)
				}
			}
			contents, _, err := plan.Contents()
			if err != nil {
				t.Fatalf("%v\n%s", err, text)
			}
			for rel, wants := range tc.after {
				p := filepath.Join(root, filepath.FromSlash(rel))
				got, ok := contents[p]
				if !ok {
					got = []byte(tc.files[rel]) // unchanged
				}
				for _, w := range wants {
					if neg, ok := strings.CutPrefix(w, "!"); ok {
						if strings.Contains(string(got), neg) {
							t.Errorf("%s still holds %q:\n%s", rel, neg, got)
						}
					} else if !strings.Contains(string(got), w) {
						t.Errorf("%s lacks %q:\n%s", rel, w, got)
					}
				}
			}
		})
	}
}
