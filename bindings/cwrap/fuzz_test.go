package cwrap_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"modernc.org/cc/v4"

	"github.com/rustko/rustko-lsp/bindings/cwrap"
)

var (
	fuzzCfgOnce sync.Once
	fuzzCfg     *cc.Config
	fuzzCfgErr  error
)

// FuzzGenerate feeds the analysis C the front end accepts but nobody
// wrote on purpose: whatever the bodies hold, Generate must answer with
// helpers and refusals, never an internal error (a recovered panic).
// Seeds: testdata/fuzz/FuzzGenerate.
func FuzzGenerate(f *testing.F) {
	f.Add("static inline int f(int n) { if (__builtin_constant_p(n)) return n; return n + 1; }")
	f.Add("static inline void f(int k) { asm volatile(\"\" :: \"i\"(k)); } static inline void g(int k) { f(k); }")
	f.Add("extern void h(void); static inline int f(int *p) { switch (sizeof(*p)) { case 4: return *p; default: h(); } return 0; }")
	f.Add("static inline int f(int n, ...) { return n; } static inline int g(int (*cb)(int), const char *const s[]) { return cb(0) + !s; }")
	f.Add("static inline int f(int n) { return ({ int x = n; x > 1 ? f(x - 1) : 0; }); }")
	f.Fuzz(func(t *testing.T, src string) {
		fuzzCfgOnce.Do(func() {
			if fuzzCfg, fuzzCfgErr = cc.NewConfig("linux", "amd64"); fuzzCfgErr == nil {
				fuzzCfg.Header = true
			}
		})
		if fuzzCfgErr != nil {
			t.Fatalf("configuring the C front end (apt-get install -y gcc): %v", fuzzCfgErr)
		}
		ast, err := translate(fuzzCfg, src)
		if err != nil {
			return // not C: the front end's business
		}
		var names []string
		for tu := ast.TranslationUnit; tu != nil; tu = tu.TranslationUnit {
			if ed := tu.ExternalDeclaration; ed != nil && ed.Case == cc.ExternalDeclarationFuncDef {
				names = append(names, ed.FunctionDefinition.Declarator.Name())
			}
		}
		names = append(names, "not_declared")
		res, err := cwrap.Generate(ast, names, []string{"fuzz.h"}, cwrap.Options{Exported: func(string) (bool, bool) { return false, true }})
		if err != nil {
			if strings.Contains(err.Error(), "without function bodies") {
				return
			}
			t.Fatalf("Generate: %v", err)
		}
		for _, r := range res.Refused {
			if strings.Contains(r.Reason, "internal error") {
				t.Fatalf("%s", r.Reason)
			}
		}
		if len(res.Wrapped)+len(res.Refused) != len(names) {
			t.Fatalf("%d names, %d wrapped, %d refused", len(names), len(res.Wrapped), len(res.Refused))
		}
	})
}

// translate is cc.Translate as bindings' front end calls it: a panic of cc/v4's
// type checker on C that is not valid (A(long _Bool){} is one) becomes an
// error there too (bindings/frontend.go), so here it is the front end
// refusing the input, not a fault of cwrap. The parser's own crashes found by
// this target were fixed in third_party/modernc.org/cc/v4 (PATCHES.md 7, 8).
func translate(cfg *cc.Config, src string) (ast *cc.AST, err error) {
	defer func() {
		if r := recover(); r != nil {
			ast, err = nil, fmt.Errorf("the C front end panicked: %v", r)
		}
	}()
	return cc.Translate(cfg, []cc.Source{
		{Name: "<predefined>", Value: cfg.Predefined},
		{Name: "<builtin>", Value: cc.Builtin},
		{Name: "fuzz.h", Value: src},
	})
}
