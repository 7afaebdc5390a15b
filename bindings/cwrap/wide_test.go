package cwrap_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"modernc.org/cc/v4"

	"github.com/rustko/rustko-lsp/bindings"
	"github.com/rustko/rustko-lsp/bindings/cwrap"
	"github.com/rustko/rustko-lsp/module"
)

// inlineFunctions lists every function the translation unit defines in a
// header (static inline, mostly), in order.
func inlineFunctions(ast *cc.AST) []string {
	var out []string
	seen := map[string]bool{}
	for tu := ast.TranslationUnit; tu != nil; tu = tu.TranslationUnit {
		ed := tu.ExternalDeclaration
		if ed == nil || ed.Case != cc.ExternalDeclarationFuncDef || ed.FunctionDefinition == nil {
			continue
		}
		d := ed.FunctionDefinition.Declarator
		if p := d.Position(); strings.HasPrefix(p.Filename, "<") || seen[d.Name()] {
			continue
		}
		seen[d.Name()] = true
		out = append(out, d.Name())
	}
	return out
}

// TestWideSample wraps every function the 6-header set defines and
// compiles the helper file with gcc and kbuild's flags, warnings as
// errors: every wrapper Generate accepted must compile.
//
// CWRAP_WIDE=20 runs it on the 20-header set instead (the 6 plus netdevice,
// pci, blkdev, blk-mq, net/sock, miscdevice, platform_device, workqueue,
// interrupt, dma-mapping, cdev, kthread, seq_file, debugfs): a minute
// more, so not by default.
func TestWideSample(t *testing.T) {
	k, f, symvers, ast := realHeaders(t)
	headers := bindings.DefaultHeaders()
	if os.Getenv("CWRAP_WIDE") == "20" {
		headers = append(headers, "linux/netdevice.h", "linux/pci.h", "linux/blkdev.h", "linux/blk-mq.h", "net/sock.h",
			"linux/miscdevice.h", "linux/platform_device.h", "linux/workqueue.h", "linux/interrupt.h",
			"linux/dma-mapping.h", "linux/cdev.h", "linux/kthread.h", "linux/seq_file.h", "linux/debugfs.h")
		var err error
		if ast, _, err = bindings.ParseHeaders(context.Background(), k, f, headers); err != nil {
			t.Fatal(err)
		}
	}
	names := inlineFunctions(ast)
	if len(names) < 200 {
		t.Fatalf("the header set defines only %d functions; the sample needs at least 200", len(names))
	}
	res, err := cwrap.Generate(ast, names, headers, cwrap.Options{Exported: exported(symvers)})
	if err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("CWRAP_DUMP"); dir != "" {
		os.WriteFile(filepath.Join(dir, "helpers.c"), res.C, 0o644)
		os.WriteFile(filepath.Join(dir, "args"), []byte(strings.Join(f.CompilerArgs(), "\n")), 0o644)
		var b strings.Builder
		for _, r := range res.Refused {
			fmt.Fprintf(&b, "%s\t%s\n", r.Kind, r.Reason)
		}
		os.WriteFile(filepath.Join(dir, "refused.txt"), []byte(b.String()), 0o644)
	}
	failed, obj := compileHelpers(t, f, res.C)
	for _, name := range failed {
		t.Errorf("the helper for %s does not compile", name)
	}
	if obj != "" && symvers != nil {
		for _, sym := range undefined(t, obj) {
			if _, ok := symvers.Lookup(sym); !ok {
				t.Errorf("the helpers leave %s undefined and the kernel does not export it: modpost would fail", sym)
			}
		}
	}
	counts := map[cwrap.Kind]int{}
	for _, x := range res.Refused {
		counts[x.Kind]++
	}
	kinds := make([]string, 0, len(counts))
	for k, n := range counts {
		kinds = append(kinds, fmt.Sprintf("%s %d", k, n))
	}
	sort.Strings(kinds)
	t.Logf("%d functions: %d wrapped (%d failed to compile), %d refused: %s", len(names), len(res.Wrapped), len(failed), len(res.Refused), strings.Join(kinds, ", "))
}

var gccLine = regexp.MustCompile(`(?m)^([^:\n]*helpers\.c):(\d+):\d+: (error|warning)`)

