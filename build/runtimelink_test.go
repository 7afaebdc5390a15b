package build

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/diagnostics"
)

func TestUseRustkoEdit(t *testing.T) {
	tests := []struct {
		name string
		src  string
		line int // where the use goes; 0: no edit
	}{
		{"the scaffold's", "//! The Rust side.\n//! More.\n#![no_std]\n\n// bindings\n#[allow(dead_code)]\nmod bindings;\n", 4},
		{"attributes only", "#![no_std]\n#![allow(unused)]\nfn f() {}\n", 3},
		{"doc after the attribute", "#![no_std]\n//! docs\n\nfn f() {}\n", 3},
		{"no inner attributes", "// a comment\nfn f() {}\n", 1},
		{"an attribute over lines", "#![cfg_attr(\n    test, allow(unused)\n)]\nfn f() {}\n", 0},
		{"nothing but attributes", "#![no_std]", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "lib.rs")
			if err := os.WriteFile(p, []byte(tt.src), 0o644); err != nil {
				t.Fatal(err)
			}
			e, ok := useRustkoEdit(p)
			if tt.line == 0 {
				if ok {
					t.Errorf("an edit for a file it does not understand: %+v", e)
				}
				return
			}
			if !ok || e.File != p || e.Range != diagnostics.Point(tt.line, 1) || e.NewText != useRustko+"\n" {
				t.Errorf("edit %+v (%v), want %q at line %d", e, ok, useRustko, tt.line)
			}
		})
	}
}

// TestUnlinkedRuntimeExplained builds examples/hello with a lib.rs that no
// longer names the rustko crate: rustc's missing-panic-handler error says
// why and offers the fix, and the fixed module builds.
func TestUnlinkedRuntimeExplained(t *testing.T) {
	needTools(t)
	m := exampleModule(t, debianRustRoot)
	lib := filepath.Join(m.Root, "src", "lib.rs")
	src, err := os.ReadFile(lib)
	if err != nil {
		t.Fatal(err)
	}
	unnamed := strings.Replace(string(src), `rustko::pr_info!("hello from rust");`, "", 1)
	if unnamed == string(src) {
		t.Fatal("examples/hello's lib.rs no longer prints with rustko::pr_info!: update the test")
	}
	if err := os.WriteFile(lib, []byte(unnamed), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := build(t, m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var fix *diagnostics.Fix
	for _, f := range res.Findings {
		if strings.Contains(f.Message, "panic_handler") && strings.Contains(f.Message, "use rustko as _;") && len(f.Fixes) == 1 {
			fix = &f.Fixes[0]
		}
	}
	if fix == nil {
		t.Fatalf("no explained panic-handler error with a fix: %v", res.Findings)
	}
	e := fix.Edits[0]
	lines := strings.SplitAfter(unnamed, "\n")
	fixed := strings.Join(lines[:e.Range.Start.Line-1], "") + e.NewText + strings.Join(lines[e.Range.Start.Line-1:], "")
	if err := os.WriteFile(lib, []byte(fixed), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err = build(t, m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.HasErrors() || res.KO == "" {
		t.Fatalf("the fixed module does not build: %v", res.Findings)
	}
}
