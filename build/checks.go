package build

import (
	"context"
	"slices"
	"strings"

	"github.com/rustko/rustko-lsp/build/objcheck"
	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/diagnostics/rustsrc"
)

// checkObject runs the object checks on the Rust object before kbuild
// links it: what the kernel would reject at load time or run wrongly
// (FP/SIMD, red zone, GOT), and the undefined symbols modpost would report,
// each on the Rust line responsible.
func (b *builder) checkObject(ctx context.Context) ([]diagnostics.Finding, error) {
	license := ""
	if b.w.License != nil {
		license = b.w.License.Value
	}
	return objcheck.Check(ctx, b.rustObj, objcheck.Options{
		Symvers: b.w.Symvers,
		Defined: rustsrc.CDefinitions(b.cFiles()),
		Sources: b.m.Root,
		Crate:   b.crateRoot(),
		License: license,

		IBT:         b.codegen.IBT,
		ReturnThunk: b.codegen.ReturnThunk,
		Retpoline:   b.codegen.Retpoline,
	})
}

// dropDuplicateUndefined removes modpost's findings about symbols that the
// object check already reported, with a better line, before the link.
// syms[i] is the symbol kbuild's finding i is about ("" for others).
func dropDuplicateUndefined(checks, kbuild []diagnostics.Finding, syms []string) []diagnostics.Finding {
	var out []diagnostics.Finding
	for i, f := range kbuild {
		if i < len(syms) && syms[i] != "" && reported(checks, f.Code, syms[i]) {
			continue
		}
		out = append(out, f)
	}
	return out
}

// objtoolSymptoms are the warnings objtool prints for every function
// compiled without a flag the kernel's configuration wanted, by the flag
// and by the object check that finds the same.
var objtoolSymptoms = map[string]string{
	"-Zfunction-return=thunk-extern": "'naked' return found",
	"-Zcf-protection=branch":         "!ENDBR",
	objcheck.CodeBareReturn:          "'naked' return found",
	objcheck.CodeEndbr:               "!ENDBR",
}

// dropCoveredByCodegen removes objtool's per-function warnings about what
// the codegen-unsupported finding already said the toolchain cannot do
// (said once, on the line choosing the toolchain), or what the object
// checks reported on the Rust line, demangled.
func dropCoveredByCodegen(gaps []codegenGap, checks, kbuild []diagnostics.Finding) []diagnostics.Finding {
	var symptoms []string
	for _, g := range gaps {
		if s, ok := objtoolSymptoms[g.Flag]; ok {
			symptoms = append(symptoms, s)
		}
	}
	for _, f := range checks {
		if s, ok := objtoolSymptoms[f.Code]; ok {
			symptoms = append(symptoms, s)
		}
	}
	if len(symptoms) == 0 {
		return kbuild
	}
	var out []diagnostics.Finding
	for _, f := range kbuild {
		covered := f.Source == sourceObjtool && slices.ContainsFunc(symptoms, func(s string) bool { return strings.Contains(f.Message, s) })
		if !covered {
			out = append(out, f)
		}
	}
	return out
}

// reported tells whether an object-check finding with code names sym (its
// messages quote modpost's own wording, which quotes the symbol).
func reported(checks []diagnostics.Finding, code, sym string) bool {
	return slices.ContainsFunc(checks, func(c diagnostics.Finding) bool {
		return c.Code == code && (strings.Contains(c.Message, `"`+sym+`"`) || strings.Contains(c.Message, "'"+sym+"'"))
	})
}
