package cwrap_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"modernc.org/cc/v4"

	"github.com/rustko/rustko-lsp/bindings/cwrap"
)

// header is a small kernel-style header with one function per situation
// the analysis must decide. The kernel's BUILD_BUG_ON machinery is copied
// in its gcc form, so gcc judges the helpers exactly as it would in a
// kernel build.
const header = `
typedef unsigned long size_t;
typedef unsigned int gfp_t;
typedef _Bool bool;
struct big { long a[4]; };
typedef struct { int v; } anon_t;
typedef void (*cb_t)(int);
enum color { RED, GREEN };

#define __always_inline inline __attribute__((__always_inline__))
#define __compiletime_assert(condition, msg, prefix, suffix) \
	do { extern void prefix ## suffix(void) __attribute__((__error__(msg))); \
	     if (!(condition)) prefix ## suffix(); } while (0)
#define _compiletime_assert(c, m, p, s) __compiletime_assert(c, m, p, s)
#define BUILD_BUG_ON(c) _compiletime_assert(!(c), "BUILD_BUG_ON failed: " #c, __compiletime_assert_, __COUNTER__)
#define BUILD_BUG() BUILD_BUG_ON(1)

extern void *exported_alloc(size_t size, gfp_t flags);
extern void hidden_helper(int);
extern void __bad_size(void);
extern void must_not_call(void)
	__attribute__((__error__("must not be called")));
extern int exported_var;
extern int hidden_var;
extern size_t __real_strlen(const char *) __asm__("strlen");
extern int __real_hidden(void) __asm__("hidden_sym");
#define a_macro(x) exported_alloc(x, 0)
#define OBJ_MACRO 5

static inline void *plain(size_t size, gfp_t flags) { return exported_alloc(size, flags); }
static inline int constp_guarded(int n) { if (__builtin_constant_p(n)) { BUILD_BUG_ON(n > 100); return n; } return n + 1; }
static inline int asserts_param(int n) { BUILD_BUG_ON(n > 100); return n; }
static inline int asserts_sizeof(struct big *b) { BUILD_BUG_ON(sizeof(*b) != 32); return 0; }
static __always_inline void asm_imm(int n) { asm volatile("" :: "i"(n)); }
static __always_inline void passes_to_asm(int k) { asm_imm(k); }
static __always_inline void passes_const_to_asm(int k) { (void)k; asm_imm(3); }
static inline void asm_reg(int n) { asm volatile("" :: "ir"(n)); }
static inline int size_switch(int *p) { switch (sizeof(*p)) { case 4: return *p; default: __bad_size(); return 0; } }
static inline void calls_hidden(int x) { hidden_helper(x); }
static inline int reads_hidden(void) { return hidden_var; }
static inline int reads_exported(void) { return exported_var; }
static inline void hidden_if_disabled(int x) { if (0) hidden_helper(x); }
static inline int early_return(int n) { if (!__builtin_constant_p(n)) return n; BUILD_BUG_ON(n == 0); return 1; }
static inline void error_call(int n) { if (n) must_not_call(); }
static inline int variadic_inline(int n, ...) { return n; }
static inline double takes_double(double d) { return d; }
static inline int by_value(struct big b) { return (int)b.a[0]; }
static inline int anon_typedef(anon_t a) { return a.v; }
static inline void fnptr(void (*cb)(int, const char *), cb_t other) { cb(0, ""); other(1); }
static inline int array_param(int a[4], const char *const names[]) { return a[0] + (names != 0); }
static inline const volatile int *cv(volatile unsigned long *p, char *const q) { (void)q; return (const volatile int *)p; }
static inline __attribute__((__const__)) int const_fn(int x) { return x * 2; }
static inline __attribute__((__noreturn__)) void dies(void) { for (;;) ; }
static inline int takes_enum(enum color c) { return c; }
static inline bool kw_param(int type, int match) { return type == match; }
static inline int ternary_constp(int n) { return __builtin_constant_p(n) ? ({ BUILD_BUG_ON(n < 0); n; }) : n; }
static inline int choose(int n) { return __builtin_choose_expr(1, n, 0); }
static inline int index_like(size_t size, bool c) { if (size <= 8) return 3; if (c) BUILD_BUG(); return -1; }
static inline size_t renamed_exported(const char *s) { return __real_strlen(s); }
static inline int renamed_hidden(void) { return __real_hidden(); }
static inline int (*returns_fnptr(int x))(int) { (void)x; return 0; }
static inline void declared_only(int);
static void plain_static(int *p) { *p = 0; }
#define alloc_hooks(_do_alloc) ({ void *_res = _do_alloc; _res; })
static inline void *kmalloc_noprof(size_t size, gfp_t flags) { return exported_alloc(size, flags); }
#define kmalloc(...) alloc_hooks(kmalloc_noprof(__VA_ARGS__))
#define named_args(args...) kmalloc_noprof(args)
#define kzalloc(size, flags) kmalloc_noprof(size, (flags) | 1)
#define fwd_hidden(x) calls_hidden(x)
#define fwd_variadic(n, ...) variadic_inline(n, __VA_ARGS__)
typedef struct {} token_t;
static inline void *_alloc_tok(size_t size, gfp_t flags, token_t token) { (void)token; return exported_alloc(size, flags); }
#define alloc_tok_noprof(...) _alloc_tok(__VA_ARGS__, ((token_t){}))
#define kmalloc73(size, flags) alloc_hooks(alloc_tok_noprof(size, flags))
static __always_inline void stac(void) { asm volatile("stac" ::: "memory"); }
static __always_inline void clac(void) { asm volatile("clac" ::: "memory"); }
#define __uaccess_begin() stac()
#define __uaccess_end() clac()
#define user_access_end() __uaccess_end()
#define user_read_access_end user_access_end
static __always_inline bool user_access_begin(const void *p, size_t n) { if (!p || !n) return 0; __uaccess_begin(); return 1; }
static __always_inline void scoped_read_end(const void *p) { (void)p; user_read_access_end(); }
static __always_inline void only_opens(const void *p) { (void)user_access_begin(p, 4); }
static inline int balanced_copy(int *dst, const int *src) { if (!user_access_begin(src, 4)) return -14; *dst = *src; user_access_end(); return 0; }
static inline unsigned long save_flags(void) { unsigned long f; asm volatile("pushf; pop %0; clac" : "=rm"(f) :: "memory"); return f; }
static inline void nested_close(const void *p) { scoped_read_end(p); }
static inline void wraps_balanced(int *d, const int *s) { (void)balanced_copy(d, s); }
static inline void disabled_close(void) { if (0) clac(); }
static inline unsigned long save_flags_bytes(void) { unsigned long f; asm volatile("pushf; pop %0; " ".byte 0x0f,0x01,0xca" : "=rm"(f) :: "memory"); return f; }
static inline bool my_begin(const void *p) { if (!p) return 0; __uaccess_begin(); return 1; }
static inline void reclac(void) { asm volatile("# reclac clac_x" ::: "memory"); }
/* 6.12's bitfield.h: the error attribute stands before the name, a line above it. */
extern void __attribute__((__error__("bad bitfield mask")))
bad_mask(void);
static __always_inline unsigned long field_multiplier(unsigned long field) { if ((field | (field - 1)) & ((field | (field - 1)) + 1)) bad_mask(); return field & -field; }
static inline int or_skips_hidden(int x) { return 1 || hidden_var; }
static inline int or_reaches_hidden(int x) { return 0 || hidden_var; }
static inline int and_skips_hidden(int x) { return 0 && hidden_var; }
static inline int cond_skips_hidden(int x) { return 1 ? x : hidden_var; }
static inline int cond_reaches_hidden(int x) { return 0 ? x : hidden_var; }
static inline int elvis_skips_hidden(int x) { return 1 ?: hidden_var; }
`

