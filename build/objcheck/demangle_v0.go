package objcheck

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The v0 demangler follows RFC 2603's grammar and prints the way
// rustc-demangle's alternate form (and c++filt -i) does. Parsing and printing
// happen in one pass, as backreferences point back into the mangled text and
// are simply parsed again from there.

var errV0 = errors.New("invalid v0 symbol")

// v0MaxDepth bounds recursion: backreferences can otherwise loop or nest
// deeply in hostile input.
const v0MaxDepth = 300

// v0MaxOutput bounds what one symbol prints (rustc-demangle stops at a size
// limit too): twelve bytes can ask for billions of bound lifetimes
// ("G" and a large base-62 count), and backreferences to backreferences
// double the output at each level. No real symbol comes near it.
const v0MaxOutput = 64 << 10

type v0 struct {
	sym   string
	pos   int
	depth int
	out   strings.Builder
	// skip > 0 suppresses output (impl paths are parsed, not printed).
	skip int
	// boundLifetimes counts for<'a, ...> binders entered, to name
	// de Bruijn-indexed lifetimes.
	boundLifetimes uint64
}

func demangleV0(sym string) (string, bool) {
	rest, ok := strings.CutPrefix(sym, "_R")
	if !ok || rest == "" {
		return "", false
	}
	// A leading decimal is an encoding version; only version 0 (absent)
	// exists.
	if rest[0] >= '0' && rest[0] <= '9' {
		return "", false
	}
	for i := 0; i < len(rest); i++ {
		if c := rest[i]; c >= 0x80 || !(c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return "", false
		}
	}
	p := &v0{sym: rest}
	if err := p.path(true); err != nil {
		return "", false
	}
	// The instantiating crate, if present, is not printed.
	if p.pos < len(p.sym) && p.peek() >= 'A' && p.peek() <= 'Z' {
		p.skip++
		err := p.path(false)
		p.skip--
		if err != nil {
			return "", false
		}
	}
	if p.pos != len(p.sym) {
		return "", false
	}
	return p.out.String(), true
}

func (p *v0) print(s string) {
	if p.skip == 0 {
		p.out.WriteString(s)
	}
}

func (p *v0) peek() byte {
	if p.pos < len(p.sym) {
		return p.sym[p.pos]
	}
	return 0
}

func (p *v0) eat(c byte) bool {
	if p.pos < len(p.sym) && p.sym[p.pos] == c {
		p.pos++
		return true
	}
	return false
}

func (p *v0) next() (byte, error) {
	if p.pos >= len(p.sym) {
		return 0, errV0
	}
	c := p.sym[p.pos]
	p.pos++
	return c, nil
}

func (p *v0) push() error {
	p.depth++
	if p.depth > v0MaxDepth {
		return errV0
	}
	return nil
}

func (p *v0) pop() { p.depth-- }

// integer62 reads a base-62 number terminated by '_' ("_" alone is 0).
func (p *v0) integer62() (uint64, error) {
	if p.eat('_') {
		return 0, nil
	}
	var x uint64
	for !p.eat('_') {
		c, err := p.next()
		if err != nil {
			return 0, err
		}
		var d uint64
		switch {
		case c >= '0' && c <= '9':
			d = uint64(c - '0')
		case c >= 'a' && c <= 'z':
			d = uint64(c-'a') + 10
		case c >= 'A' && c <= 'Z':
			d = uint64(c-'A') + 36
		default:
			return 0, errV0
		}
		// Disambiguators are 64-bit hashes: use the whole range, but
		// refuse to wrap.
		if x > math.MaxUint64/62 || x*62 > math.MaxUint64-d {
			return 0, errV0
		}
		x = x*62 + d
	}
	if x == math.MaxUint64 {
		return 0, errV0
	}
	return x + 1, nil
}

// optInteger62 reads tag followed by a base-62 number, or nothing (0).
func (p *v0) optInteger62(tag byte) (uint64, error) {
	if !p.eat(tag) {
		return 0, nil
	}
	n, err := p.integer62()
	if err == nil && n == math.MaxUint64 {
		return 0, errV0
	}
	return n + 1, err
}

