// Package archtest checks docs/ARCHITECTURE.md's import graph against the
// code: the arrows it draws are the arrows `go list` finds, and every arrow
// points to a lower layer.
package archtest

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the import lists of docs/ARCHITECTURE.md's graph from the code (layers are kept; a new package gets layer ? and the test still fails until it is placed)")

const modPath = "github.com/rustko/rustko-lsp/"

const (
	beginGraph = "<!-- import graph: internal/archtest checks it; go test ./internal/archtest -update rewrites the arrows -->"
	endGraph   = "<!-- end of import graph -->"
)

// edge is one documented line: a package, its layer, what it imports.
type edge struct {
	layer   int // -1: not placed yet
	pkg     string
	imports []string
}

func TestImportGraphMatchesArchitectureDoc(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	real := goList(t, root)
	docPath := filepath.Join(root, "docs", "ARCHITECTURE.md")
	doc, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	before, block, after, err := graphBlock(doc)
	if err != nil {
		t.Fatalf("%s: %v", docPath, err)
	}
	documented, err := parseGraph(block)
	if err != nil {
		t.Fatalf("%s: %v", docPath, err)
	}
	if *update {
		out := render(documented, real)
		must(t, os.WriteFile(docPath, slices.Concat(before, out, after), 0o644))
		documented, err = parseGraph(out)
		must(t, err)
	}
	layer := map[string]int{}
	for _, e := range documented {
		layer[e.pkg] = e.layer
	}
	for pkg := range real {
		if _, ok := layer[pkg]; !ok {
			t.Errorf("%s is not in the graph of docs/ARCHITECTURE.md (go test ./internal/archtest -update adds it; then give it a layer)", pkg)
		}
	}
	for _, e := range documented {
		imps, ok := real[e.pkg]
		if !ok {
			t.Errorf("docs/ARCHITECTURE.md lists %s, which is not a package of the module", e.pkg)
			continue
		}
		if !slices.Equal(e.imports, imps) {
			t.Errorf("docs/ARCHITECTURE.md: %s imports %v, the code %v (go test ./internal/archtest -update)", e.pkg, e.imports, imps)
		}
		if e.layer < 0 {
			t.Errorf("docs/ARCHITECTURE.md: %s has no layer", e.pkg)
		}
		for _, imp := range imps {
			if l, ok := layer[imp]; ok && l >= e.layer {
				t.Errorf("%s (layer %d) imports %s (layer %d): an import must point to a lower layer", e.pkg, e.layer, imp, l)
			}
		}
	}
	for _, v := range checkRules(real, goListLSP(t, root)) {
		t.Error(v)
	}
}

// checkRules are the boundaries the architecture promises in words.
func checkRules(graph map[string][]string, lspUsers []string) []string {
	var out []string
	for pkg, imps := range graph {
		for _, imp := range imps {
			switch {
			case imp == "server" && pkg != "cmd/rustko-lsp":
				out = append(out, pkg+" imports server: only cmd/rustko-lsp may")
			case !strings.HasPrefix(pkg, "cmd/") && strings.HasPrefix(imp, "cmd/"):
				out = append(out, pkg+" imports "+imp+": nothing imports a command")
			case under(pkg, "bindings") && under(imp, "diagnostics"):
				out = append(out, pkg+" imports "+imp+": C knowledge (bindings/) must not depend on the findings")
			case pkg == "module" && !under(imp, "internal"):
				out = append(out, "module imports "+imp+": the project model imports only internal/ leaves")
			case under(pkg, "internal") && !under(imp, "internal"):
				out = append(out, pkg+" imports "+imp+": internal/ is plumbing below everything")
			}
		}
	}
	for _, p := range lspUsers {
		if p != "server" {
			out = append(out, p+" imports an LSP package (go.lsp.dev/...): LSP types belong to server/ only")
		}
	}
	slices.Sort(out)
	return out
}

func under(pkg, dir string) bool { return pkg == dir || strings.HasPrefix(pkg, dir+"/") }

