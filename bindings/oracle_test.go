package bindings

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rustko/rustko-lsp/internal/testkernel"
	"github.com/rustko/rustko-lsp/module"
)

// The layout and macro oracle: every number the bindings claim (record
// sizes, alignments, member offsets, bit-field positions and whether the
// getters sign-extend, char's signedness, macro and enumerator values and
// types) is asked of gcc with the kbuild flags, in one C file compiled with
// -S; the values are read back from the assembly.

// sixHeaders is the default set; twentyHeaders adds networking,
// PCI, block, workqueues, interrupts and character devices.
var sixHeaders = []string{"linux/module.h", "linux/kernel.h", "linux/printk.h", "linux/slab.h", "linux/fs.h", "linux/uaccess.h"}

var twentyHeaders = append(append([]string(nil), sixHeaders...),
	"linux/netdevice.h", "linux/pci.h", "linux/blkdev.h", "linux/blk-mq.h", "net/sock.h", "linux/miscdevice.h",
	"linux/platform_device.h", "linux/workqueue.h", "linux/interrupt.h", "linux/dma-mapping.h", "linux/cdev.h",
	"linux/kthread.h", "linux/seq_file.h", "linux/debugfs.h")

// oracleCheck is one number the bindings claim.
type oracleCheck struct {
	what string
	want uint64 // two's complement for negative values
}

type oracle struct {
	src     strings.Builder
	ints    []oracleCheck // one element of __rk_v each
	bits    []bitCheck
	strs    []strCheck
	skipped int
}

type bitCheck struct {
	what      string
	size      int64
	off, bits int  // absolute bit offset and width
	signed    bool // the generated getter returns all ones as negative
	noIR      bool // the index lists it, the IR has no such bit-field
}

type strCheck struct {
	what string
	want []byte
}

// builtinRecords spell the records the front end declares for gcc's
// builtin types (frontend.go's vaList): gcc has no tag for them.
var builtinRecords = map[string]string{"__va_list_tag": "__typeof__((*(__builtin_va_list *)0)[0])"}

// cSpelling returns how C can name a record's type, or "" when it cannot
// (an anonymous member: its fields are checked through the parent).
func cSpelling(u *Unit, r *Record, typedefOf map[*Record]string, depth int) string {
	switch {
	case depth > 8:
		return ""
	case builtinRecords[r.Tag] != "" && strings.HasPrefix(r.Pos.File, "<"):
		return builtinRecords[r.Tag]
	case r.Tag != "":
		if r.Union {
			return "union " + r.Tag
		}
		return "struct " + r.Tag
	case typedefOf[r] != "":
		return typedefOf[r]
	case r.parent != nil && r.via != "":
		ps := cSpelling(u, r.parent, typedefOf, depth+1)
		if ps == "" {
			return ""
		}
		access := "((" + ps + " *)0)->" + r.via
		if t := memberType(r.parent, r.via, 0); t != nil {
			for ; t != nil && t.Kind == TArray; t = t.Elem {
				access = "(" + access + ")[0]"
			}
		}
		return "__typeof__(" + access + ")"
	}
	return ""
}

func memberType(r *Record, name string, depth int) *Type {
	if depth > 8 {
		return nil
	}
	members := r.Members
	if len(members) == 0 {
		members = r.raw
	}
	for _, m := range members {
		if m.Kind != MField {
			continue
		}
		if m.CName == name {
			return m.Type
		}
		if m.AnonType {
			if sub := byValueRecord(m.Type); sub != nil {
				if t := memberType(sub, name, depth+1); t != nil {
					return t
				}
			}
		}
	}
	return nil
}

func (o *oracle) int(what, expr string, want uint64) {
	o.ints = append(o.ints, oracleCheck{what, want})
	fmt.Fprintf(&o.src, "\t(unsigned long long)(%s),\n", expr)
}

