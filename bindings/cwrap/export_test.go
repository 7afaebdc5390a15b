package cwrap

import "modernc.org/cc/v4"

// GenerateUnchecked wraps names without the body analysis, so tests can
// show that what Generate refuses indeed fails to compile or link.
func GenerateUnchecked(ast *cc.AST, names, headers []string, o Options) (*Result, error) {
	return generate(ast, names, headers, o, true)
}