func TestRulesCatchViolations(t *testing.T) {
	graph := map[string][]string{
		"bindings/verdict": {"diagnostics"},
		"build":            {"server"},
		"module":           {"targets"},
		"internal/proc":    {"module"},
		"server":           {"cmd/rustko-lsp"},
	}
	got := checkRules(graph, []string{"server", "diagnostics/rustsrc"})
	if len(got) != 6 {
		t.Errorf("%d violations, want 6:\n%s", len(got), strings.Join(got, "\n"))
	}
}

// goList returns every package of the module (without third_party's, and
// without test-only directories such as this one) with the module's
// packages it imports, paths relative to the module.
func goList(t *testing.T, root string) map[string][]string {
	out := run(t, root, "go", "list", "-f", "{{.ImportPath}} {{len .GoFiles}}{{range .Imports}} {{.}}{{end}}", "./...")
	graph := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || f[1] == "0" || !strings.HasPrefix(f[0], modPath) {
			continue
		}
		imps := []string{}
		for _, imp := range f[2:] {
			if strings.HasPrefix(imp, modPath) {
				imps = append(imps, strings.TrimPrefix(imp, modPath))
			}
		}
		slices.Sort(imps)
		graph[strings.TrimPrefix(f[0], modPath)] = imps
	}
	return graph
}

// goListLSP names the packages that import go.lsp.dev directly.
func goListLSP(t *testing.T, root string) []string {
	out := run(t, root, "go", "list", "-f", "{{.ImportPath}}{{range .Imports}} {{.}}{{end}}", "./...")
	var users []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		if len(f) > 0 && slices.ContainsFunc(f[1:], func(s string) bool { return strings.HasPrefix(s, "go.lsp.dev/") }) {
			users = append(users, strings.TrimPrefix(f[0], modPath))
		}
	}
	return users
}

func run(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// graphBlock splits the doc around the fenced graph between the markers.
func graphBlock(doc []byte) (before, block, after []byte, err error) {
	i := bytes.Index(doc, []byte(beginGraph))
	j := bytes.Index(doc, []byte(endGraph))
	if i < 0 || j < i {
		return nil, nil, nil, fmt.Errorf("no import graph between %q and %q", beginGraph, endGraph)
	}
	start := i + len(beginGraph) + 1
	return doc[:start], doc[start:j], doc[j:], nil
}

// parseGraph reads the fenced lines "LAYER  PACKAGE -> IMPORT IMPORT ...".
func parseGraph(block []byte) ([]edge, error) {
	var out []edge
	for n, line := range strings.Split(string(block), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "```") || strings.HasPrefix(line, "#") {
			continue
		}
		lhs, rhs, ok := strings.Cut(line, "->")
		f := strings.Fields(lhs)
		if !ok || len(f) != 2 {
			return nil, fmt.Errorf("graph line %d: %q is not \"LAYER PACKAGE -> IMPORTS\"", n+1, line)
		}
		l := -1
		if f[0] != "?" {
			v, err := strconv.Atoi(f[0])
			if err != nil {
				return nil, fmt.Errorf("graph line %d: layer %q is not a number", n+1, f[0])
			}
			l = v
		}
		imps := strings.Fields(rhs)
		slices.Sort(imps)
		out = append(out, edge{layer: l, pkg: f[1], imports: imps})
	}
	return out, nil
}

// render writes the graph with the documented layers and the real arrows,
// lowest layer first.
func render(documented []edge, real map[string][]string) []byte {
	layer := map[string]int{}
	for _, e := range documented {
		layer[e.pkg] = e.layer
	}
	var es []edge
	for pkg, imps := range real {
		l, ok := layer[pkg]
		if !ok {
			l = -1
		}
		es = append(es, edge{layer: l, pkg: pkg, imports: imps})
	}
	slices.SortFunc(es, func(a, b edge) int {
		if a.layer != b.layer {
			return a.layer - b.layer
		}
		return strings.Compare(a.pkg, b.pkg)
	})
	width := 0
	for _, e := range es {
		width = max(width, len(e.pkg))
	}
	var b bytes.Buffer
	b.WriteString("```\n")
	for _, e := range es {
		l := "?"
		if e.layer >= 0 {
			l = strconv.Itoa(e.layer)
		}
		line := fmt.Sprintf("%-2s %-*s -> %s", l, width, e.pkg, strings.Join(e.imports, " "))
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	b.WriteString("```\n")
	return b.Bytes()
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
