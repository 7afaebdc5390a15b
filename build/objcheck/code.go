package objcheck

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/rustko/rustko-lsp/diagnostics"
	"golang.org/x/arch/x86/x86asm"
)

// code decodes every function and reports FPU/SIMD instructions (one
// finding per function and source line), the first red-zone access of
// each function, and what the kernel's mitigations forbid (bare returns,
// indirect branches).
func (c *checker) code() {
	for _, sec := range c.codeSections() {
		data, err := c.o.sectionBytes(c.o.f.Sections[sec])
		if err != nil {
			slog.Warn("objcheck: skipping a code section", "err", err)
			continue
		}
		for _, fr := range c.funcs.ranges(sec, uint64(len(data))) {
			c.function(sec, data, fr)
		}
	}
}

// fpHit is one FPU/SIMD instruction.
type fpHit struct {
	off  uint64
	text string
}

// lineKey is a source line; a function's FPU/SIMD instructions from one
// line make one finding.
type lineKey struct {
	file string
	line int
}

type fpGroups struct {
	order  []lineKey
	hits   map[lineKey][]fpHit
	places map[lineKey]place
}

func (c *checker) function(sec int, data []byte, fr funcRange) {
	st := newStackTracker()
	redZoneSeen := false
	g := fpGroups{hits: map[lineKey][]fpHit{}, places: map[lineKey]place{}}
	var mh mitigationHits
	for off := fr.start; off < fr.end; {
		code := data[off:fr.end]
		inst, err := x86asm.Decode(code, 64)
		if err != nil {
			if isVEX(code) {
				c.recordFP(&g, sec, off, "an AVX instruction (bytes "+hexBytes(code, 4)+")")
			}
			off++ // resynchronise on the next byte
			continue
		}
		if usesFPU(inst) {
			c.recordFP(&g, sec, off, x86asm.GNUSyntax(inst, off, nil))
		}
		if !redZoneSeen {
			if _, below := st.belowSP(inst); below {
				redZoneSeen = true
				c.redZone(sec, off, x86asm.GNUSyntax(inst, off, nil))
			}
		}
		c.mitigationStep(&mh, off, inst)
		st.step(inst)
		off += uint64(inst.Len)
	}
	c.reportMitigations(sec, &mh)
	for _, k := range g.order {
		h, p := g.hits[k], g.places[k]
		msg := fmt.Sprintf("`%s` in %s uses FPU/SIMD registers, which kernel code may only touch between kernel_fpu_begin() and kernel_fpu_end()",
			h[0].text, c.funcName(sec, h[0].off))
		if len(h) > 1 {
			msg += fmt.Sprintf(" (and %d more such instructions from this line)", len(h)-1)
		}
		if p.via != "" {
			msg += "; it comes from " + p.via
		}
		msg += ". Avoid f32/f64 and SIMD in kernel code, and build with soft-float and without SSE (rust-src mode's target, or host mode's -C target-feature flags)"
		c.add(diagnostics.Finding{File: p.file, Range: p.rng, Code: CodeFloat, Message: msg, Related: p.related})
	}
}

func (c *checker) recordFP(g *fpGroups, sec int, off uint64, text string) {
	p := c.placeOf(sec, off)
	k := lineKey{p.file, p.rng.Start.Line}
	if _, ok := g.hits[k]; !ok {
		g.order = append(g.order, k)
		g.places[k] = p
	}
	g.hits[k] = append(g.hits[k], fpHit{off: off, text: text})
}

func (c *checker) redZone(sec int, off uint64, text string) {
	p := c.placeOf(sec, off)
	msg := fmt.Sprintf("`%s` in %s accesses the stack below the stack pointer (the red zone), which an interrupt in the kernel overwrites",
		text, c.funcName(sec, off))
	if p.via != "" {
		msg += "; it comes from " + p.via
	}
	msg += `. Disable the red zone: -C no-redzone=yes (host mode) or "disable-redzone": true in the target specification; core code pulled in by LTO does not inherit it, so prefer rust-src mode`
	c.add(diagnostics.Finding{File: p.file, Range: p.rng, Code: CodeRedZone, Message: msg, Related: p.related})
}

func hexBytes(b []byte, n int) string {
	var s []string
	for i := 0; i < len(b) && i < n; i++ {
		s = append(s, fmt.Sprintf("%02x", b[i]))
	}
	return strings.Join(s, " ")
}
