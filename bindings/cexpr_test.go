package bindings

import (
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/bindings/clex"
	"github.com/rustko/rustko-lsp/bindings/cmacro"
)

// mapEnv is a cenv over maps, for tests and fuzzing.
type mapEnv struct {
	typedefs map[string]*ctype
	tags     map[string]*ctype
	consts   map[string]Value
	objects  map[string]string
	members  map[string]map[string]struct {
		t   *ctype
		off int64
	}
}

var lp64 = dataModel{long: 8, ptr: 8, charSigned: true}

func newMapEnv() *mapEnv {
	gfp := *basicType("unsigned int", lp64)
	gfp.name, gfp.td = "gfp_t", "gfp_t"
	u8 := *basicType("unsigned char", lp64)
	u8.name, u8.td = "u8", "u8"
	rec := &ctype{kind: kRecord, size: 32, align: 8, name: "struct rec", impl: "rec"}
	e := &mapEnv{
		typedefs: map[string]*ctype{"gfp_t": &gfp, "u8": &u8},
		tags:     map[string]*ctype{"struct rec": rec},
		consts:   map[string]Value{"SEVEN": intValue(7), "BIG": uintValue(1 << 31)},
		objects:  map[string]string{"jiffies": "variable", "get_current": "function"},
		members: map[string]map[string]struct {
			t   *ctype
			off int64
		}{"rec": {"a": {basicType("int", lp64), 0}, "b": {basicType("long", lp64), 8}, "c": {&ctype{kind: kArray, size: 12, align: 1, elem: basicType("char", lp64), n: 12, name: "char[12]"}, 16}}},
	}
	return e
}

func (e *mapEnv) typedef(name string) *ctype   { return e.typedefs[name] }
func (e *mapEnv) tag(kind, name string) *ctype { return e.tags[kind+" "+name] }
func (e *mapEnv) model() dataModel             { return lp64 }
func (e *mapEnv) object(name string) (string, bool) {
	k, ok := e.objects[name]
	return k, ok
}

func (e *mapEnv) enumConst(name string) (Value, *ctype, bool) {
	v, ok := e.consts[name]
	if !ok {
		return Value{}, nil, false
	}
	t := basicType("int", lp64)
	if v.Kind == VUint {
		t = basicType("unsigned int", lp64)
	}
	return v, t, true
}

func (e *mapEnv) member(rec *ctype, name string) (*ctype, int64, bool) {
	k, _ := rec.impl.(string)
	m, ok := e.members[k][name]
	return m.t, m.off, ok
}

// evalMacroText defines the macros in defs (one #define per line) and
// evaluates name.
func evalMacroText(defs, name string, env cenv) (cval, string) {
	table := map[string]*cmacro.Def{}
	for _, line := range strings.Split(defs, "\n") {
		if d := cmacro.Parse(line); d != nil {
			table[d.Name] = d
		}
	}
	x := &cmacro.Expander{Lookup: func(n string) *cmacro.Def { return table[n] }, Limit: 100000}
	toks, err := x.Expand([]clex.Token{{Kind: clex.Ident, Text: name}})
	if err != nil {
		return cval{}, err.Error()
	}
	return evalConstant(toks, env)
}

const kernelishDefs = `
#define __force
#define ___GFP_IO 0x40u
#define ___GFP_FS 0x80u
#define ___GFP_DIRECT_RECLAIM 0x400u
#define ___GFP_KSWAPD_RECLAIM 0x800u
#define __GFP_IO ((__force gfp_t)___GFP_IO)
#define __GFP_FS ((__force gfp_t)___GFP_FS)
#define __GFP_RECLAIM ((__force gfp_t)(___GFP_DIRECT_RECLAIM|___GFP_KSWAPD_RECLAIM))
#define GFP_KERNEL (__GFP_RECLAIM | __GFP_IO | __GFP_FS)
#define __AC(X,Y) (X##Y)
#define _AC(X,Y) __AC(X,Y)
#define UL(x) (_AC(x, UL))
#define BIT(nr) (UL(1) << (nr))
#define PAGE_SHIFT 12
#define PAGE_SIZE (_AC(1,UL) << PAGE_SHIFT)
#define _IOC(dir,type,nr,size) (((dir) << 30) | ((type) << 8) | (nr) | ((size) << 16))
#define _IOW(type,nr,sz) _IOC(1U,(type),(nr),(sizeof(sz)))
#define CONFIG_HZ 250
#define HZ CONFIG_HZ
#define UINT_MAX (~0U)
#define KERN_SOH "\001"
#define KERN_INFO KERN_SOH "6"
#define pr_fmt(fmt) fmt
#define CALL(f, args...) f(0, ## args)
#define VA(fmt, ...) fmt, ##__VA_ARGS__
#define STR(x) #x
#define XSTR(x) STR(x)
`

