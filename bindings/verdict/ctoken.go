package verdict

import "github.com/rustko/rustko-lsp/bindings/clex"

// token is one C token as bindings/clex splits it.
type token = clex.Token

const (
	tIdent  = clex.Ident
	tString = clex.String
	tPunct  = clex.Punct
)

func lexC(src string) []token { return clex.Lex(src) }

func joinTokens(ts []token) string { return clex.Join(ts) }

func isIdentChar(c byte) bool { return clex.IsIdentChar(c) }
