package verdict

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rustko/rustko-lsp/bindings/clex"
	"github.com/rustko/rustko-lsp/bindings/index"
)

// Verdict classes. The first four come from what a macro expands to on the
// configured kernel; idiom comes from idioms.tsv; statement and expression
// are what is left: macros with no function behind them and no known idiom.
const (
	ClassExportedCall = "exported-call" // a call of an exported function with the same arguments
	ClassInline       = "inline"        // a call of a static inline function: a helper can wrap it
	ClassDeclares     = "declares"      // declares or defines something (DEFINE_MUTEX, module_init)
	ClassHiddenState  = "hidden-state"  // a hidden static per call site (lock_class_key)
	ClassIdiom        = "idiom"         // a known Rust idiom replaces it
	ClassNoValue      = "no-value"      // an object-like macro with no constant value
	ClassStatement    = "statement"     // a statement macro with no function behind it
	ClassExpression   = "expression"    // an expression macro with no function behind it
)

// Classify returns the verdict for a macro (function-like, or object-like
// without a value) or nil when the item needs none: functions, types, and
// macros with a constant value (GFP_KERNEL). It reads other macros and the
// kinds of functions from ix, so the verdict reflects the configured kernel:
// printk is a macro over _printk on 6.1 but was a function before 5.15.
func Classify(ix *index.Index, it *index.Item) *index.Verdict {
	if it == nil {
		return nil
	}
	switch it.Kind {
	case index.FunctionMacro:
	case index.Macro:
		if it.Value != "" {
			return nil
		}
	default:
		return nil
	}
	derived := classifyExpansion(ix, it)
	idiom, hasIdiom := lookupIdiom(it.Name)
	if derived != nil && (derived.Class == ClassExportedCall || derived.Class == ClassInline ||
		derived.Class == ClassHiddenState && isFunction(ix, derived.Target)) {
		return derived
	}
	if hasIdiom {
		return &index.Verdict{Class: idiom.Class, Advice: idiom.Advice, Target: idiom.Target}
	}
	if derived != nil {
		return derived
	}
	if it.Kind == index.Macro {
		why := it.Why
		if why == "" {
			why = "it does not evaluate to a constant"
		}
		return &index.Verdict{Class: ClassNoValue, Advice: fmt.Sprintf("`%s` has no value Rust can use: %s.", it.Name, why)}
	}
	return &index.Verdict{Class: ClassExpression, Advice: fmt.Sprintf("`%s` is a macro with no function behind it: write its expansion in Rust, or wrap it in a C function in the module's C shim.", it.Name)}
}

func isFunction(ix *index.Index, name string) bool {
	return kindOf(ix, name) == index.Function
}

// kindOf prefers a function kind when a name has several items.
func kindOf(ix *index.Index, name string) index.Kind {
	var k index.Kind
	for _, it := range ix.Lookup(name) {
		switch it.Kind {
		case index.Function, index.InlineFunction:
			return it.Kind
		}
		if k == "" {
			k = it.Kind
		}
	}
	return k
}

// classifyExpansion expands an invocation of the macro with its own
// parameter names as arguments and reads the result.
func classifyExpansion(ix *index.Index, it *index.Item) *index.Verdict {
	d := defOf(it)
	if d == nil {
		return nil
	}
	e := newExpander(ix)
	var start []clex.Token
	if d.FuncLike {
		start = append(start, clex.Token{Kind: clex.Ident, Text: d.Name}, clex.Token{Kind: clex.Punct, Text: "("})
		for i, p := range d.Params {
			if i > 0 {
				start = append(start, clex.Token{Kind: clex.Punct, Text: ","})
			}
			// Parameters stand for themselves: never expand them.
			start = append(start, clex.Token{Kind: clex.Ident, Text: p, Hide: []string{p}})
		}
		start = append(start, clex.Token{Kind: clex.Punct, Text: ")"})
	} else {
		start = []clex.Token{{Kind: clex.Ident, Text: d.Name}}
	}
	levels := e.Levels(start, maxLevels)
	final := levels[len(levels)-1]
	name := "`" + d.Name + "`"

	if v := hiddenState(ix, levels, name); v != nil {
		return v
	}
	stmts, kind := statements(final)
	if len(stmts) == 0 {
		return &index.Verdict{Class: ClassStatement, Advice: name + " expands to nothing on this kernel: leave it out."}
	}
	if isDeclaration(ix, stmts[0]) {
		return &index.Verdict{Class: ClassDeclares, Advice: fmt.Sprintf("%s declares or defines something (`%s`), which no call can do: write the item in Rust, or keep it in the module's C shim.", name, clip(clex.Join(stmts[0]), 60))}
	}
	if len(stmts) == 1 {
		if callee, args, ok := singleCall(stmts[0]); ok {
			switch kindOf(ix, callee) {
			case index.Function:
				if sameArgs(args, d.Params) {
					return &index.Verdict{Class: ClassExportedCall, Target: callee,
						Advice: fmt.Sprintf("%s is a macro over the exported function `%s` with the same arguments: call `%s` instead.", name, callee, callee)}
				}
			case index.InlineFunction:
				return &index.Verdict{Class: ClassInline, Target: callee,
					Advice: fmt.Sprintf("%s expands to `%s`, a static inline function: add `%s` to KERNEL_HELPERS and call it.", name, clip(clex.Join(stmts[0]), 60), callee)}
			}
		}
	}
	if kind == "statement" {
		return &index.Verdict{Class: ClassStatement, Advice: fmt.Sprintf("%s is a statement macro with no function behind it: call it from a small C function in the module's C shim.", name)}
	}
	return nil
}