// build writes the C file: the headers, then __rk_v (every integer), then
// one union per bit-field with only that bit-field set, then one char
// array per string macro.
func buildOracle(u *Unit) *oracle {
	o := &oracle{}
	for _, h := range u.Headers {
		fmt.Fprintf(&o.src, "#include <%s>\n", h)
	}
	typedefOf := map[*Record]string{}
	for _, td := range u.Typedefs {
		if r, ok := td.Type.Ref.(*Record); ok && td.Same && r.Tag == "" && td.reached {
			typedefOf[r] = td.CName
		}
	}
	o.src.WriteString("const unsigned long long __rk_v[] = {\n")
	var bitDecls, signDecls []string
	for _, r := range u.Records {
		if !r.reached || !r.Complete || r.bad != "" {
			continue
		}
		s := cSpelling(u, r, typedefOf, 0)
		if s == "" {
			o.skipped++
			continue
		}
		o.int("sizeof "+s, "sizeof("+s+")", uint64(r.Size))
		o.int("_Alignof "+s, "_Alignof("+s+")", uint64(r.Align))
		irBits := bitfieldsByName(r)
		for _, f := range recordFields(r) {
			if f.Name == "" {
				continue
			}
			if f.BitWidth == 0 {
				o.int(fmt.Sprintf("offsetof(%s, %s)", s, f.Name), fmt.Sprintf("__builtin_offsetof(%s, %s)", s, f.Name), uint64(f.Offset))
				continue
			}
			val := "-1"
			if strings.Contains(f.CType, "bool") {
				val = "1"
			}
			name := fmt.Sprintf("__rk_bf%d", len(o.bits))
			bitDecls = append(bitDecls, fmt.Sprintf("const union { %s s; unsigned char b[sizeof(%s)]; } %s = { .s = { .%s = %s } };",
				s, s, name, f.Name, val))
			signDecls = append(signDecls, signDecl(len(o.bits), s, f.Name, val))
			b, ok := irBits[f.Name]
			o.bits = append(o.bits, bitCheck{what: s + "." + f.Name, size: r.Size, off: int(f.Offset)*8 + f.BitOffset, bits: f.BitWidth,
				signed: getterSigned(b), noIR: !ok})
		}
	}
	shadowed := map[string]bool{}
	for _, m := range u.Macros {
		shadowed[m.CName] = true
	}
	for _, e := range u.Enums {
		if !e.reached {
			continue
		}
		for _, c := range e.Consts {
			if shadowed[c.CName] {
				// A macro of the same name hides the enumerator from C.
				o.skipped++
				continue
			}
			o.int("enumerator "+c.CName, c.CName, valueBits(c.Value))
		}
	}
	o.int("(char)-1 < 0", "((char)-1 < 0)", b2u(u.CharSigned))
	o.signatures(u, typedefOf, shadowed)
	var strDecls []string
	for _, m := range u.Macros {
		if !m.emit {
			continue
		}
		switch m.Value.Kind {
		case VString:
			strDecls = append(strDecls, fmt.Sprintf("const char __rk_s%d[] = %s;", len(o.strs), m.CName))
			o.strs = append(o.strs, strCheck{what: "macro " + m.CName, want: m.Value.S})
			continue
		case VFloat:
			o.skipped++
			continue
		}
		o.int("macro "+m.CName, m.CName, valueBits(m.Value))
		o.int("type of macro "+m.CName+" is "+m.CType,
			fmt.Sprintf("__builtin_types_compatible_p(__typeof__(%s), %s)", m.CName, m.CType), 1)
		o.int("size of macro "+m.CName, "sizeof("+m.CName+")", uint64(m.Type.Size))
	}
	o.src.WriteString("};\n")
	for _, d := range bitDecls {
		o.src.WriteString(d + "\n")
	}
	for _, d := range strDecls {
		o.src.WriteString(d + "\n")
	}
	for _, d := range signDecls {
		o.src.WriteString(d + "\n")
	}
	return o
}

func valueBits(v Value) uint64 {
	if v.Kind == VInt {
		return uint64(v.I)
	}
	return v.U
}

// asmData reads the data directives after each global label of a gcc -S
// output into bytes.
func asmData(asm string) map[string][]byte {
	out := map[string][]byte{}
	cur := ""
	sc := bufio.NewScanner(strings.NewReader(asm))
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasSuffix(line, ":") && !strings.HasPrefix(line, ".") {
			cur = strings.TrimSuffix(line, ":")
			continue
		}
		if cur == "" || !strings.HasPrefix(line, ".") {
			continue
		}
		dir, arg, _ := strings.Cut(line, "\t")
		if arg == "" {
			dir, arg, _ = strings.Cut(line, " ")
		}
		arg = strings.TrimSpace(arg)
		width := map[string]int{".byte": 1, ".value": 2, ".short": 2, ".2byte": 2, ".long": 4, ".4byte": 4, ".quad": 8, ".8byte": 8}[dir]
		switch {
		case width > 0:
			n, err := strconv.ParseInt(arg, 0, 64)
			if err != nil {
				u, err2 := strconv.ParseUint(arg, 0, 64)
				if err2 != nil {
					continue
				}
				n = int64(u)
			}
			for i := 0; i < width; i++ {
				out[cur] = append(out[cur], byte(uint64(n)>>(8*i)))
			}
		case dir == ".zero":
			n, _ := strconv.Atoi(arg)
			out[cur] = append(out[cur], make([]byte, n)...)
		case dir == ".string" || dir == ".ascii":
			b, err := unquoteAsm(arg)
			if err == nil {
				out[cur] = append(out[cur], b...)
				if dir == ".string" {
					out[cur] = append(out[cur], 0)
				}
			}
		case dir == ".pushsection" || dir == ".popsection":
			cur = ""
		case dir == ".size" || dir == ".section" || dir == ".text" || dir == ".globl" || dir == ".type" || dir == ".align" || dir == ".p2align":
			if dir == ".section" || dir == ".text" {
				cur = ""
			}
		}
	}
	return out
}

