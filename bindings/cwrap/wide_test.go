package cwrap_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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
func TestWideSample(t *testing.T) {
	_, f, symvers, ast := realHeaders(t)
	names := inlineFunctions(ast)
	if len(names) < 200 {
		t.Fatalf("the 6-header set defines only %d functions; the sample needs at least 200", len(names))
	}
	res, err := cwrap.Generate(ast, names, bindings.DefaultHeaders(), cwrap.Options{Exported: exported(symvers)})
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
	counts := res.CountByKind()
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
