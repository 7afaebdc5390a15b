package bindings

import (
	"fmt"
	"sort"
	"strings"
)

// selectItems marks what the output contains: every function, variable,
// type and enum a configured header declares, every type those reach (by
// value or through pointers, as bindgen's allowlist does), and every
// object-like macro with a value, wherever it is defined. Macros are taken
// from the whole translation unit because nothing reaches them through a
// type, and the constants a module needs (GFP_KERNEL, PAGE_SIZE, HZ) live
// in headers a module never includes itself.
func selectItems(u *Unit, configured func(Pos) bool) {
	for _, r := range u.Records {
		if r.Tag != "" && configured(r.Pos) {
			r.reach(u)
		}
	}
	for _, td := range u.Typedefs {
		if configured(td.Pos) {
			td.reach(u)
		}
	}
	for _, e := range u.Enums {
		if configured(e.Pos) {
			e.reach(u)
		}
	}
	for _, f := range u.Functions {
		if !f.Inline && configured(f.Pos) {
			f.reached = true
			f.Sig.reach(u)
		}
	}
	for _, v := range u.Variables {
		if !v.Static && configured(v.Pos) {
			v.reached = true
			v.Type.reach(u)
		}
	}
	for _, m := range u.Macros {
		if m.Value.Kind != VNone && m.Type != nil {
			m.emit = true
			m.Type.reach(u)
		}
	}
	// Anonymous records are reached through their parents; a parent is
	// reached only if something reached it, so the closure is complete.
}

// badReached returns an error for every record the output needs whose
// layout the front end got wrong: writing it would be silently wrong.
func badReached(u *Unit) error {
	var msgs []string
	for _, r := range u.Records {
		if r.reached && r.bad != "" {
			msgs = append(msgs, fmt.Sprintf("%s:%d:%d: %s: %s", r.Pos.File, r.Pos.Line, r.Pos.Col, r.cName(), r.bad))
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	sort.Strings(msgs)
	return fmt.Errorf("the C front end laid out %d record(s) the bindings need in a way that cannot be right, so no bindings were written:\n  %s",
		len(msgs), strings.Join(msgs, "\n  "))
}

// cName is how C spells the record.
func (r *Record) cName() string {
	kw := "struct"
	if r.Union {
		kw = "union"
	}
	if r.Tag != "" {
		return kw + " " + r.Tag
	}
	if r.Name != "" {
		return kw + " (anonymous, " + r.Name + ")"
	}
	return kw + " (anonymous)"
}