// unquoteAsm decodes gas string escapes (octal and the C ones).
func unquoteAsm(s string) ([]byte, error) {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return nil, fmt.Errorf("not a string: %s", s)
	}
	return unquoteC(s)
}

// runOracle generates bindings for headers, asks gcc for every number and
// compiles the Rust (with layout assertions) with both rustc versions.
// runOracle checks the bindings of headers against gcc once per kernel tree
// testkernel.All names (6.1, 6.12, 6.12-rt here; 7.x inside the Debian 13
// root), each a subtest named after the tree.
//
// Debian's rustc 1.63 takes two minutes over the twenty-header set's layout
// assertions (a current rustc 12 s): it compiles that set on the pinned tree
// only, and the six-header set, what a module gets by default, everywhere.
func runOracle(t *testing.T, headers []string) {
	pinned := testkernel.Dir(t)
	for _, dir := range testkernel.All(t) {
		everyRustc := dir == pinned || len(headers) <= len(sixHeaders)
		t.Run(filepath.Base(dir), func(t *testing.T) { runOracleOn(t, dir, headers, everyRustc) })
	}
}

func runOracleOn(t *testing.T, kdir string, headers []string, everyRustc bool) {
	k, f := kernelAt(t, kdir)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	o := &Options{Kernel: k, Flags: f, Headers: headers, LayoutTests: true, Version: "oracle"}
	g, err := run(ctx, o, func(string) {})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	checkWithGCC(t, ctx, f, g.unit, dir)
	if err := os.WriteFile(filepath.Join(dir, "bindings.rs"), g.rust, 0o644); err != nil {
		t.Fatal(err)
	}
	rcs := rustcs()
	if !everyRustc {
		rcs = rcs[:1] // the current one
	}
	compileRustWith(t, ctx, dir, "mod bindings;\npub use bindings::*;\n", rcs)
}

// checkWithGCC compiles the oracle for u with flags f and compares.
func checkWithGCC(t *testing.T, ctx context.Context, f *module.Flags, u *Unit, dir string) {
	t.Helper()
	or := buildOracle(u)
	data := compileOracle(t, ctx, f, or, dir)
	mismatches, unfolded := 0, 0
	report := func(format string, args ...any) {
		mismatches++
		if mismatches <= 40 {
			t.Errorf(format, args...)
		}
	}
	v := data["__rk_v"]
	if len(v) != 8*len(or.ints) {
		t.Fatalf("__rk_v: read %d bytes from the assembly, want %d", len(v), 8*len(or.ints))
	}
	for i, c := range or.ints {
		got := uint64(0)
		for j := 0; j < 8; j++ {
			got |= uint64(v[8*i+j]) << (8 * j)
		}
		if got != c.want {
			report("%s: gcc says %d, the bindings say %d", c.what, int64(got), int64(c.want))
		}
	}
	for i, c := range or.bits {
		img := data[fmt.Sprintf("__rk_bf%d", i)]
		if int64(len(img)) != c.size {
			report("bit-field %s: read %d bytes, want %d", c.what, len(img), c.size)
			continue
		}
		first, n := -1, 0
		for bit := 0; bit < len(img)*8; bit++ {
			if img[bit/8]>>(bit%8)&1 != 0 {
				if first < 0 {
					first = bit
				}
				n++
			}
		}
		if first != c.off || n != c.bits {
			report("bit-field %s: gcc puts it at bit %d, %d bits; the bindings say bit %d, %d bits", c.what, first, n, c.off, c.bits)
		}
		switch sg := data[fmt.Sprintf("__rk_sg%d", i)]; {
		case c.noIR:
			report("bit-field %s: no IR bit-field of that name, so no getter to check", c.what)
		case len(sg) != 1:
			report("bit-field %s: read %d bytes of its sign fact, want 1", c.what, len(sg))
		case sg[0] == 2:
			unfolded++
		case (sg[0] == 1) != c.signed:
			report("bit-field %s: gcc reads it as %s, the generated getter as %s", c.what, signedness(sg[0] == 1), signedness(c.signed))
		}
	}
	if unfolded > 0 && unfolded == len(or.bits) {
		report("gcc folded none of the %d bit-field sign reads: is the oracle compiled without optimisation?", unfolded)
	}
	for i, c := range or.strs {
		got := data[fmt.Sprintf("__rk_s%d", i)]
		want := append(append([]byte(nil), c.want...), 0)
		if string(got) != string(want) {
			report("%s: gcc says %q, the bindings say %q", c.what, got, want)
		}
	}
	// scripts/oracle-sweep.sh reads the counts up to the mismatches.
	t.Logf("%s: %d integer checks, %d bit-fields, %d strings against gcc; %d mismatches; %d anonymous-member records checked through their parent, float macros skipped; %d bit-field signs gcc did not fold",
		strings.Join(u.Headers, " "), len(or.ints), len(or.bits), len(or.strs), mismatches, or.skipped, unfolded)
}

