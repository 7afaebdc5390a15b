//go:build linux

package cc

import (
	"testing"
)

func TestZZBraces(t *testing.T) {
	k := rustkoKernelFlags(t)
	cfg := k.config(t)
	cfg.Header = true
	src := k.sources(cfg, rustkoHeaders20)
	ast, err := Translate(cfg, src)
	if err != nil {
		t.Fatal(err)
	}
	for nm, m := range ast.Macros {
		d := 0
		for _, tok := range m.ReplacementList() {
			switch tok.Ch {
			case '{':
				d++
			case '}':
				d--
			}
		}
		if d != 0 {
			t.Logf("%v: %s: %d", m.Position(), nm, d)
		}
	}
}