// compileHelpers runs gcc -c on the helper file with kbuild's flags and
// -Werror, and returns the wrapped functions whose lines gcc complained
// about (each wrapper's comment line names it).
func compileHelpers(t *testing.T, f *module.Flags, src []byte) (failed []string, object string) {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "helpers.c")
	obj := filepath.Join(dir, "helpers.o")
	if err := os.WriteFile(file, src, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	args := append(f.CompilerArgs(), "-Werror", "-fmax-errors=0", "-DKBUILD_MODFILE=\"rustko_helpers\"", "-c", "-o", obj, file)
	cmd := exec.CommandContext(ctx, compiler(f), args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if err == nil && stderr.Len() == 0 {
		return nil, obj
	}
	lines := strings.Split(string(src), "\n")
	owner := func(line int) string {
		for i := line - 1; i >= 0 && i < len(lines); i-- {
			if m := regexp.MustCompile(`^\w[^;{]*\brustko_helper_(\w+)\(`).FindStringSubmatch(lines[i]); m != nil {
				return m[1]
			}
		}
		return "(file header)"
	}
	set := map[string]bool{}
	for _, m := range gccLine.FindAllStringSubmatch(stderr.String(), -1) {
		n, _ := strconv.Atoi(m[2])
		set[owner(n)] = true
	}
	var out []string
	for n := range set {
		out = append(out, n)
	}
	sort.Strings(out)
	if len(out) == 0 {
		t.Fatalf("gcc failed without naming a helper line: %v\n%s", err, clip(stderr.String(), 4000))
	}
	t.Logf("gcc: %s", clip(stderr.String(), 6000))
	return out, ""
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "\n..."
}

// undefined lists an object's undefined symbols (what modpost checks
// against Module.symvers).
func undefined(t *testing.T, obj string) []string {
	t.Helper()
	out, err := exec.Command("nm", "-u", obj).Output()
	if err != nil {
		t.Fatalf("nm -u %s: %v (apt-get install -y binutils)", obj, err)
	}
	var syms []string
	for _, l := range strings.Split(string(out), "\n") {
		if fs := strings.Fields(l); len(fs) == 2 && fs[0] == "U" {
			syms = append(syms, fs[1])
		}
	}
	return syms
}

var inHelper = regexp.MustCompile(`(?:In function|inlined from) ‘rustko_helper_(\w+)’`)

// TestWideRefusalsAreNeeded wraps every function the 6-header set gets
// refused for needing constants or reaching unexported symbols, without
// the analysis: each constant-argument one must make gcc fail inside its
// helper, and each link one must leave its symbol undefined.
func TestWideRefusalsAreNeeded(t *testing.T) {
	_, f, symvers, ast := realHeaders(t)
	if symvers == nil {
		t.Fatal("the kernel tree has no Module.symvers")
	}
	res, err := cwrap.Generate(ast, inlineFunctions(ast), bindings.DefaultHeaders(), cwrap.Options{Exported: exported(symvers)})
	if err != nil {
		t.Fatal(err)
	}
	var constArg, link []cwrap.Refusal
	for _, r := range res.Refused {
		switch r.Kind {
		case cwrap.ConstArg:
			constArg = append(constArg, r)
		case cwrap.NotLinkable:
			link = append(link, r)
		}
	}
	forced := func(rs []cwrap.Refusal) []byte {
		var names []string
		for _, r := range rs {
			names = append(names, r.Name)
		}
		u, err := cwrap.GenerateUnchecked(ast, names, bindings.DefaultHeaders(), cwrap.Options{})
		if err != nil || len(u.Wrapped) != len(names) {
			t.Fatalf("unchecked generation: %v %v", err, u.Refused)
		}
		return u.C
	}

	_, stderr, err := kbuildCompile(t, f, forced(constArg))
	if err == nil {
		t.Errorf("the %d constant-argument refusals compile when wrapped", len(constArg))
	}
	failing := map[string]bool{}
	for _, m := range inHelper.FindAllStringSubmatch(stderr, -1) {
		failing[m[1]] = true
	}
	for _, r := range constArg {
		if failing[r.Name] {
			continue
		}
		// gcc reports an error attribute's call once where several helpers
		// inline the same path (6.12's u16_encode_bits and u16_get_bits both
		// reach bitfield.h's __bad_mask): such a helper is judged alone.
		_, alone, _ := kbuildCompile(t, f, forced([]cwrap.Refusal{r}))
		if !slices.ContainsFunc(inHelper.FindAllStringSubmatch(alone, -1), func(m []string) bool { return m[1] == r.Name }) {
			t.Errorf("%s was refused (%s), but gcc reports no error in its helper", r.Name, r.Reason)
		}
	}

	obj, stderr, err := kbuildCompile(t, f, forced(link))
	if err != nil {
		t.Fatalf("the link refusals should compile when wrapped: %v\n%s", err, clip(stderr, 4000))
	}
	undef := map[string]bool{}
	for _, s := range undefined(t, obj) {
		undef[s] = true
	}
	sym := regexp.MustCompile(`(?:uses|references) (\w+)`)
	for _, r := range link {
		m := sym.FindStringSubmatch(r.Reason)
		if m == nil || !undef[m[1]] {
			t.Errorf("%s was refused (%s), but its helper does not leave that symbol undefined", r.Name, r.Reason)
		}
	}
	t.Logf("forced: %d constant-argument helpers fail to compile, %d link helpers leave unexported symbols undefined", len(constArg), len(link))
}

// kbuildCompile compiles a helper file with kbuild's flags (warnings are
// not errors here: the point is what fails).
func kbuildCompile(t *testing.T, f *module.Flags, src []byte) (obj, stderr string, err error) {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "helpers.c")
	obj = filepath.Join(dir, "helpers.o")
	if err := os.WriteFile(file, src, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	args := append(f.CompilerArgs(), "-fmax-errors=0", "-DKBUILD_MODFILE=\"rustko_helpers\"", "-c", "-o", obj, file)
	cmd := exec.CommandContext(ctx, compiler(f), args...)
	var b bytes.Buffer
	cmd.Stderr = &b
	err = cmd.Run()
	return obj, b.String(), err
}

// BenchmarkGenerateWide measures the analysis and C writing for every
// function the 6-header set defines (the parse is not included).
func BenchmarkGenerateWide(b *testing.B) {
	_, _, symvers, ast := realHeaders(b)
	names := inlineFunctions(ast)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := cwrap.Generate(ast, names, bindings.DefaultHeaders(), cwrap.Options{Exported: exported(symvers)}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGenerateFew is the common case: a handful of helpers.
func BenchmarkGenerateFew(b *testing.B) {
	_, _, symvers, ast := realHeaders(b)
	names := []string{"kmalloc", "copy_to_user", "get_current", "spin_lock", "spin_unlock"}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := cwrap.Generate(ast, names, bindings.DefaultHeaders(), cwrap.Options{Exported: exported(symvers)}); err != nil {
			b.Fatal(err)
		}
	}
}