// compileOracle compiles or's C file in dir with flags f and returns the
// data of its labels.
func compileOracle(t *testing.T, ctx context.Context, f *module.Flags, or *oracle, dir string) map[string][]byte {
	t.Helper()
	cfile := filepath.Join(dir, "oracle.c")
	if err := os.WriteFile(cfile, []byte(or.src.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	args := append(optimised(f.CompilerArgs()), "-w", "-g0", "-S", "-o", "-", cfile)
	compiler := f.Compiler
	if compiler == "" {
		compiler = "gcc"
	}
	asm, err := runTool(ctx, nil, compiler, args...)
	if err != nil {
		t.Fatalf("gcc rejected the oracle (%s): %v", cfile, err)
	}
	return asmData(string(asm))
}

// defaultRustcs are the compilers the output must build with: current
// stable from rustup and Debian 12's 1.63.
var defaultRustcs = []struct{ path, pkg string }{
	{"/root/.cargo/bin/rustc", "rustup (stable): curl https://sh.rustup.rs | sh"},
	{"/usr/bin/rustc", "apt-get install -y rustc"},
}

// rustcs are defaultRustcs, or the list in $RUSTKO_TEST_RUSTC (a path list)
// when set: inside the Debian 13 root, where the 7.x trees are tested, the
// compiler is trixie's rustc 1.85 and there is no rustup.
func rustcs() []struct{ path, pkg string } {
	env := os.Getenv("RUSTKO_TEST_RUSTC")
	if env == "" {
		return defaultRustcs
	}
	var r []struct{ path, pkg string }
	for _, p := range filepath.SplitList(env) {
		if p != "" {
			r = append(r, struct{ path, pkg string }{p, "named by RUSTKO_TEST_RUSTC"})
		}
	}
	return r
}

// compileRust builds dir/bindings.rs as a module of a #![no_std] library
// on the host target with every rustc we promise, in the 2015 and 2021
// editions.
func compileRust(t *testing.T, ctx context.Context, dir, mods string) {
	t.Helper()
	compileRustWith(t, ctx, dir, mods, rustcs())
}

func compileRustWith(t *testing.T, ctx context.Context, dir, mods string, rcs []struct{ path, pkg string }) {
	t.Helper()
	root := filepath.Join(dir, "lib.rs")
	if err := os.WriteFile(root, []byte("#![no_std]\n"+mods), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, rc := range rcs {
		if _, err := os.Stat(rc.path); err != nil {
			t.Fatalf("%s is missing: %s", rc.path, rc.pkg)
		}
		start := time.Now()
		out := filepath.Join(dir, "out.rmeta")
		if _, err := runTool(ctx, nil, rc.path, "--edition", "2021", "--crate-type", "lib", "--crate-name", "rk",
			"--emit", "metadata", "-o", out, root); err != nil {
			t.Fatalf("%s rejects the bindings: %v", rc.path, err)
		}
		t.Logf("%s: compiled with layout assertions in %s", rc.path, time.Since(start).Round(time.Millisecond))
	}
}

func TestOracleSixHeaders(t *testing.T) { runOracle(t, sixHeaders) }

func TestOracleTwentyHeaders(t *testing.T) { runOracle(t, twentyHeaders) }
