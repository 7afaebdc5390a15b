package bindings

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rustko/rustko-lsp/module"
)

// bitSignHeader has one bit-field per way C spells an integer type; the
// name says what gcc makes of it.
const bitSignHeader = `typedef _Bool bool;
typedef unsigned char u8;
typedef signed char s8;
typedef int s32;
typedef unsigned int u32;
enum nonneg { NN_A, NN_B };
enum withneg { WN_M = -1, WN_A };
enum big { BIG_A = 0x80000000u };
typedef enum withneg withneg_t;

struct signs {
	int s_int : 3;
	signed int s_signed : 3;
	unsigned int u_unsigned : 3;
	unsigned u_bare : 3;
	char c_char : 3;
	signed char s_schar : 3;
	unsigned char u_uchar : 3;
	short s_short : 5;
	unsigned short u_ushort : 5;
	long s_long : 40;
	unsigned long u_ulong : 40;
	long long s_llong : 50;
	bool u_bool : 1;
	_Bool u_Bool : 1;
	enum nonneg u_enum : 2;
	enum withneg s_enum_neg : 2;
	enum big u_enum_big : 32;
	withneg_t s_enum_typedef : 2;
	u8 u_u8 : 3;
	s8 s_s8 : 3;
	s32 s_s32 : 7;
	u32 u_u32 : 7;
	const int s_const : 3;
	int s_int_full : 32;
	unsigned int u_full : 32;
	struct {
		int s_anon : 4;
		unsigned u_anon : 4;
	};
};
`

// TestOracleBitfieldSigns asks gcc whether each bit-field of bitSignHeader
// is signed, checks that against what the C standard and gcc's manual say
// (the name's s_/u_ prefix; char follows -f[un]signed-char, which kbuild
// passes as -funsigned-char since 6.2), and checks the generated getters
// against gcc through checkWithGCC, where a disagreement is a test error.
func TestOracleBitfieldSigns(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "signs.h"), []byte(bitSignHeader), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name       string
		flags      []string
		charSigned bool
	}{
		{"default", []string{"-m64"}, true},
		{"signed-char", []string{"-m64", "-fsigned-char"}, true},
		{"unsigned-char", []string{"-m64", "-funsigned-char"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := &module.Kernel{Release: "signs", Arch: "x86_64"}
			f := &module.Flags{Compiler: "gcc", IncludeDirs: []string{dir}, Std: "gnu11", TargetFlags: tc.flags}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			g, err := run(ctx, &Options{Kernel: k, Flags: f, Headers: []string{"signs.h"}, Version: "signs"}, func(string) {})
			if err != nil {
				t.Fatal(err)
			}
			if g.unit.CharSigned != tc.charSigned {
				t.Errorf("the bindings make char %s, gcc with %v %s", signedness(g.unit.CharSigned), tc.flags, signedness(tc.charSigned))
			}
			or := buildOracle(g.unit)
			data := compileOracle(t, ctx, f, or, t.TempDir())
			n := 0
			for i, c := range or.bits {
				field := c.what[strings.LastIndex(c.what, ".")+1:]
				want := strings.HasPrefix(field, "s_")
				if field == "c_char" {
					want = tc.charSigned
				}
				sg := data[fmt.Sprintf("__rk_sg%d", i)]
				if len(sg) != 1 || sg[0] > 1 {
					t.Errorf("%s: no sign fact from gcc (%v)", c.what, sg)
					continue
				}
				if got := sg[0] == 1; got != want {
					t.Errorf("%s: gcc reads it as %s, the test expects %s", c.what, signedness(got), signedness(want))
				}
				if c.signed != want {
					t.Errorf("%s: the generated getter reads it as %s, gcc as %s", c.what, signedness(c.signed), signedness(want))
				}
				n++
			}
			if n != strings.Count(bitSignHeader, " : ") {
				t.Errorf("checked %d bit-fields, the header has %d", n, strings.Count(bitSignHeader, " : "))
			}
			checkWithGCC(t, ctx, f, g.unit, t.TempDir())
		})
	}
}
