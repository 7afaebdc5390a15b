package objcheck

import (
	"debug/elf"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/module"
)

// symRef is one place that refers to an undefined symbol.
type symRef struct {
	sec int
	off uint64
}

// undefined predicts modpost's `"X" [...] undefined!`: every symbol the
// object needs that neither the kernel exports nor the rest of the module
// defines, reported at the Rust line that refers to it.
func (c *checker) undefined() {
	refs := map[uint32][]symRef{}
	for _, rs := range c.o.relas {
		if rs.target.Flags&elf.SHF_ALLOC == 0 {
			continue
		}
		for _, r := range rs.entries {
			refs[r.sym] = append(refs[r.sym], symRef{int(rs.sec.Info), r.off})
		}
	}
	for i, s := range c.o.syms {
		if i == 0 || s.Section != elf.SHN_UNDEF || s.Name == "" {
			continue
		}
		// modpost lets weak references stay unresolved (they read as NULL).
		if elf.ST_BIND(s.Info) == elf.STB_WEAK {
			continue
		}
		// modpost resolves these itself (see ignore_undef_symbol).
		if slices.Contains(c.opts.Defined, s.Name) || s.Name == "__this_module" || s.Name == "_GLOBAL_OFFSET_TABLE_" {
			continue
		}
		exported, gplOnly := c.exported(s.Name)
		if exported {
			if gplOnly && c.opts.License != "" && !module.GPLCompatible(c.opts.License) {
				c.symbolFinding(CodeGPLOnly, refs[uint32(i)], fmt.Sprintf(
					"`%s` is exported to GPL-compatible modules only and this module's licence is %q: "+
						"modpost will fail with \"GPL-incompatible module uses GPL-only symbol '%s'\"",
					s.Name, c.opts.License, s.Name))
			}
			continue
		}
		c.symbolFinding(CodeUndefined, refs[uint32(i)], c.undefinedMessage(s.Name))
	}
}

// symbolFinding reports at the first reference with a source line and lists
// the other references as related places.
func (c *checker) symbolFinding(code string, refs []symRef, msg string) {
	var places []place
	for _, r := range refs {
		places = append(places, c.placeOf(r.sec, r.off))
	}
	// Prefer a place in the user's code to the fallback file.
	slices.SortStableFunc(places, func(a, b place) int {
		switch {
		case a.exact == b.exact:
			return 0
		case a.exact:
			return -1
		}
		return 1
	})
	var first place
	if len(places) > 0 {
		first = places[0]
	} else {
		first.file, first.rng = c.fallback()
	}
	if first.via != "" {
		msg += " (referenced from " + first.via + ")"
	}
	f := diagnostics.Finding{File: first.file, Range: first.rng, Code: code, Message: msg, Related: first.related}
	seen := map[lineKey]bool{{first.file, first.rng.Start.Line}: true}
	for _, p := range places[min(1, len(places)):] {
		k := lineKey{p.file, p.rng.Start.Line}
		if !p.exact || seen[k] {
			continue
		}
		seen[k] = true
		f.Related = append(f.Related, diagnostics.Related{File: p.file, Range: p.rng, Message: "also referenced here"})
	}
	c.add(f)
}

func (c *checker) undefinedMessage(name string) string {
	pretty := Demangle(name)
	shown := "`" + pretty + "`"
	if pretty != name {
		shown += " (" + name + ")"
	}
	msg := shown + " is neither exported by the kernel nor defined by the module (modpost: \"" + name + "\" undefined!)"
	exported := func(s string) bool { ok, _ := c.exported(s); return ok }
	if h := UndefinedHint(name, exported, false); h != "" {
		msg += ". " + h
	}
	return msg
}

// softFloatRE matches libgcc/compiler-rt's floating-point helpers
// (__adddf3, __floatsidf, __fixdfsi, __extendsfdf2, __ltdf2, ...), which the
// kernel does not provide.
var softFloatRE = regexp.MustCompile(`^__(?:(?:add|sub|mul|div|neg|powi|cmp|eq|ne|ge|gt|le|lt|unord)[sdtxh]f[23]|` +
	`(?:extend|trunc)[sdtxh]f[sdtxh]f2|fix(?:uns)?[sdtxh]f[sdt]i|float(?:un)?[sdt]i[sdtxh]f|(?:mul|div)[sdtx]c3)$`)

