package diagnostics

// sourceDescriptions describe the rule of a finding that has no code of
// ours: a tool's own code (rustc's E0308) or none (modpost's messages).
var sourceDescriptions = map[string]string{
	SourceRustc:   "Reported by rustc.",
	SourceGCC:     "Reported by gcc while kbuild compiled the C shim.",
	SourceModpost: "Reported by modpost while linking the module.",
	SourceKbuild:  "Reported by kbuild.",
	SourceObject:  "Found in the compiled object (relocations, FPU use, red zone).",
	// vm.SourceKernel; diagnostics cannot import vm, which imports it.
	"kernel": "Read from the guest kernel's log in a test boot (rustko-lsp run).",
}

// sarifRuleOf is the SARIF rule for one rule id (see ruleID): the
// registry's entry for our codes, the reporting tool's description for
// the rest.
func sarifRuleOf(id, source string) sarifRule {
	if r, ok := Lookup(id); ok {
		return sarifRule{ID: id, ShortDescription: sarifMessage{r.Summary}, HelpURI: r.HelpURI,
			DefaultConfiguration: &sarifRuleConfig{Level: sarifLevel(r.Severity)}}
	}
	if d, ok := sourceDescriptions[source]; ok {
		return sarifRule{ID: id, ShortDescription: sarifMessage{d}}
	}
	return sarifRule{ID: id, ShortDescription: sarifMessage{id}}
}