// hiddenState finds "static ... struct lock_class_key" in any level of the
// expansion and the call that receives its address.
func hiddenState(ix *index.Index, levels [][]clex.Token, name string) *index.Verdict {
	found := false
	target := ""
	for _, ts := range levels {
		key := ""
		for i := 0; i+2 < len(ts); i++ {
			if ts[i].Text == "static" {
				for j := i + 1; j < len(ts) && ts[j].Text != ";"; j++ {
					if ts[j].Text == "lock_class_key" && j+1 < len(ts) && ts[j+1].Kind == clex.Ident {
						key = ts[j+1].Text
					}
				}
			}
		}
		if key == "" {
			continue
		}
		found = true
		if f := callTaking(ts, key); f != "" && (target == "" || isFunction(ix, f)) {
			target = f
			if isFunction(ix, f) {
				break
			}
		}
	}
	if !found {
		return nil
	}
	if isFunction(ix, target) {
		return &index.Verdict{Class: ClassHiddenState, Target: target,
			Advice: fmt.Sprintf("%s declares a hidden `static struct lock_class_key` at each call site: call `%s` yourself, passing the address of a `static` lock_class_key of your own per call site.", name, target)}
	}
	adv := fmt.Sprintf("%s declares a hidden `static struct lock_class_key` at each call site and no exported function takes the key", name)
	if target != "" {
		adv += fmt.Sprintf(" (`%s` is not one)", target)
	}
	return &index.Verdict{Class: ClassHiddenState, Target: target, Advice: adv + ": call it from a small C function in the module's C shim."}
}

// callTaking returns the function (or macro) called with &key among its
// arguments.
func callTaking(ts []clex.Token, key string) string {
	for i := 0; i+1 < len(ts); i++ {
		if ts[i].Kind != clex.Ident || ts[i+1].Text != "(" {
			continue
		}
		args, _, ok := clex.Args(ts, i+1)
		if !ok {
			continue
		}
		for _, a := range args {
			for j := 0; j+1 < len(a); j++ {
				if a[j].Text == "&" && a[j+1].Text == key {
					return ts[i].Text
				}
			}
		}
	}
	return ""
}

// statements strips the wrappers kernel macros put around their body —
// parentheses, ({ ... }), do { ... } while (0) — and splits the body at
// top-level semicolons, dropping empty statements. kind is "statement" when
// a do/while or ({ }) wrapper was seen.
func statements(ts []clex.Token) ([][]clex.Token, string) {
	kind := "expression"
	ts = stripParens(ts)
	switch {
	case len(ts) >= 4 && ts[0].Text == "(" && ts[1].Text == "{" && ts[len(ts)-2].Text == "}" && ts[len(ts)-1].Text == ")":
		ts = ts[2 : len(ts)-2]
		kind = "statement"
	case isDoWhile(ts):
		ts, _ = doWhile0Body(ts)
		kind = "statement"
	case len(ts) > 0 && (ts[len(ts)-1].Text == ";" || ts[0].Text == "{"):
		kind = "statement"
	}
	var out [][]clex.Token
	depth := 0
	var cur []clex.Token
	flush := func() {
		cur = stripParens(cur)
		if len(cur) > 0 && !isNoOp(cur) {
			out = append(out, cur)
		}
		cur = nil
	}
	for _, t := range ts {
		switch t.Text {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			depth--
		case ";":
			if depth == 0 {
				flush()
				continue
			}
		}
		cur = append(cur, t)
	}
	flush()
	return out, kind
}

