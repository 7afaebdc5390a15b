package vm

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rustko/rustko-lsp/build/objcheck"
	"github.com/rustko/rustko-lsp/diagnostics"
)

// SourceKernel is the Source of findings read from the guest kernel's log.
const SourceKernel = "kernel"

// Code of the finding an oops, BUG, WARN or panic in the module becomes.
const CodeOops = diagnostics.CodeModuleOops

// CodeRunFailed is a load, unload or VM failure without a backtrace.
const CodeRunFailed = diagnostics.CodeModuleRunFailed

// DecodedFrame is a backtrace frame with the module's source lines.
type DecodedFrame struct {
	Frame
	Name      string              // demangled symbol
	Locations []objcheck.Location // innermost first; empty outside the module or without DWARF
}

// Decoded is a report with its module frames resolved.
type Decoded struct {
	Report
	Frames []DecodedFrame
}

// Decoder resolves the frames of one module's reports.
type Decoder struct {
	Module string
	sym    *objcheck.Symbolizer
}

// NewDecoder reads the module's symbols and DWARF line table.
func NewDecoder(ko, module string) (*Decoder, error) {
	s, err := objcheck.NewSymbolizer(ko)
	if err != nil {
		return nil, fmt.Errorf("reading %s for its backtraces: %w", ko, err)
	}
	return &Decoder{Module: module, sym: s}, nil
}

// Decode resolves every frame of rep that is in the module; a nil Decoder
// (the module's symbols could not be read) only demangles the names.
func (d *Decoder) Decode(rep Report) Decoded {
	out := Decoded{Report: rep}
	for _, f := range rep.Frames {
		df := DecodedFrame{Frame: f, Name: objcheck.Demangle(f.Symbol)}
		if d != nil && f.Module == d.Module && d.sym.Has(f.Symbol) {
			off := f.Offset
			// A return address is one past its call: look up the call.
			if !f.Exact && off > 0 {
				off--
			}
			df.Locations = d.sym.Resolve(f.Symbol, off)
		}
		out.Frames = append(out.Frames, df)
	}
	return out
}

// own picks the frame's first location in the module's own code (not
// core's, inlined into it).
func own(locs []objcheck.Location) (objcheck.Location, bool) {
	for _, l := range locs {
		if l.File != "" && l.Line > 0 && !objcheck.IsToolchainPath(l.File) {
			return l, true
		}
	}
	return objcheck.Location{}, false
}

// panicStops are the rustko runtime's C functions a Rust panic ends in
// (BUG(), or panic() with the panic-halts feature).
var panicStops = map[string]bool{"rustko_rt_bug": true, "rustko_rt_panic": true}

// panicPath reports whether a frame is the rustko crate's panic handler or
// the BUG() it stops in: a Rust panic oopses there, in the module's own
// files, but the code at fault is the frame that panicked. The handler is
// known by its file (its symbol, rust_begin_unwind, is mangled on newer
// rustc), the stop by its name.
func panicPath(f DecodedFrame) bool {
	if panicStops[f.Name] {
		return true
	}
	l, ok := own(f.Locations)
	return ok && strings.HasSuffix(filepath.ToSlash(l.File), "/rustko/src/panic.rs")
}

