package build

import (
	"context"
	"os"
	"regexp"
	"strings"

	"github.com/rustko/rustko-lsp/build/objcheck"
	"github.com/rustko/rustko-lsp/diagnostics"
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
		Defined: cDefinitions(b.cFiles()),
		Sources: b.m.Root,
		Crate:   b.crateRoot(),
		License: license,

		IBT:         b.codegen.IBT,
		ReturnThunk: b.codegen.ReturnThunk,
		Retpoline:   b.codegen.Retpoline,
	})
}

// cFuncDefRE matches a function definition's head at the start of a line:
// return type words, the name, the parameter list (maybe over several
// lines) and the opening brace.
var cFuncDefRE = regexp.MustCompile(`(?m)^([A-Za-z_][\w \t\*]*?[\s\*])([A-Za-z_]\w*)\s*\([^;{}()]*(?:\([^;{}()]*\)[^;{}()]*)*\)\s*\{`)

// cDefinitions lists the functions the C files define with external
// linkage: the Rust object may call them (helpers), and they are not the
// kernel's to export. Text is enough here: kernel C shims define functions
// in the one style kernel code uses.
func cDefinitions(files []string) []string {
	var defs []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		inBlock := false
		var clean strings.Builder
		for _, line := range strings.Split(string(data), "\n") {
			clean.WriteString(blankComments(line, &inBlock))
			clean.WriteByte('\n')
		}
		for _, m := range cFuncDefRE.FindAllStringSubmatch(clean.String(), -1) {
			words := strings.Fields(strings.ReplaceAll(m[1], "*", " "))
			static := false
			for _, w := range words {
				if w == "static" {
					static = true
				}
			}
			if !static && len(words) > 0 {
				defs = append(defs, m[2])
			}
		}
	}
	return defs
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
		covered := false
		for _, s := range symptoms {
			covered = covered || (f.Source == sourceObjtool && strings.Contains(f.Message, s))
		}
		if !covered {
			out = append(out, f)
		}
	}
	return out
}

// reported tells whether an object-check finding with code names sym (its
// messages quote modpost's own wording, which quotes the symbol).
func reported(checks []diagnostics.Finding, code, sym string) bool {
	for _, c := range checks {
		if c.Code == code && (strings.Contains(c.Message, `"`+sym+`"`) || strings.Contains(c.Message, "'"+sym+"'")) {
			return true
		}
	}
	return false
}