func TestEvalMacros(t *testing.T) {
	env := newMapEnv()
	tests := []struct {
		name, defs, value, ctype, why string
	}{
		{"GFP_KERNEL", kernelishDefs, "0xcc0", "gfp_t", ""},
		{"PAGE_SIZE", kernelishDefs, "0x1000", "unsigned long", ""},
		{"HZ", kernelishDefs, "250", "int", ""},
		{"UINT_MAX", kernelishDefs, "0xffffffff", "unsigned int", ""},
		{"KERN_INFO", kernelishDefs, `b"\x016\0"`, "", ""},
		{"X", kernelishDefs + "#define X BIT(31)", "0x80000000", "unsigned long", ""},
		{"X", kernelishDefs + "#define X _IOW('k', 1, struct rec)", "0x40206b01", "unsigned long", ""},
		{"X", kernelishDefs + "#define X XSTR(PAGE_SHIFT)", `b"12\0"`, "", ""},
		{"X", "#define X (1 << 31)", "-2147483648", "int", ""},
		{"X", "#define X (~0xFF000000U)", "0xffffff", "unsigned int", ""},
		{"X", "#define X ((u8)200 + (u8)100)", "300", "int", ""},
		{"X", "#define X ((u8)0x1ff)", "0xff", "u8", ""},
		{"X", "#define X ((char)0xff)", "-1", "char", ""},
		{"X", "#define X (-1 < 0U)", "0", "int", ""},
		{"X", "#define X (-7 / 2)", "-3", "int", ""},
		{"X", "#define X 3000000000", "3000000000", "long", ""},
		{"X", "#define X 0x80000000", "0x80000000", "unsigned int", ""},
		{"X", "#define X 10ULL", "0xa", "unsigned long long", ""},
		{"X", "#define X (SEVEN * 2)", "14", "int", ""},
		{"X", "#define X sizeof(struct rec)", "0x20", "unsigned long", ""},
		{"X", "#define X __builtin_offsetof(struct rec, c)", "0x10", "unsigned long", ""},
		{"X", "#define X sizeof(((struct rec *)0)->c)", "0xc", "unsigned long", ""},
		{"X", "#define X _Alignof(long)", "8", "unsigned long", ""},
		{"X", "#define X (sizeof(long) == 8 ? 64 : 32)", "64", "int", ""},
		{"X", "#define X 'A'", "65", "int", ""},
		{"X", "#define X '\\xff'", "-1", "int", ""},
		{"X", "#define X 1.5", "1.5e+00", "double", ""},
		{"X", "#define X", "", "", "empty"},
		{"X", "#define X unsigned long", "", "", "type alias"},
		{"X", "#define X get_current", "", "", "function alias"},
		{"X", "#define X get_current()", "", "", "runtime expression: calls get_current"},
		{"X", "#define X (jiffies + 1)", "", "", "runtime expression: reads the variable jiffies"},
		{"X", "#define X __attribute__((aligned(8)))", "", "", "attribute"},
		{"X", "#define X asm volatile(\"nop\")", "", "", "asm text"},
		{"X", "#define X 1, 2", "", "", "comma-separated list"},
		{"X", "#define X (1 / 0)", "", "", "division by zero"},
		{"X", "#define X (1 << 40)", "", "", "shift by 40"},
		{"X", "#define X X", "", "", "uses X, which is not declared"},
		{"X", "#define X ((void *)0)", "", "", "pointer constant"},
		{"X", "#define X do { } while (0)", "", "", "a statement"},
		{"X", "#define X ({ 1; })", "", "", "statement expression"},
		{"X", "#define X (1 +", "", "", "not a C expression"},
	}
	for _, tc := range tests {
		t.Run(tc.name+" "+strings.TrimPrefix(lastLine(tc.defs), "#define "), func(t *testing.T) {
			v, why := evalMacroText(tc.defs, tc.name, env)
			if tc.why != "" {
				if !strings.Contains(why, tc.why) {
					t.Fatalf("why %q, want it to contain %q (value %v)", why, tc.why, v.v)
				}
				return
			}
			if why != "" {
				t.Fatalf("no value: %s", why)
			}
			if got := v.v.Rust(); got != tc.value {
				t.Errorf("value %s, want %s", got, tc.value)
			}
			if tc.ctype != "" && v.t.name != tc.ctype {
				t.Errorf("type %s, want %s", v.t.name, tc.ctype)
			}
		})
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