// finding turns a decoded report into an error at the first frame in the
// module's own code, the rest of the backtrace as related information
// (false when no frame of the module has a source line), and says whether
// it looked past the panic handler (the report is a Rust panic's BUG()).
func (dec Decoded) finding(module string) (diagnostics.Finding, bool, bool) {
	first := -1
	var at objcheck.Location
	panicked := false
	// A frame the unwinder only guessed ("? sym+off") is blamed only when
	// no reliable one is the module's: code without ORC data (Rust objects
	// objtool never saw) makes every caller a guess. The panic handler is
	// blamed only when no frame of the module's outside it has a line.
	for _, pass := range []struct{ guessed, handler bool }{{false, false}, {true, false}, {false, true}, {true, true}} {
		for i, f := range dec.Frames {
			if f.Unreliable != pass.guessed {
				continue
			}
			if panicPath(f) && !pass.handler {
				panicked = true
				continue
			}
			if l, ok := own(f.Locations); ok {
				first, at = i, l
				break
			}
		}
		if first >= 0 {
			break
		}
	}
	if first < 0 {
		return diagnostics.Finding{}, false, false
	}
	panicked = panicked && !panicPath(dec.Frames[first])
	fr := dec.Frames[first]
	msg := fmt.Sprintf("%s in %s+0x%x [%s]", dec.Summary, fr.Name, fr.Offset, module)
	f := diagnostics.Finding{
		File: at.File, Range: objcheck.SourceRange(at.File, at.Line, at.Col),
		Severity: diagnostics.Error, Code: CodeOops, Source: SourceKernel, Message: msg,
	}
	// Code inlined into the blamed line: where it came from.
	for _, l := range fr.Locations {
		if l == at {
			break
		}
		if _, err := os.Stat(l.File); err == nil {
			f.Related = append(f.Related, diagnostics.Related{File: l.File, Range: objcheck.SourceRange(l.File, l.Line, l.Col),
				Message: "the faulting code comes from here, inlined"})
		}
	}
	for _, other := range dec.Frames[first+1:] {
		l, ok := own(other.Locations)
		if !ok {
			continue
		}
		msg := "called from " + other.Name
		if other.Unreliable {
			msg += " (the unwinder's guess: \"? " + other.Symbol + "\")"
		}
		f.Related = append(f.Related, diagnostics.Related{File: l.File, Range: objcheck.SourceRange(l.File, l.Line, l.Col), Message: msg})
	}
	return f, panicked, true
}

// Text is the backtrace as a person reads it: each frame, and for the
// module's frames the source lines, inlined ones indented.
func (dec Decoded) Text(root string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", dec.Summary)
	for _, f := range dec.Frames {
		mark := ""
		if f.Unreliable {
			mark = "? "
		}
		mod := ""
		if f.Module != "" {
			mod = " [" + f.Module + "]"
		}
		fmt.Fprintf(&b, "  %s%s+0x%x/0x%x%s\n", mark, f.Name, f.Offset, f.Length, mod)
		for i, l := range f.Locations {
			how := "at"
			if i > 0 {
				how = "inlined into"
			}
			fmt.Fprintf(&b, "      %s %s:%d\n", how, relTo(root, l.File), l.Line)
		}
	}
	return b.String()
}

func relTo(root, p string) string {
	if root == "" {
		return p
	}
	if r, err := filepath.Rel(root, p); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return p
}

// panicLines are the rustko panic handler's messages in the kernel log
// ("panicked at src/lib.rs:18: index out of bounds..."), in the order of
// the reports they precede.
func panicLines(kernel []string, module string) []string {
	var out []string
	for _, line := range kernel {
		if p, ok := strings.CutPrefix(line, module+": "); ok && strings.HasPrefix(p, "panicked at ") {
			out = append(out, p)
		}
	}
	return out
}

// Findings are the module's findings from a boot: one per decoded report,
// and one at fallback (the crate root) for a failed load or a report no
// frame of the module explains (none when fallback is ""). decoded holds
// every report for printing.
func (r *Result) Findings(d *Decoder, fallback string) (findings []diagnostics.Finding, decoded []Decoded) {
	panics := panicLines(r.Log.Kernel, r.Module)
	for _, rep := range ParseReports(r.Log.Kernel) {
		dec := d.Decode(rep)
		decoded = append(decoded, dec)
		if f, panicked, ok := dec.finding(r.Module); ok {
			if panicked && len(panics) > 0 {
				// The handler's "panicked at <file>:<line>: <message>" says
				// what went wrong; the BUG() report only where it stopped.
				f.Message = panics[0] + " (" + f.Message + ")"
				panics = panics[1:]
			}
			findings = append(findings, f)
		} else if fallback != "" {
			findings = append(findings, crateFinding(fallback, CodeOops, rep.Summary+" (no frame of the module's code in the backtrace)"))
		}
	}
	if len(findings) > 0 || fallback == "" {
		return findings, decoded
	}
	for _, p := range r.Problems(nil) {
		findings = append(findings, crateFinding(fallback, CodeRunFailed, p))
	}
	return findings, decoded
}

// crateFinding is an error of the boot at the top of crate, the crate root:
// the place of what no source line explains.
func crateFinding(crate, code, msg string) diagnostics.Finding {
	return diagnostics.Finding{File: crate, Range: diagnostics.Point(1, 1), Severity: diagnostics.Error,
		Code: code, Source: SourceKernel, Message: msg}
}