func (p *v0) disambiguator() (uint64, error) { return p.optInteger62('s') }

// ident reads [u]<decimal>[_]<bytes>; 'u' marks Punycode.
func (p *v0) ident() (string, error) {
	puny := p.eat('u')
	start := p.pos
	if p.peek() < '0' || p.peek() > '9' {
		return "", errV0
	}
	// "0" is the empty identifier and ends the number: "00" is two of them.
	if !p.eat('0') {
		for p.pos < len(p.sym) && p.sym[p.pos] >= '0' && p.sym[p.pos] <= '9' {
			p.pos++
		}
	}
	n, err := strconv.Atoi(p.sym[start:p.pos])
	if err != nil {
		return "", errV0
	}
	p.eat('_')
	if n > len(p.sym)-p.pos {
		return "", errV0
	}
	id := p.sym[p.pos : p.pos+n]
	p.pos += n
	if !puny {
		return id, nil
	}
	return decodePunycode(id)
}

// backref parses a backreference and runs f with the parser moved to its
// target, then restores the position.
func (p *v0) backref(f func() error) error {
	start := p.pos - 1 // the 'B' just eaten
	i, err := p.integer62()
	if err != nil {
		return err
	}
	// Positions count from just after "_R", and only point backwards.
	if i >= uint64(start) {
		return errV0
	}
	if p.skip > 0 {
		return nil // nothing to print; the target was parsed already
	}
	if p.out.Len() > v0MaxOutput {
		return errV0
	}
	if err := p.push(); err != nil {
		return err
	}
	saved := p.pos
	p.pos = int(i)
	err = f()
	p.pos = saved
	p.pop()
	return err
}

func (p *v0) path(inValue bool) error {
	if err := p.push(); err != nil {
		return err
	}
	defer p.pop()
	tag, err := p.next()
	if err != nil {
		return err
	}
	switch tag {
	case 'C':
		if _, err := p.disambiguator(); err != nil {
			return err
		}
		name, err := p.ident()
		if err != nil {
			return err
		}
		p.print(name)
	case 'N':
		ns, err := p.next()
		if err != nil || !(ns >= 'a' && ns <= 'z' || ns >= 'A' && ns <= 'Z') {
			return errV0
		}
		if err := p.path(inValue); err != nil {
			return err
		}
		dis, err := p.disambiguator()
		if err != nil {
			return err
		}
		name, err := p.ident()
		if err != nil {
			return err
		}
		switch {
		case ns >= 'A' && ns <= 'Z':
			p.print("::{")
			switch ns {
			case 'C':
				p.print("closure")
			case 'S':
				p.print("shim")
			default:
				p.print(string(ns))
			}
			if name != "" {
				p.print(":" + name)
			}
			p.print("#" + strconv.FormatUint(dis, 10) + "}")
		case name != "":
			p.print("::" + name)
		}
	case 'M', 'X', 'Y':
		if tag != 'Y' {
			if _, err := p.disambiguator(); err != nil {
				return err
			}
			p.skip++
			err := p.path(false)
			p.skip--
			if err != nil {
				return err
			}
		}
		p.print("<")
		if err := p.typ(); err != nil {
			return err
		}
		if tag != 'M' {
			p.print(" as ")
			if err := p.path(false); err != nil {
				return err
			}
		}
		p.print(">")
	case 'I':
		if err := p.path(inValue); err != nil {
			return err
		}
		if inValue {
			p.print("::")
		}
		p.print("<")
		if err := p.list(", ", p.genericArg); err != nil {
			return err
		}
		p.print(">")
	case 'B':
		return p.backref(func() error { return p.path(inValue) })
	default:
		return errV0
	}
	return nil
}

