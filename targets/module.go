package targets

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/module"
)

// CheckModule validates the target specification module m builds with
// (m.Vars.Target, chosen by module.Load: TARGET, LLVM_TARGET_SPEC or rust.ko's
// <arch>-unknown-none-gnu.json at the root). Findings about the spec's
// content are at their lines in the spec; a variable that names a spec which
// does not exist is reported where the variable is set (the Makefile or
// config.mk line make read it from), never at the missing file. tc is the
// module's rustc (Find); nil judges against current rustc. The embedded
// default needs no check.
func CheckModule(m *module.Module, tc *Toolchain) []diagnostics.Finding {
	if m == nil || m.Vars.Target == "" {
		return nil
	}
	path := m.Vars.Target
	if !m.Target.Found && m.Target.Var != "" {
		return []diagnostics.Finding{missingSpec(m)}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		// A folder or an unreadable file: reported where it was chosen.
		f := diagnostics.Finding{Severity: diagnostics.Error, Code: diagnostics.CodeTargetSpec, Source: SourceTargetSpec,
			Message: fmt.Sprintf("cannot read the target specification: %v", err)}
		f.File, f.Range = path, diagnostics.Point(1, 1)
		if m.Target.Var != "" {
			var origin string
			f.File, f.Range, origin = assignmentSite(m, m.Target.Var)
			f.Message = fmt.Sprintf("cannot read the target specification %s names (set %s): %v", m.Target.Var, origin, err)
		}
		if !isRegularFile(f.File) {
			f.File = m.Root
		}
		return []diagnostics.Finding{f}
	}
	if tc != nil && !isEmbeddedSpec(path, data) {
		return ValidateFor(path, data, *tc)
	}
	// rustko builds an embedded spec byte for byte in the form the module's
	// rustc accepts (1.63 wants string widths), so it is judged as shipped.
	return ValidateFor(path, data, Toolchain{})
}

// isEmbeddedSpec says whether a spec file is one of rustko's own, byte for
// byte.
func isEmbeddedSpec(path string, data []byte) bool {
	emb := Data(strings.TrimSuffix(filepath.Base(path), ".json"))
	return emb != nil && bytes.Equal(emb, data)
}

// missingSpec reports a TARGET (or LLVM_TARGET_SPEC) that names no file, on
// the assignment that set it.
func missingSpec(m *module.Module) diagnostics.Finding {
	c := m.Target
	file, rng, origin := assignmentSite(m, c.Var)
	var looked []string
	for _, p := range c.Tried {
		looked = append(looked, relTo(m.Root, p))
	}
	what := fmt.Sprintf("%s = %s (set %s) names no target specification", c.Var, c.Value, origin)
	if strings.HasSuffix(c.Value, ".json") || len(c.Tried) <= 1 && strings.Contains(c.Value, "/") {
		what += fmt.Sprintf(": %s does not exist", strings.Join(looked, ", "))
	} else {
		what += fmt.Sprintf(": as a target name, rustc looks for %s.json in RUST_TARGET_PATH's folders, and none of %s exists",
			c.Value, strings.Join(looked, ", "))
	}
	return diagnostics.Finding{
		File: file, Range: rng, Severity: diagnostics.Error, Code: diagnostics.CodeTargetSpec, Source: SourceTargetSpec,
		Message: what + fmt.Sprintf("; set %s to the spec's path, or remove it to build with rustko's built-in spec for the kernel's architecture", c.Var),
	}
}

// assignmentSite is where variable name was set: the makefile line make
// read it from, the value's columns when the line shows it literally. A
// value from the environment or the editor has no line; the finding then
// goes on the first line of the module's Makefile (or Kbuild, or
// Cargo.toml), a file that exists, and origin says where the value came
// from.
func assignmentSite(m *module.Module, name string) (file string, rng diagnostics.Range, origin string) {
	if w := m.Where[name]; w != "" {
		i := strings.LastIndexByte(w, ':')
		var line int
		if _, err := fmt.Sscanf(w[i+1:], "%d", &line); err == nil && line > 0 {
			// make names a makefile outside the module by its absolute path.
			file = w[:i]
			if !filepath.IsAbs(file) {
				file = filepath.Join(m.Root, file)
			}
			return file, lineRange(file, line, strings.TrimSpace(m.Raw[name])), "in " + w
		}
	}
	origin = m.Origin[name]
	switch origin {
	case module.OriginEnvironment:
		origin = "in the environment"
	case module.OriginOverride:
		origin = "by the command line or the editor's settings"
	default:
		origin = "by " + origin
	}
	for _, n := range []string{"Makefile", "Kbuild", "Cargo.toml"} {
		if p := filepath.Join(m.Root, n); isRegularFile(p) {
			return p, diagnostics.Point(1, 1), origin
		}
	}
	return m.Root, diagnostics.Point(1, 1), origin
}

// lineRange covers value on line of file when it appears there, else the
// whole line.
func lineRange(file string, line int, value string) diagnostics.Range {
	b, err := os.ReadFile(file)
	if err != nil {
		return diagnostics.Point(line, 1)
	}
	lines := strings.Split(string(b), "\n")
	if line > len(lines) {
		return diagnostics.Point(line, 1)
	}
	text := strings.TrimRight(lines[line-1], "\r")
	start, end := 1, len(text)+1
	if value != "" {
		if i := strings.LastIndex(text, value); i >= 0 {
			start, end = i+1, i+1+len(value)
		}
	}
	return diagnostics.Range{Start: diagnostics.Position{Line: line, Column: start}, End: diagnostics.Position{Line: line, Column: end}}
}

func relTo(root, p string) string {
	if r, err := filepath.Rel(root, p); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return p
}

func isRegularFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}
