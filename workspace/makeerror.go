package workspace

import (
	"errors"
	"strings"

	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/module"
)

// MakeErrorFinding puts make's complaint about one of the module's makefiles
// (module.MakeError) on the line make names: the one finding a module that
// cannot be loaded has, in check and in the editor alike. ok is false for an
// error that names no line.
func MakeErrorFinding(err error) (f diagnostics.Finding, ok bool) {
	var me *module.MakeError
	if !errors.As(err, &me) || me.File == "" || me.Line <= 0 {
		return diagnostics.Finding{}, false
	}
	return diagnostics.Finding{
		File:     me.File,
		Range:    diagnostics.Point(me.Line, 1),
		Severity: diagnostics.Error,
		Code:     diagnostics.CodeMakefileError,
		Source:   "make",
		Message:  strings.TrimSpace(me.Message) + " (make cannot read this makefile, so rustko cannot load the module)",
	}, true
}