var exportedSyms = map[string]bool{"exported_alloc": true, "exported_var": true, "strlen": true}

func exportedTable(name string) (bool, bool) { return exportedSyms[name], true }

// parseHeader parses header (written to a file, so positions and the
// header text the analysis reads are real) with the host compiler's
// predefined macros.
func parseHeader(t *testing.T) (*cc.AST, string) {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "t.h")
	if err := os.WriteFile(file, []byte(header), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := cc.NewConfig("linux", "amd64")
	if err != nil {
		t.Fatalf("configuring the C front end (needs gcc: apt-get install -y gcc): %v", err)
	}
	cfg.Header = true
	ast, err := cc.Translate(cfg, []cc.Source{
		{Name: "<predefined>", Value: cfg.Predefined},
		{Name: "<builtin>", Value: cc.Builtin},
		{Name: file},
	})
	if err != nil {
		t.Fatal(err)
	}
	return ast, file
}

func TestRefusalTable(t *testing.T) {
	ast, file := parseHeader(t)
	tests := []struct {
		name string
		kind cwrap.Kind // "" = wrapped
		want string     // in the reason, or in the wrapper's prototype
	}{
		{"plain", "", "void *rustko_helper_plain(size_t size, gfp_t flags)"},
		{"constp_guarded", "", "int rustko_helper_constp_guarded(int n)"},
		{"asserts_param", cwrap.ConstArg, "parameter `n` is a compile-time constant"},
		{"asserts_sizeof", "", "int rustko_helper_asserts_sizeof(struct big *b)"},
		{"asm_imm", cwrap.ConstArg, `inline asm "i" operand`},
		{"passes_to_asm", cwrap.ConstArg, "through asm_imm"},
		{"passes_const_to_asm", "", "rustko_helper_passes_const_to_asm(int k)"},
		{"asm_reg", "", "rustko_helper_asm_reg(int n)"},
		{"size_switch", "", "rustko_helper_size_switch(int *p)"},
		{"calls_hidden", cwrap.NotLinkable, "uses hidden_helper"},
		{"reads_hidden", cwrap.NotLinkable, "uses hidden_var"},
		{"reads_exported", "", "int rustko_helper_reads_exported(void)"},
		{"hidden_if_disabled", "", "rustko_helper_hidden_if_disabled(int x)"},
		// A known condition leaves one operand of ||, && and ?: unevaluated,
		// so what it uses need not link.
		{"or_skips_hidden", "", "rustko_helper_or_skips_hidden(int x)"},
		{"or_reaches_hidden", cwrap.NotLinkable, "uses hidden_var"},
		{"and_skips_hidden", "", "rustko_helper_and_skips_hidden(int x)"},
		{"cond_skips_hidden", "", "rustko_helper_cond_skips_hidden(int x)"},
		{"cond_reaches_hidden", cwrap.NotLinkable, "uses hidden_var"},
		{"elvis_skips_hidden", "", "rustko_helper_elvis_skips_hidden(int x)"},
		{"early_return", "", "rustko_helper_early_return(int n)"},
		{"error_call", cwrap.ConstArg, "declared __compiletime_error"},
		{"field_multiplier", cwrap.ConstArg, "a call of bad_mask, declared __compiletime_error"},
		{"variadic_inline", cwrap.Variadic, "variadic"},
		{"takes_double", cwrap.BadType, "floating-point"},
		{"by_value", "", "rustko_helper_by_value(struct big b)"},
		{"anon_typedef", "", "rustko_helper_anon_typedef(anon_t a)"},
		{"fnptr", "", "rustko_helper_fnptr(void (*cb)(int, const char *), cb_t other)"},
		{"array_param", "", "rustko_helper_array_param(int *a, const char *const names[])"},
		{"cv", "", "const volatile int *rustko_helper_cv(volatile unsigned long *p, char *const q)"},
		{"const_fn", "", "__attribute__((__const__)) int rustko_helper_const_fn(int x)"},
		{"dies", "", "__attribute__((__noreturn__)) void rustko_helper_dies(void)"},
		{"takes_enum", "", "rustko_helper_takes_enum(enum color c)"},
		{"kw_param", "", "bool rustko_helper_kw_param(int type, int match)"},
		{"ternary_constp", "", "rustko_helper_ternary_constp(int n)"},
		{"choose", "", "rustko_helper_choose(int n)"},
		{"index_like", cwrap.ConstArg, "its arguments are compile-time constants"},
		{"renamed_exported", "", "size_t rustko_helper_renamed_exported(const char *s)"},
		{"renamed_hidden", cwrap.NotLinkable, "hidden_sym"},
		{"returns_fnptr", "", "int (*rustko_helper_returns_fnptr(int x))(int)"},
		{"plain_static", "", "rustko_helper_plain_static(int *p)"},
		{"declared_only", cwrap.NoBody, "never define it"},
		{"exported_alloc", cwrap.Exported, "call it directly"},
		{"a_macro", cwrap.Macro, "function-like macro"},
		// 6.10+: kmalloc(...) is alloc_hooks(kmalloc_noprof(__VA_ARGS__)).
		{"kmalloc", "", "void *rustko_helper_kmalloc(size_t size, gfp_t flags)"},
		{"named_args", "", "void *rustko_helper_named_args(size_t size, gfp_t flags)"},
		{"kzalloc", cwrap.Macro, "function-like macro"},
		{"fwd_hidden", cwrap.NotLinkable, "fwd_hidden is a macro that passes its arguments to the inline function calls_hidden: calls_hidden"},
		{"fwd_variadic", cwrap.Variadic, "passes its arguments to the inline function variadic_inline"},
		// 7.3: kmalloc(size, flags) passes them to a macro that adds a
		// token argument: the helper takes the leading two.
		{"kmalloc73", "", "void *rustko_helper_kmalloc73(size_t size, gfp_t flags)"},
		{"alloc_tok_noprof", cwrap.Macro, "function-like macro"},
		// A user-access window (SMAP stac/clac) half opened or closed:
		// 7.x's __scoped_user_read_access_end.
		{"scoped_read_end", cwrap.Uaccess, "closes a user-access window it never opens: it reaches clac()"},
		{"nested_close", cwrap.Uaccess, "t.h:82, through scoped_read_end)"},
		{"clac", cwrap.Uaccess, "t.h:76) is the operation that closes a user-access window"},
		{"save_flags", cwrap.Uaccess, `it reaches an inline asm "clac"`},
		{"stac", cwrap.Uaccess, "is the operation that opens a user-access window"},
		// 6.1 spells the instruction in bytes (__ASM_CLAC).
		{"save_flags_bytes", cwrap.Uaccess, `closes a user-access window it never opens: it reaches an inline asm "clac"`},
		{"user_access_begin", cwrap.Uaccess, "is the operation that opens a user-access window"},
		{"my_begin", cwrap.Uaccess, "opens a user-access window it never closes: it reaches stac()"},
		{"only_opens", cwrap.Uaccess, "opens a user-access window it never closes: it reaches user_access_begin()"},
		{"balanced_copy", "", "int rustko_helper_balanced_copy(int *dst, const int *src)"},
		{"wraps_balanced", "", "void rustko_helper_wraps_balanced(int *d, const int *s)"},
		{"disabled_close", "", "void rustko_helper_disabled_close(void)"},
		{"reclac", "", "void rustko_helper_reclac(void)"},
		{"OBJ_MACRO", cwrap.Macro, "object-like macro"},
		{"size_t", cwrap.NotFunction, "is a type"},
		{"exported_var", cwrap.NotFunction, "variable"},
		{"RED", cwrap.NotFunction, "enumeration constant"},
		{"no_such_name", cwrap.Unknown, "nor by any other kernel header"},
		{"netif_rx", cwrap.Unknown, "declared in linux/netdevice.h (line 3875): add that header"},
		{"only_if_configured", cwrap.Unknown, "only under a configuration this kernel does not enable"},
	}
	var names []string
	for _, tc := range tests {
		names = append(names, tc.name)
	}
	names = append(names, "plain") // listed twice
	where := func(name string) (cwrap.Location, bool) {
		switch name {
		case "netif_rx":
			return cwrap.Location{Header: "linux/netdevice.h", File: "/kernel/include/linux/netdevice.h", Line: 3875}, true
		case "only_if_configured":
			return cwrap.Location{Header: "t.h", File: file, Line: 70}, true
		}
		return cwrap.Location{}, false
	}
	res, err := cwrap.Generate(ast, names, []string{file}, cwrap.Options{Exported: exportedTable, Elsewhere: where})
	if err != nil {
		t.Fatal(err)
	}
	refused := map[string]cwrap.Refusal{}
	for _, r := range res.Refused {
		if r.Kind == cwrap.Duplicate {
			if r.Name != "plain" {
				t.Errorf("duplicate refusal for %s", r.Name)
			}
			continue
		}
		refused[r.Name] = r
	}
	c := string(res.C)
	for _, tc := range tests {
		r, isRefused := refused[tc.name]
		switch {
		case tc.kind == "" && isRefused:
			t.Errorf("%s: refused (%s: %s), want wrapped", tc.name, r.Kind, r.Reason)
		case tc.kind == "" && !strings.Contains(c, tc.want+";\n"):
			t.Errorf("%s: the helper file lacks the prototype %q", tc.name, tc.want)
		case tc.kind != "" && !isRefused:
			t.Errorf("%s: wrapped, want refused as %s", tc.name, tc.kind)
		case tc.kind != "" && r.Kind != tc.kind:
			t.Errorf("%s: refused as %s (%s), want %s", tc.name, r.Kind, r.Reason, tc.kind)
		case tc.kind != "" && !strings.Contains(r.Reason, tc.want):
			t.Errorf("%s: reason %q should mention %q", tc.name, r.Reason, tc.want)
		}
	}

	// A macro's helper expands the macro (its hooks run) and has the
	// prototype of the function it forwards to, in C and in Rust.
	for _, want := range []string{"\treturn kmalloc(size, flags);\n", "__typeof__(&kmalloc_noprof), __typeof__(&rustko_helper_kmalloc)",
		"\treturn kmalloc73(size, flags);\n"} {
		if !strings.Contains(c, want) {
			t.Errorf("the helper file lacks %q", want)
		}
	}
	for _, h := range res.Wrapped {
		if h.Name == "kmalloc73" {
			rust, err := cwrap.RustDecls([]cwrap.Helper{h}, func(name string) (*cwrap.RustSig, error) {
				return &cwrap.RustSig{Name: name, Params: []cwrap.RustParam{{Name: "size", Type: "size_t"}, {Name: "flags", Type: "gfp_t"}, {Name: "token", Type: "token_t"}}, Result: "*mut c_void"}, nil
			}, cwrap.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if h.Via != "_alloc_tok" || h.ViaParams != 2 || !strings.Contains(string(rust), "pub fn kmalloc73(size: size_t, flags: gfp_t) -> *mut c_void;") {
				t.Errorf("kmalloc73: Via %q, ViaParams %d, Rust:\n%s", h.Via, h.ViaParams, rust)
			}
		}
		if h.Name != "kmalloc" {
			continue
		}
		var asked []string
		rust, err := cwrap.RustDecls([]cwrap.Helper{h}, func(name string) (*cwrap.RustSig, error) {
			asked = append(asked, name)
			return &cwrap.RustSig{Name: name, Params: []cwrap.RustParam{{Name: "size", Type: "size_t"}, {Name: "flags", Type: "gfp_t"}}, Result: "*mut c_void"}, nil
		}, cwrap.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if h.Via != "kmalloc_noprof" || strings.Join(asked, ",") != "kmalloc_noprof" ||
			!strings.Contains(string(rust), "#[link_name = \"rustko_helper_kmalloc\"]\n    pub fn kmalloc(size: size_t, flags: gfp_t) -> *mut c_void;") {
			t.Errorf("kmalloc: Via %q, prototype asked of %v, Rust:\n%s", h.Via, asked, rust)
		}
	}

	// What is wrapped compiles with warnings as errors and leaves only
	// exported symbols undefined.
	obj, out, err := gccCompile(t, res.C)
	if err != nil {
		t.Fatalf("the helpers do not compile: %v\n%s\n%s", err, out, res.C)
	}
	for _, sym := range undefined(t, obj) {
		if !exportedSyms[sym] {
			t.Errorf("the helpers leave %s undefined, which is not exported", sym)
		}
	}
}

// TestRefusalsAreNeeded wraps each refused function anyway: every one must
// then fail to compile, or leave a symbol undefined that is not exported.
func TestRefusalsAreNeeded(t *testing.T) {
	ast, file := parseHeader(t)
	for _, name := range []string{"asserts_param", "asm_imm", "passes_to_asm", "error_call", "field_multiplier", "index_like",
		"calls_hidden", "reads_hidden", "renamed_hidden"} {
		res, err := cwrap.GenerateUnchecked(ast, []string{name}, []string{file}, cwrap.Options{Exported: exportedTable})
		if err != nil || len(res.Wrapped) != 1 {
			t.Fatalf("%s: %v %v", name, err, res.Refused)
		}
		obj, out, err := gccCompile(t, res.C)
		if err != nil {
			continue // refused for a reason
		}
		var hidden []string
		for _, sym := range undefined(t, obj) {
			if !exportedSyms[sym] {
				hidden = append(hidden, sym)
			}
		}
		if len(hidden) == 0 {
			t.Errorf("%s: refused, but its helper compiles and links: %s", name, out)
		}
	}
}

// gccCompile builds a helper file as kernel code is built: -O2 (gcc folds
// __builtin_constant_p and drops dead calls only when optimising).
// -Wno-unused-function: the header's declared-only static inline warns on
// its own.
func gccCompile(t *testing.T, src []byte) (obj string, out []byte, err error) {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "helpers.c")
	obj = filepath.Join(dir, "helpers.o")
	if err := os.WriteFile(file, src, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "gcc", "-O2", "-Wall", "-Werror", "-Wno-unused-function", "-c", "-o", obj, file)
	var b bytes.Buffer
	cmd.Stdout, cmd.Stderr = &b, &b
	if _, lerr := exec.LookPath("gcc"); lerr != nil {
		t.Fatal("gcc is missing: apt-get install -y gcc")
	}
	err = cmd.Run()
	return obj, b.Bytes(), err
}

// TestSkippedBodies: an AST parsed without function bodies cannot tell
// what is safe to wrap; Generate says so instead of wrapping everything.
func TestSkippedBodies(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "t.h")
	if err := os.WriteFile(file, []byte(header), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := cc.NewConfig("linux", "amd64")
	if err != nil {
		t.Fatalf("configuring the C front end (needs gcc: apt-get install -y gcc): %v", err)
	}
	cfg.Header, cfg.SkipFunctionBodies = true, true
	ast, err := cc.Translate(cfg, []cc.Source{{Name: "<predefined>", Value: cfg.Predefined}, {Name: "<builtin>", Value: cc.Builtin}, {Name: file}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cwrap.Generate(ast, []string{"asm_imm"}, []string{file}, cwrap.Options{}); err == nil || !strings.Contains(err.Error(), "without function bodies") {
		t.Fatalf("Generate on skipped bodies: %v", err)
	}
}
