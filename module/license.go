package module

import (
	"fmt"
	"slices"
	"strings"
)

// License is a module licence declaration found in source: the string the
// kernel reads from .modinfo, and where its text is, so diagnostics can
// point at it and quick fixes can replace exactly that text.
type License struct {
	Value string
	File  string
	// Line and Column (1-based; Column counts bytes) are where the licence
	// text starts; EndLine/EndColumn is just after its last byte. For
	// MODULE_LICENSE("GPL") the range covers GPL, not the quotes.
	Line, Column       int
	EndLine, EndColumn int
	Source             string // "MODULE_LICENSE" or ".modinfo" (a Rust link_section static)
}

func (l License) String() string {
	return fmt.Sprintf("%s:%d:%d: %s %q", l.File, l.Line, l.Column, l.Source, l.Value)
}

// gplCompatible is the kernel's own list, from license_is_gpl_compatible()
// in include/linux/license.h; the kernel compares with strcmp, so case and
// spacing matter.
var gplCompatible = []string{
	"GPL",
	"GPL v2",
	"GPL and additional rights",
	"Dual BSD/GPL",
	"Dual MIT/GPL",
	"Dual MPL/GPL",
}

// GPLCompatible says whether the kernel treats licence string s as
// GPL-compatible: only then may the module link EXPORT_SYMBOL_GPL symbols
// without tainting the kernel. "MIT" alone is not.
func GPLCompatible(s string) bool { return slices.Contains(gplCompatible, s) }

// GPLCompatibleLicenses returns the kernel's list, for messages and fixes.
func GPLCompatibleLicenses() []string { return slices.Clone(gplCompatible) }

// DualLicense is the GPL-compatible licence a fix proposes for v: the
// author's licence kept and the GPL added, the way the kernel's own list
// spells it.
func DualLicense(v string) string {
	switch strings.ToUpper(strings.TrimSpace(v)) {
	case "MIT":
		return "Dual MIT/GPL"
	case "BSD":
		return "Dual BSD/GPL"
	case "MPL":
		return "Dual MPL/GPL"
	}
	return "GPL"
}
