package objcheck

import (
	"bytes"
	"debug/elf"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestRelaxOne(t *testing.T) {
	const (
		gotpcrel  = elf.R_X86_64_GOTPCREL
		gotpcrelx = elf.R_X86_64_GOTPCRELX
		rex       = elf.R_X86_64_REX_GOTPCRELX
	)
	tests := []struct {
		name    string
		code    []byte // instruction(s); the relocation field is at off
		off     uint64
		typ     elf.R_X86_64
		addend  int64
		want    []byte
		wantOff uint64
		wantTyp elf.R_X86_64
		wantErr string
	}{
		{name: "call", code: []byte{0xff, 0x15, 0, 0, 0, 0}, off: 2, typ: gotpcrelx, addend: -4,
			want: []byte{0x67, 0xe8, 0, 0, 0, 0}, wantOff: 2, wantTyp: elf.R_X86_64_PLT32},
		{name: "call after other code, plain GOTPCREL", code: []byte{0x4c, 0x89, 0xfa, 0xff, 0x15, 0, 0, 0, 0, 0xc3}, off: 5, typ: gotpcrel, addend: -4,
			want: []byte{0x4c, 0x89, 0xfa, 0x67, 0xe8, 0, 0, 0, 0, 0xc3}, wantOff: 5, wantTyp: elf.R_X86_64_PLT32},
		{name: "tail jmp moves the field back", code: []byte{0xff, 0x25, 0x11, 0x22, 0x33, 0x44}, off: 2, typ: gotpcrelx, addend: -4,
			want: []byte{0xe9, 0x11, 0x22, 0x33, 0x44, 0x90}, wantOff: 1, wantTyp: elf.R_X86_64_PLT32},
		{name: "mov rax", code: []byte{0x48, 0x8b, 0x05, 0, 0, 0, 0}, off: 3, typ: rex, addend: -4,
			want: []byte{0x48, 0x8d, 0x05, 0, 0, 0, 0}, wantOff: 3, wantTyp: elf.R_X86_64_PC32},
		{name: "mov r9", code: []byte{0x4c, 0x8b, 0x0d, 0, 0, 0, 0}, off: 3, typ: rex, addend: -4,
			want: []byte{0x4c, 0x8d, 0x0d, 0, 0, 0, 0}, wantOff: 3, wantTyp: elf.R_X86_64_PC32},
		{name: "mov ecx without REX", code: []byte{0x8b, 0x0d, 0, 0, 0, 0}, off: 2, typ: gotpcrelx, addend: -4,
			want: []byte{0x8d, 0x0d, 0, 0, 0, 0}, wantOff: 2, wantTyp: elf.R_X86_64_PC32},
		{name: "addend other than -4", code: []byte{0xff, 0x15, 0, 0, 0, 0}, off: 2, typ: gotpcrelx, addend: 4,
			wantErr: "addend is 4"},
		{name: "add from the GOT", code: []byte{0x48, 0x03, 0x05, 0, 0, 0, 0}, off: 3, typ: rex, addend: -4,
			wantErr: "bytes 03 05"},
		{name: "push from the GOT", code: []byte{0xff, 0x35, 0, 0, 0, 0}, off: 2, typ: gotpcrelx, addend: -4,
			wantErr: "not call *, jmp * or mov"},
		{name: "mov through a SIB byte is not RIP-relative", code: []byte{0x8b, 0x04, 0x25, 0, 0, 0, 0}, off: 3, typ: gotpcrel, addend: -4,
			wantErr: "04 25"},
		{name: "REX_GOTPCRELX promises a REX prefix", code: []byte{0x90, 0x8b, 0x05, 0, 0, 0, 0}, off: 3, typ: rex, addend: -4,
			wantErr: "without a REX prefix"},
		{name: "offset at the section start", code: []byte{0, 0, 0, 0}, off: 0, typ: gotpcrel, addend: -4,
			wantErr: "outside"},
		{name: "field past the section end", code: []byte{0xff, 0x15, 0, 0}, off: 2, typ: gotpcrel, addend: -4,
			wantErr: "outside"},
		{name: "GOT32 cannot be relaxed", code: []byte{0xff, 0x15, 0, 0, 0, 0}, off: 2, typ: elf.R_X86_64_GOT32, addend: -4,
			wantErr: "only GOTPCREL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code := bytes.Clone(tt.code)
			r := rela{index: 3, off: tt.off, sym: 7, typ: tt.typ, addend: tt.addend}
			got, err := relaxOne(code, r)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				if !bytes.Equal(code, tt.code) {
					t.Errorf("code changed on error: % x", code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(code, tt.want) {
				t.Errorf("code = % x, want % x", code, tt.want)
			}
			want := rela{index: 3, off: tt.wantOff, sym: 7, typ: tt.wantTyp, addend: tt.addend}
			if got != want {
				t.Errorf("relocation = %+v, want %+v", got, want)
			}
		})
	}
}

const gotLibC = `extern int counter;
extern int bump(int);
int get_counter(void) { return counter; }
int call_bump(int x) { return bump(x) + 1; }
int tail_bump(int x) { return bump(x); }
`

const gotMainC = `#include <stdio.h>
int get_counter(void);
int call_bump(int);
int tail_bump(int);
int counter = 41;
int bump(int x) { return x * 2; }
int main(void) { printf("%d %d %d\n", get_counter(), call_bump(5), tail_bump(7)); return 0; }
`

// TestRelaxGOTGCC relaxes gcc's GOT forms (call, tail jmp, REX mov; with
// and without the relaxable GOTPCRELX types), checks the instructions with
// objdump, and proves the addends right by linking and running the result.
func TestRelaxGOTGCC(t *testing.T) {
	objdump := needTool(t, "objdump", "binutils")
	for _, tt := range []struct {
		name  string
		flags []string
		types []elf.R_X86_64
	}{
		{"GOTPCRELX", nil, []elf.R_X86_64{elf.R_X86_64_GOTPCRELX, elf.R_X86_64_REX_GOTPCRELX}},
		{"GOTPCREL", []string{"-Wa,-mrelax-relocations=no"}, []elf.R_X86_64{elf.R_X86_64_GOTPCREL}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			lib := compileC(t, dir, "lib", gotLibC, append([]string{"-O2", "-fPIC", "-fno-plt", "-fno-asynchronous-unwind-tables"}, tt.flags...)...)
			before := relocTypes(t, lib)
			for _, typ := range tt.types {
				if before[typ] == 0 {
					t.Fatalf("gcc made no %s relocations (%v); the test needs them", typ, before)
				}
			}
			if err := RelaxGOT(lib); err != nil {
				t.Fatal(err)
			}
			after := relocTypes(t, lib)
			if n := gotCount(after); n != 0 {
				t.Errorf("%d GOT relocations left: %v", n, after)
			}
			if after[elf.R_X86_64_PLT32] != 2 || after[elf.R_X86_64_PC32] != 1 {
				t.Errorf("relocations after relaxing = %v, want 2 PLT32 (call, jmp) and 1 PC32 (lea)", after)
			}
			dis := command(t, dir, objdump, "-dr", lib)
			for _, re := range []string{
				`67 e8 00 00 00 00\s+addr32 call .*\n\s+\S+: R_X86_64_PLT32\s+bump-0x4`,
				`e9 00 00 00 00\s+jmp .*\n\s+\S+: R_X86_64_PLT32\s+bump-0x4\n\s+\S+:\s+90\s+nop`,
				`48 8d 05 00 00 00 00\s+lea\s+0x0\(%rip\),%rax.*\n\s+\S+: R_X86_64_PC32\s+counter-0x4`,
			} {
				if !regexp.MustCompile(re).MatchString(dis) {
					t.Errorf("objdump does not show %s:\n%s", re, dis)
				}
			}
			if err := RelaxGOT(lib); err != nil {
				t.Errorf("relaxing again: %v", err)
			}
			compileC(t, dir, "main", gotMainC, "-O2", "-fno-pie")
			command(t, dir, "gcc", "-no-pie", "main.o", "lib.o", "-o", "prog")
			if out := command(t, dir, "./prog"); out != "41 11 14\n" {
				t.Errorf("relaxed code computes %q, want %q", out, "41 11 14\n")
			}
		})
	}
}

// TestRelaxGOTRefuses leaves an object it cannot fully relax untouched and
// names the symbol and place.
func TestRelaxGOTRefuses(t *testing.T) {
	dir := t.TempDir()
	src := `extern long table;
long add_table(long x) { __asm__("addq table@GOTPCREL(%%rip), %0" : "+r"(x)); return x; }
int call_bump(int x) { extern int bump(int); return bump(x) + 1; }
`
	obj := compileC(t, dir, "refuse", src, "-O2", "-fPIC", "-fno-plt")
	before, err := os.ReadFile(obj)
	if err != nil {
		t.Fatal(err)
	}
	err = RelaxGOT(obj)
	if err == nil {
		t.Fatal("RelaxGOT relaxed an add from the GOT")
	}
	for _, want := range []string{`"table"`, "R_X86_64_REX_GOTPCRELX", "in add_table", "03 05", "not call *, jmp * or mov", "left unchanged", filepath.Base(obj)} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	after, _ := os.ReadFile(obj)
	if !bytes.Equal(before, after) {
		t.Error("the object changed although RelaxGOT failed")
	}
}

func TestRelaxGOTBadInput(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		name, content, want string
	}{
		{"missing", "", "no such file"},
		{"not ELF", "hello", "not a readable ELF object"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, tt.name+".o")
			if tt.content != "" {
				os.WriteFile(p, []byte(tt.content), 0o644)
			}
			err := RelaxGOT(p)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
	// An executable is ELF but not a relocatable object.
	err := RelaxGOT("/bin/true")
	if err == nil || !strings.Contains(err.Error(), "want a relocatable object") {
		t.Errorf("err = %v for /bin/true", err)
	}
}
