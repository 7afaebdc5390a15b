package cwrap

import (
	"strings"

	"modernc.org/cc/v4"
	"modernc.org/token"
)

// A user-access window (x86 SMAP: stac ... clac; arm64 PAN, powerpc KUAP
// alike) is opened and closed by the same function in kernel code:
// objtool checks it per function ("redundant UACCESS disable", "return
// with UACCESS enabled"), and code between the two may touch only user
// memory through the unsafe_* accessors. An inline function that does one
// half only (7.x's __scoped_user_read_access_end, the cleanup of
// scoped_user_read_access) is a piece of its caller: a helper of its own
// leaves the window unbalanced, and Rust cannot hold it open across calls
// either.

// uaccessOps are the calls that open (true) or close (false) the window:
// the generic names (linux/uaccess.h) and the architectures' primitives
// they expand to, which is what a preprocessed body calls. A function of
// one of these names is the operation, whatever its body says.
var uaccessOps = map[string]bool{
	"user_access_begin":              true,
	"user_read_access_begin":         true,
	"user_write_access_begin":        true,
	"user_rw_access_begin":           true,
	"masked_user_access_begin":       true,
	"masked_user_read_access_begin":  true,
	"masked_user_write_access_begin": true,
	"masked_user_rw_access_begin":    true,
	"__uaccess_begin":                true,
	"__uaccess_begin_nospec":         true,
	"stac":                           true, // x86
	"uaccess_enable":                 true, // arm64
	"uaccess_enable_privileged":      true,
	"__uaccess_enable_hw_pan":        true,
	"allow_user_access":              true, // powerpc
	"allow_read_from_user":           true,
	"allow_write_to_user":            true,
	"allow_read_write_user":          true,
	"__enable_user_access":           true, // riscv

	"user_access_end":             false,
	"user_read_access_end":        false,
	"user_write_access_end":       false,
	"user_rw_access_end":          false,
	"__uaccess_end":               false,
	"clac":                        false,
	"uaccess_disable":             false,
	"uaccess_disable_privileged":  false,
	"__uaccess_disable_hw_pan":    false,
	"prevent_user_access":         false,
	"prevent_read_from_user":      false,
	"prevent_write_to_user":       false,
	"prevent_read_write_user":     false,
	"prevent_current_access_user": false,
	"__disable_user_access":       false,
}

// uaEvent is the first place a body opens or closes the window.
type uaEvent struct {
	what string // the call or instruction: clac(), an inline asm "clac"
	pos  token.Position
	via  []string
}

// uaccessCall records a call of a window operation; it reports whether
// name is one.
func (c *fnCtx) uaccessCall(name string, pos token.Position) bool {
	open, ok := uaccessOps[name]
	if !ok {
		return false
	}
	c.uaccess(open, uaEvent{what: name + "()", pos: pos})
	return true
}

func (c *fnCtx) uaccess(open bool, e uaEvent) {
	p := &c.sum.uaClose
	if open {
		p = &c.sum.uaOpen
	}
	if *p == nil {
		*p = &e
	}
}

// uaccessPropagate carries a callee's unmatched half to the caller: a
// callee that opens and closes keeps its window to itself.
func (c *fnCtx) uaccessPropagate(callee string, s *summary) {
	for _, open := range []bool{true, false} {
		e, other := s.uaOpen, s.uaClose
		if !open {
			e, other = s.uaClose, s.uaOpen
		}
		if e == nil || other != nil {
			continue
		}
		e2 := *e
		e2.via = append([]string{callee}, e.via...)
		c.uaccess(open, e2)
	}
}

// uaccessAsm finds the x86 instructions themselves in an asm statement's
// strings (smap_save's "pushf; pop %0; clac", an alternative's
// replacement), as mnemonics (7.x) or as the bytes older kernels spell
// them with (6.1's __ASM_CLAC is ".byte 0x0f,0x01,0xca").
func (c *fnCtx) uaccessAsm(x *cc.Asm) {
	var b strings.Builder
	for _, t := range cc.NodeTokens(x) {
		if t.Ch == rune(cc.STRINGLITERAL) {
			b.WriteString(t.SrcStr())
			b.WriteByte(' ')
		}
	}
	text := b.String()
	bytes := strings.Join(strings.Fields(strings.ToLower(text)), "")
	for _, ins := range []struct {
		word, code string
		open       bool
	}{{"stac", "0x0f,0x01,0xcb", true}, {"clac", "0x0f,0x01,0xca", false}} {
		if hasWord(text, ins.word) || strings.Contains(bytes, ins.code) {
			c.uaccess(ins.open, uaEvent{what: `an inline asm "` + ins.word + `"`, pos: x.Position()})
		}
	}
}

// hasWord reports whether w occurs in s as a whole identifier.
func hasWord(s, w string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], w)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(w)
		if (j == 0 || !isIdentByte(s[j-1])) && (end == len(s) || !isIdentByte(s[end])) {
			return true
		}
		i = j + 1
	}
}

// uaccessRefusal refuses a function that does one half of a user-access
// window only.
func (a *analyser) uaccessRefusal(name, where string) *Refusal {
	if open, ok := uaccessOps[name]; ok {
		// What its callers take it for, whatever its body shows.
		half, other := "closes", "begin"
		if open {
			half, other = "opens", "end"
		}
		return refuse(name, Uaccess, "%s (%s) is the operation that %s a user-access window, and the matching %s must be in the same function; a helper of its own leaves the window unbalanced, which objtool rejects; use copy_from_user/copy_to_user/get_user/put_user, or write the whole access in C",
			name, where, half, other)
	}
	s := a.summarize(name)
	switch {
	case s.uaClose != nil && s.uaOpen == nil:
		e := s.uaClose
		return refuse(name, Uaccess, "%s (%s) closes a user-access window it never opens: it reaches %s (%s%s), and the matching begin is in its callers (it is one half of a pair the kernel keeps in one function, such as the cleanup of a scoped_user_*_access block); in a helper of its own the window is unbalanced, which objtool rejects (\"redundant UACCESS disable\"); use copy_from_user/copy_to_user/get_user/put_user, or write the whole access in C",
			name, where, e.what, a.where(e.pos.Filename, e.pos.Line), through(e.via))
	case s.uaOpen != nil && s.uaClose == nil:
		e := s.uaOpen
		return refuse(name, Uaccess, "%s (%s) opens a user-access window it never closes: it reaches %s (%s%s), and the matching end is in its callers; a helper would return with user access enabled, which objtool rejects (\"return with UACCESS enabled\") and Rust cannot keep balanced; use copy_from_user/copy_to_user/get_user/put_user, or write the whole access in C",
			name, where, e.what, a.where(e.pos.Filename, e.pos.Line), through(e.via))
	}
	return nil
}
