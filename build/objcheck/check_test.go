package objcheck

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/diagnostics"
)

// want is one expected finding: its code, the source line holding marker,
// and text its message must contain.
type want struct {
	code, marker, text string
}

// TestCheckGCC runs Check on small objects gcc compiles here, with inline
// assembly where a compiler would not produce the instruction by itself,
// and with the real kernel's Module.symvers. Every case is built with
// -ffunction-sections like rustc's objects, so every function starts at
// offset 0 of its own section and the line mapping must tell them apart.
func TestCheckGCC(t *testing.T) {
	symvers := kernelSymvers(t)
	tests := []struct {
		name  string
		src   string
		flags []string
		opts  Options
		want  []want // exactly these findings, in any order
	}{
		{
			name: "clean integer code",
			src: `int add(int a, int b) { return a + b; }
int mul(int a, int b) { return a * b; }
`,
			flags: []string{"-O2", "-mno-red-zone", "-mgeneral-regs-only"},
		},
		{
			name: "SSE",
			src: `int first(int a) { return a + 1; }
void sse(void)
{
	__asm__ volatile("addsd %%xmm1, %%xmm0" ::: "xmm0"); /* SSE */
}
`,
			want: []want{{CodeFloat, "/* SSE */", "`addsd %xmm1,%xmm0` in sse"}},
		},
		{
			name: "x87, one finding for the line",
			src: `void x87(void)
{
	__asm__ volatile("fldz\n\tfstp %%st(0)" ::: "memory"); /* X87 */
}
`,
			want: []want{{CodeFloat, "/* X87 */", "`fldz` in x87 uses FPU/SIMD registers, which kernel code may only touch between kernel_fpu_begin() and kernel_fpu_end() (and 1 more"}},
		},
		{
			name: "MMX and AVX",
			src: `void mmx(void)
{
	__asm__ volatile("movq %%mm0, %%mm1" ::: "memory"); /* MMX */
}
void avx(void)
{
	__asm__ volatile("vaddps %%ymm0, %%ymm1, %%ymm2" ::: "memory"); /* AVX */
}
`,
			want: []want{{CodeFloat, "/* MMX */", "mm1"}, {CodeFloat, "/* AVX */", "vaddps"}},
		},
		{
			name: "FPU state instructions without register operands",
			src: `void save(void *p)
{
	__asm__ volatile("fxsave (%0)" :: "r"(p)); /* FXSAVE */
	__asm__ volatile("ldmxcsr (%0)" :: "r"(p)); /* LDMXCSR */
}
`,
			want: []want{{CodeFloat, "/* FXSAVE */", "fxsave"}, {CodeFloat, "/* LDMXCSR */", "ldmxcsr"}},
		},
		{
			name: "red zone below RSP in a leaf function",
			src: `int leaf(int i)
{
	volatile int a[4];
	a[0] = i; /* RZ */
	return a[i & 3];
}
`,
			flags: []string{"-O2"},
			want:  []want{{CodeRedZone, "/* RZ */", "-0x18(%rsp)"}},
		},
		{
			name: "no red zone with -mno-red-zone",
			src: `int leaf(int i)
{
	volatile int a[4];
	a[0] = i;
	return a[i & 3];
}
`,
			flags: []string{"-O2", "-mno-red-zone"},
		},
		{
			name: "red zone below RBP when the frame was never allocated",
			src: `int leaf0(int a)
{ /* RBP */
	int b = a * 3;
	return b;
}
`,
			flags: []string{"-O0"},
			want:  []want{{CodeRedZone, "/* RBP */", "(%rbp)"}},
		},
		{
			name: "frame pointer code with an allocated frame",
			src: `int leaf0(int a)
{
	int b = a * 3;
	return b;
}
`,
			flags: []string{"-O0", "-mno-red-zone"},
		},
		{
			name: "GOT reference left",
			src: `extern int counter;
int get(void) { return counter; } /* GOT */
`,
			flags: []string{"-O2", "-fPIC", "-mno-red-zone"},
			opts:  Options{Defined: []string{"counter"}},
			want:  []want{{CodeGOT, "/* GOT */", "R_X86_64_REX_GOTPCRELX against `counter`"}},
		},
		{
			name: "thread-local storage",
			src: `__thread int tls;
int get(void) { return tls; } /* TLS */
`,
			flags: []string{"-O2", "-mno-red-zone"},
			want:  []want{{CodeRelocation, "/* TLS */", "R_X86_64_TPOFF32"}},
		},
		{
			name: "undefined symbols against Module.symvers",
			src: `extern void *kmalloc(unsigned long, unsigned);
extern int printk(const char *, ...);
extern void *memset(void *, int, unsigned long);
extern int shim_helper(void);
extern void maybe(void) __attribute__((weak));
extern long __adddf3(long, long);
void *f(void *p)
{
	memset(p, 0, 8);
	shim_helper();
	if (maybe) /* WEAK */
		maybe();
	printk("hi\n"); /* PRINTK */
	__adddf3(1, 2); /* SOFTFLOAT */
	return kmalloc(8, 0); /* KMALLOC */
}
`,
			flags: []string{"-O2", "-mno-red-zone"},
			opts:  Options{Defined: []string{"shim_helper"}},
			want: []want{
				// gcc tests a weak symbol for NULL through the GOT, with a
				// cmp that no linker relaxation covers; the weak symbol
				// itself may stay undefined.
				{CodeGOT, "/* WEAK */", "R_X86_64_GOTPCREL against `maybe`"},
				{CodeUndefined, "/* PRINTK */", "The kernel exports `_printk`"},
				{CodeUndefined, "/* SOFTFLOAT */", "floating point"},
				{CodeUndefined, "/* KMALLOC */", `(modpost: "kmalloc" undefined!). The kernel exports ` + "`__kmalloc`"},
			},
		},
		{
			name: "GPL-only symbol in a proprietary module",
			src: `extern int kobject_uevent_env(void *, int, char **);
int f(void *k) { return kobject_uevent_env(k, 0, 0); } /* GPL */
`,
			flags: []string{"-O2", "-mno-red-zone"},
			opts:  Options{License: "Proprietary"},
			want:  []want{{CodeGPLOnly, "/* GPL */", "GPL-compatible modules only"}},
		},
		{
			name: "GPL-only symbol in a GPL module",
			src: `extern int kobject_uevent_env(void *, int, char **);
int f(void *k) { return kobject_uevent_env(k, 0, 0); }
`,
			flags: []string{"-O2", "-mno-red-zone"},
			opts:  Options{License: "Dual MIT/GPL"},
		},
		{
			name:  "DWARF 4",
			src:   "void sse(void)\n{\n\t__asm__ volatile(\"mulss %%xmm2, %%xmm3\" ::: \"memory\"); /* SSE */\n}\n",
			flags: []string{"-gdwarf-4", "-O2", "-mno-red-zone"},
			want:  []want{{CodeFloat, "/* SSE */", "mulss"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.flags == nil {
				tt.flags = []string{"-O2", "-mno-red-zone"}
			}
			flags := append([]string{"-g", "-ffunction-sections", "-fno-asynchronous-unwind-tables"}, tt.flags...)
			obj := compileC(t, dir, "t", tt.src, flags...)
			o := tt.opts
			o.Symvers = symvers
			o.Sources = dir
			findings, err := Check(context.Background(), obj, o)
			if err != nil {
				t.Fatal(err)
			}
			src := filepath.Join(dir, "t.c")
			matched := make([]bool, len(findings))
			for _, w := range tt.want {
				line := lineOf(t, tt.src, w.marker)
				ok := false
				for i, f := range findings {
					if !matched[i] && f.Code == w.code && f.File == src && f.Range.Start.Line == line && strings.Contains(f.Message, w.text) {
						matched[i], ok = true, true
						break
					}
				}
				if !ok {
					t.Errorf("no %s finding at t.c:%d containing %q", w.code, line, w.text)
				}
			}
			for i, f := range findings {
				if !matched[i] {
					t.Errorf("unexpected finding: %s", f)
				}
				if f.Source != diagnostics.SourceObject || f.Severity != diagnostics.Error {
					t.Errorf("finding has source %q severity %v", f.Source, f.Severity)
				}
			}
		})
	}
}

// TestCheckWithoutLines: without DWARF, findings go to the crate root
// rather than being lost.
func TestCheckWithoutLines(t *testing.T) {
	dir := t.TempDir()
	obj := compileC(t, dir, "t", "void f(void) { __asm__ volatile(\"fldz\\n\\tfstp %%st(0)\" ::: \"memory\"); }\n", "-O2", "-mno-red-zone")
	crate := filepath.Join(dir, "src", "lib.rs")
	findings, err := Check(context.Background(), obj, Options{Sources: dir, Crate: "src/lib.rs"})
	if err != nil {
		t.Fatal(err)
	}
	if len(findings) != 1 || findings[0].File != crate || findings[0].Range.Start.Line != 1 || findings[0].Code != CodeFloat {
		t.Errorf("findings = %v, want one float-instruction at %s:1", findings, crate)
	}
}

// TestCheckRelated: an undefined symbol used on several lines is reported
// once, at the first, with the others as related places.
func TestCheckRelated(t *testing.T) {
	dir := t.TempDir()
	src := `extern void nowhere(int);
void f(void)
{
	nowhere(1); /* A */
	nowhere(2); /* B */
}
`
	obj := compileC(t, dir, "t", src, "-g", "-O1")
	findings, err := Check(context.Background(), obj, Options{Sources: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(findings) != 1 {
		t.Fatalf("findings = %v, want one", findings)
	}
	f := findings[0]
	if f.Range.Start.Line != lineOf(t, src, "/* A */") || len(f.Related) != 1 || f.Related[0].Range.Start.Line != lineOf(t, src, "/* B */") {
		t.Errorf("finding %s with related %+v, want line A with B related", f, f.Related)
	}
	// The range covers the statement on the line, for the editor.
	if f.Range.Start.Column != 2 || f.Range.End.Line != f.Range.Start.Line || f.Range.End.Column <= f.Range.Start.Column {
		t.Errorf("range %+v does not cover the statement", f.Range)
	}
}

func TestCheckErrors(t *testing.T) {
	dir := t.TempDir()
	notELF := filepath.Join(dir, "x.o")
	os.WriteFile(notELF, []byte("not an object"), 0o644)
	for _, tt := range []struct{ path, want string }{
		{filepath.Join(dir, "missing.o"), "no such file"},
		{notELF, "not a readable ELF object"},
		{"/bin/true", "want a relocatable object"},
	} {
		_, err := Check(context.Background(), tt.path, Options{})
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "checking the Rust object") {
			t.Errorf("Check(%s) error = %v, want %q", tt.path, err, tt.want)
		}
	}
	obj := compileC(t, dir, "t", "int f(void) { return 1; }\n")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Check(ctx, obj, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Check with a cancelled context: %v", err)
	}
}

// TestCheckInlinedFromOutside: code inlined from a header outside the
// module (as core's code is in a Rust object) is reported at the module's
// line that called it, with the header's line as related information. gcc
// writes the header's directory relative to the compilation directory, which
// must not be mistaken for the module root.
func TestCheckInlinedFromOutside(t *testing.T) {
	header := `static inline __attribute__((always_inline)) void fp(void)
{
	__asm__ volatile("addsd %%xmm1, %%xmm0" ::: "memory"); /* INNER */
}
`
	src := `#include "../inc/h.h"
int before(int x) { return x + 1; }
void g(void)
{
	fp(); /* CALL */
}
`
	for _, dwarf := range []string{"-gdwarf-4", "-gdwarf-5"} {
		t.Run(dwarf, func(t *testing.T) {
			dir := t.TempDir()
			for name, text := range map[string]string{"inc/h.h": header, "src/t.c": src} {
				os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755)
				if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			command(t, dir, needTool(t, "gcc", "gcc"), "-c", "-O2", "-mno-red-zone", dwarf, "-ffunction-sections", "src/t.c", "-o", "t.o")
			findings, err := Check(context.Background(), filepath.Join(dir, "t.o"), Options{Sources: filepath.Join(dir, "src")})
			if err != nil {
				t.Fatal(err)
			}
			if len(findings) != 1 {
				t.Fatalf("findings = %v, want one", findings)
			}
			f := findings[0]
			if f.File != filepath.Join(dir, "src/t.c") || f.Range.Start.Line != lineOf(t, src, "/* CALL */") {
				t.Errorf("finding at %s:%d, want src/t.c:%d", f.File, f.Range.Start.Line, lineOf(t, src, "/* CALL */"))
			}
			if len(f.Related) != 1 || f.Related[0].File != filepath.Join(dir, "inc/h.h") || f.Related[0].Range.Start.Line != lineOf(t, header, "/* INNER */") {
				t.Errorf("related = %+v, want inc/h.h:%d", f.Related, lineOf(t, header, "/* INNER */"))
			}
		})
	}
}