// list prints items until the terminating 'E'; it returns how many.
func (p *v0) listN(sep string, item func() error) (int, error) {
	n := 0
	for !p.eat('E') {
		if p.pos >= len(p.sym) {
			return n, errV0
		}
		if n > 0 {
			p.print(sep)
		}
		if err := item(); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func (p *v0) list(sep string, item func() error) error {
	_, err := p.listN(sep, item)
	return err
}

func (p *v0) genericArg() error {
	switch {
	case p.eat('L'):
		lt, err := p.integer62()
		if err != nil {
			return err
		}
		return p.lifetime(lt)
	case p.eat('K'):
		return p.constant(false)
	}
	return p.typ()
}

func (p *v0) lifetime(lt uint64) error {
	if p.skip > 0 {
		return nil
	}
	p.print("'")
	if lt == 0 {
		p.print("_")
		return nil
	}
	if lt > p.boundLifetimes {
		return errV0
	}
	depth := p.boundLifetimes - lt
	if depth < 26 {
		p.print(string(rune('a' + depth)))
	} else {
		p.print("_" + strconv.FormatUint(depth, 10))
	}
	return nil
}

// binder handles an optional G<n> introducing n higher-ranked lifetimes.
func (p *v0) binder(f func() error) error {
	n, err := p.optInteger62('G')
	if err != nil {
		return err
	}
	if p.skip > 0 {
		return f()
	}
	if n > 0 {
		p.print("for<")
		for i := uint64(0); i < n; i++ {
			if p.out.Len() > v0MaxOutput {
				return errV0
			}
			if i > 0 {
				p.print(", ")
			}
			p.boundLifetimes++
			if err := p.lifetime(1); err != nil {
				return err
			}
		}
		p.print("> ")
	}
	err = f()
	p.boundLifetimes -= n
	return err
}

var v0BasicTypes = map[byte]string{
	'b': "bool", 'c': "char", 'e': "str", 'u': "()", 'a': "i8", 's': "i16", 'l': "i32", 'x': "i64",
	'n': "i128", 'i': "isize", 'h': "u8", 't': "u16", 'm': "u32", 'y': "u64", 'o': "u128",
	'j': "usize", 'f': "f32", 'd': "f64", 'z': "!", 'p': "_", 'v': "...",
}

func (p *v0) typ() error {
	tag, err := p.next()
	if err != nil {
		return err
	}
	if s, ok := v0BasicTypes[tag]; ok {
		p.print(s)
		return nil
	}
	if err := p.push(); err != nil {
		return err
	}
	defer p.pop()
	switch tag {
	case 'R', 'Q':
		p.print("&")
		if p.eat('L') {
			lt, err := p.integer62()
			if err != nil {
				return err
			}
			if lt != 0 {
				if err := p.lifetime(lt); err != nil {
					return err
				}
				p.print(" ")
			}
		}
		if tag == 'Q' {
			p.print("mut ")
		}
		return p.typ()
	case 'P', 'O':
		if tag == 'P' {
			p.print("*const ")
		} else {
			p.print("*mut ")
		}
		return p.typ()
	case 'A', 'S':
		p.print("[")
		if err := p.typ(); err != nil {
			return err
		}
		if tag == 'A' {
			p.print("; ")
			if err := p.constant(true); err != nil {
				return err
			}
		}
		p.print("]")
	case 'T':
		p.print("(")
		n, err := p.listN(", ", p.typ)
		if err != nil {
			return err
		}
		if n == 1 {
			p.print(",")
		}
		p.print(")")
	case 'F':
		return p.binder(p.fnSig)
	case 'D':
		p.print("dyn ")
		if err := p.binder(func() error { return p.list(" + ", p.dynTrait) }); err != nil {
			return err
		}
		if !p.eat('L') {
			return errV0
		}
		lt, err := p.integer62()
		if err != nil {
			return err
		}
		if lt != 0 {
			p.print(" + ")
			return p.lifetime(lt)
		}
	case 'B':
		return p.backref(p.typ)
	default:
		// A named type is a path; let path see its tag.
		p.pos--
		return p.path(false)
	}
	return nil
}

func (p *v0) fnSig() error {
	unsafe := p.eat('U')
	abi := ""
	if p.eat('K') {
		if p.eat('C') {
			abi = "C"
		} else {
			id, err := p.ident()
			if err != nil || id == "" {
				return errV0
			}
			abi = strings.ReplaceAll(id, "_", "-")
		}
	}
	if unsafe {
		p.print("unsafe ")
	}
	if abi != "" {
		p.print(`extern "` + abi + `" `)
	}
	p.print("fn(")
	if err := p.list(", ", p.typ); err != nil {
		return err
	}
	p.print(")")
	if p.eat('u') {
		return nil
	}
	p.print(" -> ")
	return p.typ()
}

// dynTrait prints one trait of a dyn type with its associated type
// bindings inside the trait's <...>.
func (p *v0) dynTrait() error {
	open, err := p.maybeOpenGenerics()
	if err != nil {
		return err
	}
	for p.eat('p') {
		if !open {
			p.print("<")
			open = true
		} else {
			p.print(", ")
		}
		name, err := p.ident()
		if err != nil {
			return err
		}
		p.print(name + " = ")
		if err := p.typ(); err != nil {
			return err
		}
	}
	if open {
		p.print(">")
	}
	return nil
}

func (p *v0) maybeOpenGenerics() (bool, error) {
	switch {
	case p.eat('B'):
		open := false
		err := p.backref(func() error {
			var err error
			open, err = p.maybeOpenGenerics()
			return err
		})
		return open, err
	case p.eat('I'):
		if err := p.path(false); err != nil {
			return false, err
		}
		p.print("<")
		return true, p.list(", ", p.genericArg)
	}
	return false, p.path(false)
}

// hexNibbles reads lowercase hex digits up to '_'.
func (p *v0) hexNibbles() (string, error) {
	start := p.pos
	for {
		c, err := p.next()
		if err != nil {
			return "", err
		}
		if c == '_' {
			return p.sym[start : p.pos-1], nil
		}
		if !isHex(c) {
			return "", errV0
		}
	}
}

func (p *v0) constant(inValue bool) error {
	tag, err := p.next()
	if err != nil {
		return err
	}
	if err := p.push(); err != nil {
		return err
	}
	defer p.pop()
	opened := false
	open := func() {
		if !inValue {
			opened = true
			p.print("{")
		}
	}
	switch tag {
	case 'p':
		p.print("_")
	case 'a', 's', 'l', 'x', 'n', 'i', 'h', 't', 'm', 'y', 'o', 'j':
		if strings.IndexByte("aslxni", tag) >= 0 && p.eat('n') {
			p.print("-")
		}
		hex, err := p.hexNibbles()
		if err != nil {
			return err
		}
		if v, ok := parseHexUint(hex); ok {
			p.print(strconv.FormatUint(v, 10))
		} else {
			p.print("0x" + hex)
		}
	case 'b':
		hex, err := p.hexNibbles()
		if err != nil {
			return err
		}
		switch v, ok := parseHexUint(hex); {
		case ok && v == 0:
			p.print("false")
		case ok && v == 1:
			p.print("true")
		default:
			return errV0
		}
	case 'c':
		hex, err := p.hexNibbles()
		if err != nil {
			return err
		}
		v, ok := parseHexUint(hex)
		if !ok || v > unicode.MaxRune || !utf8.ValidRune(rune(v)) {
			return errV0
		}
		p.print("'" + escapeRust(string(rune(v)), '\'') + "'")
	case 'e':
		open()
		p.print("*")
		if err := p.strLiteral(); err != nil {
			return err
		}
	case 'R', 'Q':
		if tag == 'R' && p.eat('e') {
			if err := p.strLiteral(); err != nil {
				return err
			}
			break
		}
		open()
		p.print("&")
		if tag == 'Q' {
			p.print("mut ")
		}
		if err := p.constant(true); err != nil {
			return err
		}
	case 'A':
		open()
		p.print("[")
		if err := p.list(", ", func() error { return p.constant(true) }); err != nil {
			return err
		}
		p.print("]")
	case 'T':
		open()
		p.print("(")
		n, err := p.listN(", ", func() error { return p.constant(true) })
		if err != nil {
			return err
		}
		if n == 1 {
			p.print(",")
		}
		p.print(")")
	case 'V':
		open()
		if err := p.path(true); err != nil {
			return err
		}
		kind, err := p.next()
		if err != nil {
			return err
		}
		switch kind {
		case 'U':
		case 'T':
			p.print("(")
			if err := p.list(", ", func() error { return p.constant(true) }); err != nil {
				return err
			}
			p.print(")")
		case 'S':
			p.print(" { ")
			if err := p.list(", ", p.constField); err != nil {
				return err
			}
			p.print(" }")
		default:
			return errV0
		}
	case 'B':
		return p.backref(func() error { return p.constant(inValue) })
	default:
		return errV0
	}
	if opened {
		p.print("}")
	}
	return nil
}

func (p *v0) constField() error {
	if _, err := p.disambiguator(); err != nil {
		return err
	}
	name, err := p.ident()
	if err != nil {
		return err
	}
	p.print(name + ": ")
	return p.constant(true)
}

func (p *v0) strLiteral() error {
	hex, err := p.hexNibbles()
	if err != nil {
		return err
	}
	if len(hex)%2 != 0 {
		return errV0
	}
	b := make([]byte, len(hex)/2)
	for i := range b {
		b[i] = byte(hexVal(hex[2*i])<<4 | hexVal(hex[2*i+1]))
	}
	if !utf8.Valid(b) {
		return errV0
	}
	p.print(`"` + escapeRust(string(b), '"') + `"`)
	return nil
}

func parseHexUint(hex string) (uint64, bool) {
	hex = strings.TrimLeft(hex, "0")
	if len(hex) > 16 {
		return 0, false
	}
	if hex == "" {
		return 0, true
	}
	v, err := strconv.ParseUint(hex, 16, 64)
	return v, err == nil
}

// escapeRust escapes like Rust's char::escape_debug for the given quote.
func escapeRust(s string, quote rune) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == quote || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == 0:
			b.WriteString(`\0`)
		case unicode.IsPrint(r) || r == ' ':
			b.WriteRune(r)
		default:
			b.WriteString(`\u{` + strconv.FormatUint(uint64(r), 16) + `}`)
		}
	}
	return b.String()
}

