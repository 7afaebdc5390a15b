package build

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/rustko/rustko-lsp/diagnostics"
)

// Sources of findings this package adds to the ones diagnostics names.
const (
	sourceCargo   = "cargo"
	sourceObjtool = "objtool"
)

// cargoLine is one line of `cargo --message-format=json`.
type cargoLine struct {
	Reason       string `json:"reason"`
	ManifestPath string `json:"manifest_path"`
	Target       struct {
		Name    string `json:"name"`
		SrcPath string `json:"src_path"`
	} `json:"target"`
	Message   *rustcDiag `json:"message"`
	Filenames []string   `json:"filenames"`
	Fresh     bool       `json:"fresh"`
	Success   bool       `json:"success"`
}

// rustcDiag is rustc's JSON diagnostic (--error-format=json), as cargo
// forwards it.
type rustcDiag struct {
	Message string `json:"message"`
	Code    *struct {
		Code string `json:"code"`
	} `json:"code"`
	Level    string      `json:"level"`
	Spans    []rustcSpan `json:"spans"`
	Children []rustcDiag `json:"children"`
}

type rustcSpan struct {
	FileName    string `json:"file_name"`
	LineStart   int    `json:"line_start"`
	LineEnd     int    `json:"line_end"`
	ColumnStart int    `json:"column_start"` // 1-based, in characters
	ColumnEnd   int    `json:"column_end"`   // exclusive, in characters
	IsPrimary   bool   `json:"is_primary"`
	Text        []struct {
		Text string `json:"text"`
	} `json:"text"`
	Label                   *string `json:"label"`
	SuggestedReplacement    *string `json:"suggested_replacement"`
	SuggestionApplicability *string `json:"suggestion_applicability"`
	Expansion               *struct {
		Span rustcSpan `json:"span"`
	} `json:"expansion"`
}

// cargoResult is what one cargo run reported.
type cargoResult struct {
	Findings  []diagnostics.Finding
	Success   bool     // build-finished said so
	Fresh     bool     // every artifact was fresh: no rustc ran
	Artifacts []string // files cargo produced (libhello.a; its .d sits beside it)
	Runtime   string   // the rustko crate's C half when the crate was built (runtimeC)
}

// runtimeC is where the rustko crate keeps its kernel-side half, relative
// to the crate's manifest: a module depending on the crate links it.
var runtimeC = filepath.Join("c", "rustko_rt.c")

// parseCargoMessages turns cargo's JSON lines into findings. root is the
// module root: rustc names files relative to the directory it ran in, which
// is the package's (or its workspace's), so both are tried. Lines that are
// not JSON (a wrapper's chatter) are ignored. hostMode drops the ABI
// warnings every host-mode build gets.
func parseCargoMessages(out []byte, root string, hostMode bool) cargoResult {
	res := cargoResult{Fresh: true}
	sawArtifact := false
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64*1024), 64*1024*1024)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] != '{' {
			continue
		}
		var l cargoLine
		if err := json.Unmarshal(line, &l); err != nil {
			continue
		}
		switch l.Reason {
		case "compiler-message":
			if l.Message == nil {
				continue
			}
			r := spanResolver{root: root, pkg: root, hostMode: hostMode}
			if l.ManifestPath != "" && filepath.IsAbs(l.ManifestPath) {
				r.pkg = filepath.Dir(filepath.Clean(l.ManifestPath))
			}
			crateRoot := l.Target.SrcPath
			if crateRoot == "" || !filepath.IsAbs(crateRoot) {
				crateRoot = filepath.Join(r.pkg, "src", "lib.rs")
			}
			if f, ok := r.finding(l.Message, filepath.Clean(crateRoot)); ok {
				res.Findings = append(res.Findings, f)
			}
		case "compiler-artifact":
			sawArtifact = true
			res.Fresh = res.Fresh && l.Fresh
			res.Artifacts = append(res.Artifacts, l.Filenames...)
			if l.Target.Name == "rustko" && filepath.IsAbs(l.ManifestPath) {
				res.Runtime = filepath.Join(filepath.Dir(filepath.Clean(l.ManifestPath)), runtimeC)
			}
		case "build-finished":
			res.Success = l.Success
		}
	}
	if !sawArtifact {
		res.Fresh = false
	}
	explainUnlinkedRuntime(&res)
	return res
}

// summaryRE matches rustc's closing lines, which repeat what the findings
// already say.
var summaryRE = regexp.MustCompile(`^(aborting due to|\d+ warnings? emitted|could not compile|For more information about)`)

