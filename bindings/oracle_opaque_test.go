package bindings

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/rustko/rustko-lsp/internal/testkernel"
)

// opaqueOnPinned are the records of the oracle's headers (twentyHeaders and
// wideHeaders) on the pinned tree that
// the bindings cannot lay out, with why. The oracle checks only the size
// and alignment of an opaque record, so a record that silently turns into
// a blob would pass it: anything opaque that is not listed here fails.
var opaqueOnPinned = map[string]string{}

// TestOracleNoNewOpaque generates the oracle's headers on the pinned tree and
// fails for every complete record that is opaque (or whose layout the front
// end could not compute) and not in opaqueOnPinned.
func TestOracleNoNewOpaque(t *testing.T) {
	k, f := kernelAt(t, testkernel.Dir(t))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	g, err := run(ctx, &Options{Kernel: k, Flags: f, Headers: oracleHeaders(), Version: "opaque"}, func(string) {})
	if err != nil {
		t.Fatal(err)
	}
	laidOut, seen := 0, map[string]bool{}
	for _, r := range g.unit.Records {
		if !r.reached || !r.Complete {
			continue
		}
		why := r.Opaque
		if r.bad != "" {
			why = "layout not computed: " + r.bad
		}
		if why == "" {
			laidOut++
			continue
		}
		name := r.cName()
		seen[name] = true
		if _, ok := opaqueOnPinned[name]; !ok {
			t.Errorf("%s (%s) is opaque: %s", name, r.Pos.File, why)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(opaqueOnPinned)) {
		if !seen[name] {
			t.Logf("%s is laid out now: take it off opaqueOnPinned", name)
		}
	}
	// A front end that stops reaching records would pass the loop above.
	if laidOut < 1000 {
		t.Errorf("only %d records laid out", laidOut)
	}
	t.Logf("%d records laid out, %d opaque", laidOut, len(seen))
}

// oracleHeaders are twentyHeaders then the wideHeaders they lack.
func oracleHeaders() []string {
	out := slices.Clone(twentyHeaders)
	for _, h := range wideHeaders {
		if !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	return out
}