func isSoftFloat(name string) bool { return softFloatRE.MatchString(name) }

// libmFloat are C maths functions Rust's f32/f64 methods call.
var libmFloat = []string{"fmod", "fmodf", "sqrt", "sqrtf", "floor", "floorf", "ceil", "ceilf", "trunc", "truncf",
	"round", "roundf", "fma", "fmaf", "pow", "powf", "exp", "expf", "log", "logf", "sin", "sinf", "cos", "cosf",
	"fmin", "fminf", "fmax", "fmaxf", "rint", "rintf"}

// UndefinedHint explains the usual reasons the kernel lacks a symbol a
// module needs and what to do: this check's prediction and the build's
// reading of modpost's "undefined!" say the same. exported says whether
// the kernel exports a name (nil: not known, and no exported function is
// suggested); fromC says only the C shim names the symbol, so it is no
// static inline or macro (the compiler saw through those) and the likely
// cause is the name or its exporter. "" when nothing applies.
func UndefinedHint(name string, exported func(string) bool, fromC bool) string {
	pretty := Demangle(name)
	switch {
	case isSoftFloat(name) || slices.Contains(libmFloat, name):
		return "It is a floating-point routine: floating point in kernel code compiles to calls the kernel does not have. " +
			"Use integer or fixed-point arithmetic"
	case slices.Contains([]string{"__muloti4", "__udivmodti4"}, name) || strings.HasPrefix(name, "__") && strings.HasSuffix(name, "ti3"):
		return "It is a 128-bit integer helper from compiler-builtins, which the kernel does not have: " +
			"avoid dividing or multiplying u128/i128 values (the kernel's div64_u64 covers 64-bit division)"
	case strings.HasPrefix(pretty, "core::panicking::") || strings.HasPrefix(pretty, "core::slice::index::") ||
		strings.HasPrefix(pretty, "core::option::") || strings.HasPrefix(pretty, "core::result::"):
		return "It is a panic path from core (bounds check, overflow, unwrap, expect): core was linked as a precompiled " +
			"library instead of compiled into the module. Build in host mode with staticlib + fat LTO " +
			"(lto = \"fat\", codegen-units = 1) or in rust-src mode, or avoid the panicking operation (get() instead of [i], checked_*)"
	case strings.HasPrefix(pretty, "core::") || strings.HasPrefix(pretty, "<core::") || strings.HasPrefix(pretty, "compiler_builtins::"):
		return "It comes from Rust's precompiled core: enable fat LTO with a staticlib (host mode) or build core from rust-src " +
			"(rust-src mode) so core's code is compiled into the module"
	case strings.HasPrefix(pretty, "alloc::") || strings.HasPrefix(pretty, "<alloc::") ||
		strings.HasPrefix(name, "__rust_alloc") || strings.HasPrefix(name, "__rust_dealloc") ||
		strings.HasPrefix(name, "__rust_realloc") || strings.HasPrefix(name, "__rg_") || name == "__rust_no_alloc_shim_is_unstable":
		return "It belongs to Rust's alloc crate, which needs a #[global_allocator]; a kernel module must provide one " +
			"backed by kmalloc/kfree, or avoid alloc"
	case slices.Contains([]string{"rust_begin_unwind", "rust_eh_personality", "_Unwind_Resume", "__rust_start_panic"}, name):
		return "It is unwinding support: set panic = \"abort\" in Cargo.toml's profiles (and -C panic=abort), " +
			"and define a #[panic_handler]"
	case name == "__stack_chk_fail" || name == "__stack_chk_guard":
		return "It is the user-space stack protector: build without -Z stack-protector"
	}
	if fromC {
		return "The C shim calls it: check its spelling and that the kernel exports it (Module.symvers)"
	}
	for _, alt := range []string{"_" + name, "__" + name} {
		if exported != nil && exported(alt) {
			return fmt.Sprintf("The kernel exports `%s`: `%s` is likely a macro or static inline function around it in this "+
				"kernel's headers; call `%s`, or add `%s` to KERNEL_HELPERS so rust.ko generates an exported wrapper",
				alt, name, alt, name)
		}
	}
	if pretty == name && !strings.HasPrefix(name, "_") {
		return "If it is a static inline function or a macro in the kernel headers it has no symbol to link against: " +
			"add it to KERNEL_HELPERS so rust.ko generates an exported wrapper, or use the function it wraps"
	}
	return ""
}