// spanResolver makes rustc's file names absolute.
type spanResolver struct {
	root     string // module root
	pkg      string // the package's folder (Cargo.toml's)
	hostMode bool   // drop host mode's expected ABI warnings
}

func (r spanResolver) abs(name string) string {
	if name == "" {
		return ""
	}
	if filepath.IsAbs(name) {
		return filepath.Clean(name)
	}
	// rustc runs in the workspace root, which is the package folder for a
	// module and an ancestor of it in a workspace.
	for dir := r.pkg; ; dir = filepath.Dir(dir) {
		p := filepath.Join(dir, name)
		if isFile(p) {
			return p
		}
		if dir == filepath.Dir(dir) {
			break
		}
	}
	return filepath.Join(r.pkg, name)
}

// within reports whether p is root or below it: for the module root, one of
// the module's files, the place a person can act on, as opposed to core's or
// a macro's definition.
func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// finding converts one diagnostic. ok is false for what a person need not
// see: rustc's summaries and failure notes.
func (r spanResolver) finding(d *rustcDiag, crateRoot string) (diagnostics.Finding, bool) {
	sev, ok := rustcSeverity(d.Level)
	if !ok || (len(d.Spans) == 0 && summaryRE.MatchString(d.Message)) || (r.hostMode && expectedWarning(d, hostABIWarningRE)) || expectedWarning(d, retpolineWarningRE) {
		return diagnostics.Finding{}, false
	}
	// A span without a file cannot be shown anywhere; treat the message as
	// span-less rather than produce a finding with no file.
	d.Spans = slices.DeleteFunc(d.Spans, unnamedSpan)
	for i := range d.Children {
		d.Children[i].Spans = slices.DeleteFunc(d.Children[i].Spans, unnamedSpan)
	}
	f := diagnostics.Finding{Severity: sev, Source: diagnostics.SourceRustc, Message: d.Message}
	if d.Code != nil {
		f.Code = d.Code.Code
	}
	var primary *rustcSpan
	if i := slices.IndexFunc(d.Spans, func(s rustcSpan) bool { return s.IsPrimary }); i >= 0 {
		primary = &d.Spans[i]
	} else if len(d.Spans) > 0 {
		primary = &d.Spans[0]
	}
	if primary == nil {
		// Span-less errors ("can't find crate for `core`") belong to the
		// crate as a whole: show them at the top of its root file.
		f.File = crateRoot
		f.Range = diagnostics.Point(1, 1)
		r.placeInvalidUTF8(&f, d.Message)
	} else {
		// A span inside a macro's definition (core's assert_eq!, our
		// own macro_rules!) is shown where the module invoked the macro,
		// with the definition kept as related information.
		at := *primary
		for !within(r.root, r.abs(at.FileName)) && at.Expansion != nil && at.Expansion.Span.FileName != "" {
			at = at.Expansion.Span
		}
		f.File, f.Range = r.abs(at.FileName), spanRange(at)
		if at.FileName != primary.FileName || at.LineStart != primary.LineStart {
			f.Related = append(f.Related, diagnostics.Related{File: r.abs(primary.FileName), Range: spanRange(*primary), Message: labelOr(primary, d.Message)})
		}
		if primary.Label != nil && *primary.Label != "" {
			f.Message += "\n" + *primary.Label
		}
		for i := range d.Spans {
			s := &d.Spans[i]
			if s == primary {
				continue
			}
			f.Related = append(f.Related, diagnostics.Related{File: r.abs(s.FileName), Range: spanRange(*s), Message: labelOr(s, d.Message)})
		}
	}
	for _, c := range d.Children {
		var edits []diagnostics.Edit
		applicable := false
		for _, s := range c.Spans {
			if s.SuggestedReplacement != nil {
				edits = append(edits, diagnostics.Edit{File: r.abs(s.FileName), Range: spanRange(s), NewText: *s.SuggestedReplacement})
				if s.SuggestionApplicability != nil && *s.SuggestionApplicability == "MachineApplicable" {
					applicable = true
				}
			} else {
				f.Related = append(f.Related, diagnostics.Related{File: r.abs(s.FileName), Range: spanRange(s), Message: c.Message})
			}
		}
		switch {
		case len(edits) > 0 && applicable:
			f.Fixes = append(f.Fixes, diagnostics.Fix{Title: c.Message, Edits: edits, Preferred: true})
		case len(c.Spans) == 0 || len(edits) > 0:
			// Notes and helps without a place, and suggestions rustc is
			// not sure of, stay readable as text.
			f.Message += "\n" + c.Level + ": " + c.Message
		}
	}
	return f, true
}

