package targets

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRenderPerRustc(t *testing.T) {
	v := func(minor, llvm int) Toolchain {
		return Toolchain{Release: Version{Major: 1, Minor: minor}, LLVMMajor: llvm}
	}
	tests := []struct {
		name     string
		spec     string
		tc       Toolchain
		has, not []string
	}{
		{"current rustc gets the canonical form", x86, Toolchain{},
			[]string{`"target-pointer-width": 64`, `"rustc-abi": "softfloat"`, "i128:128"}, nil},
		{"1.63: string widths, no rustc-abi, LLVM 14 layout", x86, v(63, 14),
			[]string{`"target-pointer-width": "64"`, `"target-c-int-width": "32"`,
				`"data-layout": "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"`},
			[]string{"rustc-abi", "i128:128"}},
		{"1.88: x86-softfloat, still string widths", x86, v(88, 20),
			[]string{`"rustc-abi": "x86-softfloat"`, `"target-pointer-width": "64"`, `"target-c-int-width": "32"`}, nil},
		{"1.90: integer c int width, string pointer width", x86, v(90, 20),
			[]string{`"target-pointer-width": "64"`, `"target-c-int-width": 32`, `"x86-softfloat"`}, nil},
		{"1.95: softfloat on x86", x86, v(95, 22),
			[]string{`"target-pointer-width": 64`, `"rustc-abi": "softfloat"`}, nil},
		{"aarch64 before 1.96 has no rustc-abi", arm64, v(95, 22),
			[]string{`"abi": "softfloat"`, "-Fn32"}, []string{"rustc-abi"}},
		{"aarch64 from 1.96 has rustc-abi", arm64, v(96, 22),
			[]string{`"rustc-abi": "softfloat"`}, nil},
		{"aarch64 LLVM 14 layout", arm64, v(63, 14),
			[]string{`"data-layout": "e-m:e-i8:8:32-i16:16:32-i64:64-i128:128-n32:64-S128"`}, []string{"rustc-abi", "p270"}},
		{"arm before 1.85 has no llvm-floatabi", arm32, v(63, 14),
			[]string{`"target-pointer-width": "32"`}, []string{"llvm-floatabi"}},
		{"riscv64 LLVM 14 layout", rv64, v(63, 14),
			[]string{`"e-m:e-p:64:64-i64:64-i128:128-n64-S128"`}, nil},
		{"probed layout wins over the table", x86, Toolchain{Release: Version{Major: 1, Minor: 95}, LLVMMajor: 22,
			DataLayouts: map[string]string{"x86_64": "e-probed"}},
			[]string{`"data-layout": "e-probed"`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Render(tt.spec, tt.tc)
			if err != nil {
				t.Fatal(err)
			}
			s := string(out)
			for _, h := range tt.has {
				if !strings.Contains(s, h) {
					t.Errorf("rendered spec lacks %s:\n%s", h, s)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(s, n) {
					t.Errorf("rendered spec still has %s:\n%s", n, s)
				}
			}
			if _, err := Parse(out); err != nil {
				t.Errorf("rendered spec does not parse: %v\n%s", err, s)
			}
			if fs := ValidateFor(tt.spec+".json", out, tt.tc); len(fs) > 0 && tt.tc.Release.Known() {
				t.Errorf("rendered spec has findings for %s:\n%s", tt.tc.Release, findingLines(fs))
			}
		})
	}
	if _, err := Render("mips-unknown-none", Toolchain{}); err == nil || !strings.Contains(err.Error(), x86) {
		t.Errorf("unknown spec: error %v should list the embedded ones", err)
	}
}

func TestMemberSpanKeepsJSONValid(t *testing.T) {
	for _, src := range []string{
		`{"a": 1}`,
		`{"a": 1, "b": 2}`,
		"{\n  \"a\": 1,\n  \"b\": [2],\n  \"c\": {\"d\": 3}\n}\n",
	} {
		root, err := parseJSON([]byte(src))
		if err != nil {
			t.Fatal(err)
		}
		for i := range root.members {
			s, e := memberSpan(root, i)
			out, err := applyEdits([]byte(src), []textEdit{{s, e, ""}})
			if err != nil {
				t.Fatal(err)
			}
			after, err := parseJSON(out)
			if err != nil {
				t.Errorf("removing %q from %q gives invalid JSON %q: %v", root.members[i].key, src, out, err)
				continue
			}
			if len(after.members) != len(root.members)-1 || after.member(root.members[i].key) != nil {
				t.Errorf("removing %q from %q gives %q", root.members[i].key, src, out)
			}
		}
	}
	if _, err := applyEdits([]byte("abcdef"), []textEdit{{1, 4, ""}, {2, 3, "x"}}); err == nil {
		t.Error("overlapping edits were accepted")
	}
}

func TestNamesLookupForArch(t *testing.T) {
	want := []string{arm64, arm32, rv64, x86}
	if got := Names(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("Names() = %v, want %v", got, want)
	}
	specs := map[string]struct {
		arch, llvm, code string
		width            int
	}{
		x86:   {"x86_64", "x86_64-unknown-none-gnu", "kernel", 64},
		arm64: {"aarch64", "aarch64-unknown-none", "small", 64},
		arm32: {"arm", "armv7a-none-eabi", "", 32},
		rv64:  {"riscv64", "riscv64", "medium", 64},
	}
	for name, w := range specs {
		s, ok := Lookup(name + ".json")
		if !ok {
			t.Fatalf("Lookup(%s) failed", name)
		}
		if s.Arch != w.arch || s.LLVMTarget != w.llvm || s.CodeModel != w.code || s.PointerWidth != w.width ||
			s.RelocationModel != "static" || s.PanicStrategy != "abort" || s.OS != "none" {
			t.Errorf("%s: %+v", name, s)
		}
	}
	if s, _ := Lookup(x86); !s.DisableRedzone || s.RustcABI != "softfloat" {
		t.Errorf("x86_64 spec: red zone %v, rustc-abi %q", s.DisableRedzone, s.RustcABI)
	}
	for in, want := range map[string]string{
		"x86_64": x86, "amd64": x86, "x86": x86, "aarch64": arm64, "arm64": arm64, "ARM64": arm64,
		"armv7l": arm32, "arm": arm32, "riscv64": rv64, "riscv": rv64,
	} {
		if got, ok := ForArch(in); !ok || got != want {
			t.Errorf("ForArch(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "mips", "i686", "s390x"} {
		if got, ok := ForArch(in); ok {
			t.Errorf("ForArch(%q) = %q, want none", in, got)
		}
	}
	if _, ok := Lookup("nope"); ok || Data("nope") != nil {
		t.Error("unknown names must not resolve")
	}
}

func TestWriteFor(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sub")
	path, err := WriteFor(dir, x86, Toolchain{})
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(path) != x86+".json" {
		t.Errorf("path %s: rustc names the sysroot after the file stem, which must be the target name", path)
	}
	data, err := os.ReadFile(path)
	if err != nil || string(data) != string(Data(x86)) {
		t.Fatalf("written file differs: %v", err)
	}
	// An identical rewrite must not touch the file (cargo would rebuild).
	old := time.Unix(1_000_000, 0)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
	if _, err := WriteFor(dir, x86, Toolchain{}); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(path); !st.ModTime().Equal(old) {
		t.Errorf("rewriting an identical spec changed its mtime")
	}
	path, err = WriteFor(dir, x86, Toolchain{Release: Version{Major: 1, Minor: 63}, LLVMMajor: 14})
	if err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(path); !strings.Contains(string(data), `"target-pointer-width": "64"`) {
		t.Errorf("WriteFor 1.63 wrote:\n%s", data)
	}
	if _, err := WriteFor(dir, "nope", Toolchain{}); err == nil {
		t.Error("unknown name accepted")
	}
	ro := filepath.Join(t.TempDir(), "file")
	os.WriteFile(ro, nil, 0o644)
	if _, err := WriteFor(filepath.Join(ro, "x"), x86, Toolchain{}); err == nil || !strings.Contains(err.Error(), "writing target spec") {
		t.Errorf("writing under a file: error %v", err)
	}
}