// doWhile0Body returns the statements inside "do { ... } while (0)" (an
// optional trailing semicolon allowed).
func doWhile0Body(ts []clex.Token) ([]clex.Token, bool) {
	if len(ts) > 0 && ts[len(ts)-1].Text == ";" {
		ts = ts[:len(ts)-1]
	}
	n := len(ts)
	if n < 7 || ts[0].Text != "do" || ts[1].Text != "{" || matching(ts[1:])+1 != n-5 {
		return nil, false
	}
	for i, w := range []string{"}", "while", "(", "0", ")"} {
		if ts[n-5+i].Text != w {
			return nil, false
		}
	}
	return ts[2 : n-5], true
}

func isDoWhile(ts []clex.Token) bool {
	_, ok := doWhile0Body(ts)
	return ok
}

// isNoOp reports statements that do nothing: do {} while (0), (void)0.
func isNoOp(ts []clex.Token) bool {
	s := clex.Join(ts)
	switch strings.ReplaceAll(s, " ", "") {
	case "do{}while(0)", "(void)0", "(void)(0)", "0", "{}":
		return true
	}
	return false
}

func stripParens(ts []clex.Token) []clex.Token {
	for len(ts) >= 2 && ts[0].Text == "(" && ts[len(ts)-1].Text == ")" && matching(ts) == len(ts)-1 && !(len(ts) >= 4 && ts[1].Text == "{") {
		ts = ts[1 : len(ts)-1]
	}
	return ts
}

// matching returns the index of the bracket closing ts[0].
func matching(ts []clex.Token) int {
	depth := 0
	for i, t := range ts {
		switch t.Text {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// singleCall recognises "f(args)" and "(cast) f(args)".
func singleCall(ts []clex.Token) (string, [][]clex.Token, bool) {
	ts = stripParens(ts)
	// Drop a leading cast such as (void) or (long).
	if len(ts) > 0 && ts[0].Text == "(" {
		if end := matching(ts); end > 0 && end+1 < len(ts) && ts[end+1].Kind == clex.Ident {
			ts = ts[end+1:]
		}
	}
	if len(ts) < 3 || ts[0].Kind != clex.Ident || ts[1].Text != "(" || matching(ts[1:])+1 != len(ts)-1 {
		return "", nil, false
	}
	args, _, ok := clex.Args(ts, 1)
	return ts[0].Text, args, ok
}

// sameArgs compares call arguments with the macro's parameters in order,
// ignoring parentheses and the "##" of GNU's comma rule.
func sameArgs(args [][]clex.Token, params []string) bool {
	var got []string
	for _, a := range args {
		var keep []clex.Token
		for _, t := range a {
			if t.Text != "##" {
				keep = append(keep, t)
			}
		}
		keep = stripParens(keep)
		if len(keep) == 0 {
			continue
		}
		if len(keep) != 1 || keep[0].Kind != clex.Ident {
			return false
		}
		got = append(got, keep[0].Text)
	}
	return slices.Equal(got, params)
}

var storageWords = map[string]bool{
	"static": true, "extern": true, "typedef": true, "register": true, "_Thread_local": true, "__thread": true,
	"__attribute__": true, "__attribute": true, "_Static_assert": true,
}
var typeWords = map[string]bool{
	"void": true, "char": true, "short": true, "int": true, "long": true, "float": true, "double": true,
	"signed": true, "unsigned": true, "_Bool": true, "bool": true, "const": true, "volatile": true,
}

// isDeclaration recognises a statement that declares something: it starts
// with a storage class, or with a type followed by a declarator.
func isDeclaration(ix *index.Index, ts []clex.Token) bool {
	if len(ts) < 2 {
		return false
	}
	first := ts[0].Text
	switch {
	case storageWords[first]:
		return true
	case first == "struct" || first == "union" || first == "enum":
		// struct mutex name = ...   or   struct x { ... } name;
		return len(ts) >= 3 && ts[1].Kind == clex.Ident && (ts[2].Kind == clex.Ident || ts[2].Text == "*" || ts[2].Text == "{")
	case typeWords[first]:
		for _, t := range ts[1:] {
			if t.Kind == clex.Ident && !typeWords[t.Text] {
				return true
			}
			if t.Text != "*" && !typeWords[t.Text] {
				return false
			}
		}
	case ts[0].Kind == clex.Ident && kindOf(ix, first) == index.Typedef:
		return ts[1].Kind == clex.Ident || ts[1].Text == "*"
	}
	return false
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-3] + "..."
}