// decodePunycode decodes RFC 3492 bootstring with Rust's convention that
// the basic code points come before the last '_' (not '-').
func decodePunycode(id string) (string, error) {
	const (
		base, tmin, tmax, skew, damp = 36, 1, 26, 38, 700
		initialBias, initialN        = 72, 128
	)
	var out []rune
	enc := id
	if i := strings.LastIndexByte(id, '_'); i >= 0 {
		for _, r := range id[:i] {
			out = append(out, r)
		}
		enc = id[i+1:]
	}
	if enc == "" {
		return "", errV0
	}
	n, bias, i := rune(initialN), initialBias, 0
	for pos := 0; pos < len(enc); {
		oldi, w := i, 1
		for k := base; ; k += base {
			if pos >= len(enc) {
				return "", errV0
			}
			c := enc[pos]
			pos++
			var d int
			switch {
			case c >= 'a' && c <= 'z':
				d = int(c - 'a')
			case c >= '0' && c <= '9':
				d = int(c-'0') + 26
			default:
				return "", errV0
			}
			if d > (1<<30-i)/w {
				return "", errV0
			}
			i += d * w
			t := k - bias
			if t < tmin {
				t = tmin
			} else if t > tmax {
				t = tmax
			}
			if d < t {
				break
			}
			if w > (1<<30)/(base-t) {
				return "", errV0
			}
			w *= base - t
		}
		l := len(out) + 1
		delta := i - oldi
		if oldi == 0 {
			delta /= damp
		} else {
			delta /= 2
		}
		delta += delta / l
		k := 0
		for delta > ((base-tmin)*tmax)/2 {
			delta /= base - tmin
			k += base
		}
		bias = k + (base-tmin+1)*delta/(delta+skew)
		n += rune(i / l)
		i %= l
		if n > unicode.MaxRune || !utf8.ValidRune(n) || len(out) > 1000 {
			return "", errV0
		}
		out = append(out, 0)
		copy(out[i+1:], out[i:])
		out[i] = n
		i++
	}
	return string(out), nil
}
