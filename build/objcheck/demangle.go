package objcheck

import (
	"strings"
)

// Demangle turns a Rust symbol, legacy (_ZN...E) or v0 (_R...), into the
// path a person reads, without crate disambiguators and hashes, exactly as
// `c++filt -i --format=rust` prints it:
//
//	_RNvNtCsgEmfK2I1SDS_4core9panicking18panic_bounds_check -> core::panicking::panic_bounds_check
//
// Anything that is not a well-formed Rust symbol (C names such as memset,
// truncated or hostile input) comes back unchanged. Compiler suffixes such as
// ".llvm.1234" are dropped.
func Demangle(sym string) string {
	if strings.HasPrefix(sym, "_R") {
		// v0 names never contain '.', so everything from one on is a
		// suffix added by LLVM.
		s, _, _ := strings.Cut(sym, ".")
		if out, ok := demangleV0(s); ok {
			return out
		}
		return sym
	}
	if out, ok := demangleLegacy(sym); ok {
		return out
	}
	return sym
}

// demangleLegacy handles rustc's original Itanium-like scheme, which
// rustc 1.63 (Debian's) still uses by default: _ZN <len><ident>... E, the
// last ident being a hash "h<16 hex digits>".
func demangleLegacy(s string) (string, bool) {
	switch {
	case strings.HasPrefix(s, "_ZN"):
		s = s[3:]
	case strings.HasPrefix(s, "ZN"):
		s = s[2:]
	case strings.HasPrefix(s, "__ZN"):
		s = s[4:]
	default:
		return "", false
	}
	var parts []string
	for len(s) > 0 && s[0] != 'E' {
		n, rest, ok := decimal(s)
		if !ok || n == 0 || n > len(rest) {
			return "", false
		}
		parts = append(parts, rest[:n])
		s = rest[n:]
	}
	// After the closing E only an LLVM suffix (".llvm.123") may follow.
	if !strings.HasPrefix(s, "E") || (len(s) > 1 && s[1] != '.') || len(parts) == 0 {
		return "", false
	}
	if len(parts) > 1 && isLegacyHash(parts[len(parts)-1]) {
		parts = parts[:len(parts)-1]
	}
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteString("::")
		}
		if !unescapeLegacy(&b, p) {
			return "", false
		}
	}
	return b.String(), true
}

// isLegacyHash recognises the trailing "h" + 16 hex digits element.
func isLegacyHash(p string) bool {
	if len(p) != 17 || p[0] != 'h' {
		return false
	}
	for i := 1; i < len(p); i++ {
		if !isHex(p[i]) {
			return false
		}
	}
	return true
}

// legacyEscapes are the $..$ sequences legacy mangling uses for characters
// symbols cannot hold.
var legacyEscapes = map[string]string{
	"SP": "@", "BP": "*", "RF": "&", "LT": "<", "GT": ">", "LP": "(", "RP": ")", "C": ",",
}

func unescapeLegacy(b *strings.Builder, p string) bool {
	// A leading "_$" keeps an element starting with an escape from
	// looking like a length.
	if strings.HasPrefix(p, "_$") {
		p = p[1:]
	}
	for len(p) > 0 {
		switch {
		case strings.HasPrefix(p, ".."):
			b.WriteString("::")
			p = p[2:]
		case p[0] == '$':
			end := strings.IndexByte(p[1:], '$')
			if end < 0 {
				return false
			}
			esc := p[1 : 1+end]
			p = p[end+2:]
			if r, ok := legacyEscapes[esc]; ok {
				b.WriteString(r)
				continue
			}
			hex, ok := strings.CutPrefix(esc, "u")
			if !ok || len(hex) == 0 || len(hex) > 6 {
				return false
			}
			var c rune
			for i := 0; i < len(hex); i++ {
				if !isHex(hex[i]) {
					return false
				}
				c = c<<4 | rune(hexVal(hex[i]))
			}
			b.WriteRune(c)
		default:
			i := strings.IndexAny(p, "$")
			if j := strings.Index(p, ".."); j >= 0 && (i < 0 || j < i) {
				i = j
			}
			if i < 0 {
				i = len(p)
			}
			b.WriteString(p[:i])
			p = p[i:]
		}
	}
	return true
}

// decimal reads a leading decimal number.
func decimal(s string) (int, string, bool) {
	i, n := 0, 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		if n > 1<<20 {
			return 0, s, false
		}
		n = n*10 + int(s[i]-'0')
		i++
	}
	return n, s[i:], i > 0
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' }

func hexVal(c byte) int {
	if c <= '9' {
		return int(c - '0')
	}
	return int(c-'a') + 10
}