func labelOr(s *rustcSpan, fallback string) string {
	if s.Label != nil && *s.Label != "" {
		return *s.Label
	}
	return fallback
}

func rustcSeverity(level string) (diagnostics.Severity, bool) {
	switch {
	case strings.HasPrefix(level, "error"):
		return diagnostics.Error, true
	case level == "warning":
		return diagnostics.Warning, true
	case level == "note":
		return diagnostics.Info, true
	case level == "help":
		return diagnostics.Hint, true
	}
	return 0, false // failure-note and anything newer
}

// spanRange converts rustc's character columns to the byte columns
// Finding uses, with the line text rustc sends along with each span.
func spanRange(s rustcSpan) diagnostics.Range {
	line := func(i int) string {
		if i >= 0 && i < len(s.Text) {
			return s.Text[i].Text
		}
		return ""
	}
	start := diagnostics.Position{Line: max(s.LineStart, 1), Column: byteColumn(line(0), s.ColumnStart)}
	end := diagnostics.Position{Line: max(s.LineEnd, start.Line), Column: byteColumn(line(len(s.Text)-1), s.ColumnEnd)}
	if end.Line == start.Line && end.Column < start.Column {
		end.Column = start.Column
	}
	return diagnostics.Range{Start: start, End: end}
}

// byteColumn turns a 1-based character column in text into a 1-based byte
// column. Without the text (rustc omits it for some spans) the character
// column is the best guess there is.
func byteColumn(text string, charCol int) int {
	if charCol < 1 {
		return 1
	}
	if text == "" {
		return charCol
	}
	b, n := 0, 1
	for n < charCol && b < len(text) {
		_, size := utf8.DecodeRuneInString(text[b:])
		b += size
		n++
	}
	// Columns past the line's end (an end just after it) count one byte each.
	return b + 1 + (charCol - n)
}

// hostABIWarningRE matches the span-less warnings every host-mode build
// gets from current rustc for the soft-float and no-SSE features it asks
// for on a target whose ABI wants SSE. They say nothing about the module.
// Older rustc (1.63) instead calls soft-float an unknown feature, which it
// still passes to LLVM.
var hostABIWarningRE = regexp.MustCompile("^(target feature `(soft-float|sse[0-9.]*|x87)` (must be (enabled|disabled) to ensure that the ABI of the current target can be implemented correctly|cannot be (enabled|disabled) with `-Ctarget-feature`)|unknown (and unstable )?feature specified for `-Ctarget-feature`: `soft-float`)")

// retpolineWarningRE matches what rustc says about the retpoline target
// features rustko passes when the kernel has retpolines and rustc has no
// -Zretpoline-external-thunk: such a rustc does not know them, and says it
// passes them "through to the codegen backend", which is the point.
var retpolineWarningRE = regexp.MustCompile("^(unknown (and unstable )?feature specified for `-Ctarget-feature`: `retpoline-[a-z-]+`|target feature `retpoline-[a-z-]+` cannot be enabled with `-Ctarget-feature`)")

// expectedWarning tells the warnings re matches, span-less (rustc has no
// place for them), from anything the module's code caused.
func expectedWarning(d *rustcDiag, re *regexp.Regexp) bool {
	return d.Level == "warning" && len(d.Spans) == 0 && re.MatchString(d.Message)
}

func unnamedSpan(s rustcSpan) bool { return s.FileName == "" }

// unreadableRE is rustc's error for a source file that is not UTF-8. Older
// rustc (1.63) names the crate root without backquotes and gives no
// position; current rustc quotes it and points at the byte.
var unreadableRE = regexp.MustCompile("^couldn't read `?([^`]+?)`?: stream did not contain valid UTF-8")

// placeInvalidUTF8 puts that error on the first byte that is not UTF-8, as
// later rustc does.
func (r spanResolver) placeInvalidUTF8(f *diagnostics.Finding, msg string) {
	m := unreadableRE.FindStringSubmatch(msg)
	if m == nil {
		return
	}
	file := r.abs(m[1])
	src, err := os.ReadFile(file)
	if err != nil {
		return
	}
	line, col := 1, 1
	for len(src) > 0 {
		c, size := utf8.DecodeRune(src)
		if c == utf8.RuneError && size <= 1 {
			f.File, f.Range = file, diagnostics.Point(line, col)
			f.Message += fmt.Sprintf("\nbyte `%d` is not valid UTF-8", src[0])
			return
		}
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col += size // findings count columns in bytes, as byteColumn does
		}
		src = src[size:]
	}
}
