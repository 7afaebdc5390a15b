package objcheck

import (
	"strings"
	"testing"
)

// The reasons given for a missing symbol, shared by this check and the
// build's reading of modpost. The soft-float names are libgcc 12's and
// compiler-builtins' (nm on this machine), among them those the build's
// own pattern used to match and the ones it missed.
func TestUndefinedHint(t *testing.T) {
	exports := map[string]bool{"__kmalloc": true, "_printk": true}
	exported := func(s string) bool { return exports[s] }
	tests := []struct {
		name     string
		exported func(string) bool
		fromC    bool
		want     string // a part of the hint; "" for none
	}{
		{"__adddf3", nil, false, "floating-point routine"},
		{"__floatsidf", nil, false, "floating-point routine"},
		{"__extendsfdf2", nil, false, "floating-point routine"},
		{"__truncdfsf2", nil, false, "floating-point routine"},
		{"__powidf2", nil, false, "floating-point routine"},
		{"__unordsf2", nil, false, "floating-point routine"},
		{"__floatundisf", nil, false, "floating-point routine"},
		{"__fixdfsi", nil, false, "floating-point routine"},
		{"__fixunssfdi", nil, false, "floating-point routine"},
		{"__mulsc3", nil, false, "floating-point routine"},
		{"__truncsfhf2", nil, false, "floating-point routine"},
		{"sqrt", nil, true, "floating-point routine"},
		{"__udivti3", nil, false, "128-bit integer helper"},
		{"__multi3", nil, false, "128-bit integer helper"},
		{"__mulvti3", nil, false, "128-bit integer helper"},
		{"__muloti4", nil, false, "128-bit integer helper"},
		{"__cmpdi2", nil, false, ""},
		{"__negdi2", nil, false, ""},
		{"_ZN4core9panicking18panic_bounds_check17h0123456789abcdefE", nil, false, "panic path from core"},
		{"__rust_alloc", nil, false, "alloc crate"},
		{"rust_eh_personality", nil, false, "unwinding support"},
		{"__stack_chk_fail", nil, false, "stack protector"},
		{"kmalloc", exported, false, "The kernel exports `__kmalloc`"},
		{"printk", exported, false, "The kernel exports `_printk`"},
		{"kmalloc", nil, false, "static inline function or a macro"},
		{"kmalloc", exported, true, "The C shim calls it: check its spelling"},
		{"_private_thing", nil, false, ""},
	}
	for _, tt := range tests {
		got := UndefinedHint(tt.name, tt.exported, tt.fromC)
		if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
			t.Errorf("UndefinedHint(%q, exported %v, fromC %v) = %q, want %q in it", tt.name, tt.exported != nil, tt.fromC, got, tt.want)
		}
	}
}
