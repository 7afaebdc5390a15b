package rustsrc

import (
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/bindings/index"
	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/module"
)

// A function listed in KERNEL_HELPERS that the generator refused still
// cannot link: the finding must say why instead of going quiet.
func TestListedButRefusedHelper(t *testing.T) {
	ix := fixtureIndex(t)
	var kmalloc *index.Item
	for _, it := range ix.Lookup("kmalloc") {
		if it.Kind == index.InlineFunction {
			kmalloc = it
		}
	}
	if kmalloc == nil {
		t.Fatal("fixture index has no inline kmalloc")
	}
	for _, tc := range []struct {
		name    string
		verdict *index.Verdict
		want    string // "" means no finding
	}{
		{"wrapped", &index.Verdict{Class: index.VerdictHelper, Advice: "wrapped by rustko_helper_kmalloc"}, ""},
		{"refused", &index.Verdict{Class: index.VerdictNoHelper, Advice: "it needs a compile-time-constant size"},
			"listed in KERNEL_HELPERS but no helper can wrap it: it needs a compile-time-constant size"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			saved := kmalloc.Verdict
			kmalloc.Verdict = tc.verdict
			defer func() { kmalloc.Verdict = saved }()
			env := &Env{Index: ix, Module: &module.Module{Vars: module.Vars{KernelHelpers: []string{"kmalloc"}}}}
			src := "mod bindings;\nfn f() { unsafe { bindings::kmalloc(8, bindings::GFP_KERNEL); } }\n"
			f, err := ParseWith("lib.rs", []byte(src), env)
			if err != nil {
				t.Fatal(err)
			}
			var msgs []string
			for _, d := range Analyze(f, env) {
				if d.Code == diagnostics.CodeInlineFunction {
					msgs = append(msgs, d.Message)
				}
			}
			switch {
			case tc.want == "" && len(msgs) != 0:
				t.Errorf("unexpected findings: %q", msgs)
			case tc.want != "" && (len(msgs) != 1 || !strings.Contains(msgs[0], tc.want)):
				t.Errorf("findings %q, want one containing %q", msgs, tc.want)
			}
		})
	}
}
