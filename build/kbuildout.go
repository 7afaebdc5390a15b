package build

import (
	"bufio"
	"bytes"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/rustko/rustko-lsp/diagnostics"
)

// kbuildOutput knows what it needs to turn kbuild's output into findings
// with absolute paths on the module's own files.
type kbuildOutput struct {
	root      string            // module root
	kdir      string            // kbuild runs in KDIR: gcc's relative paths start there
	kbuildDir string            // M=: where the generated wrappers and objects are
	sources   map[string]string // generated wrapper .c or its .o -> the module's C file
	symbols   *symbolSearch     // finds where the module uses a symbol modpost misses
	shim      string            // the C file module-wide problems (licence) are reported on
	// exported says whether the kernel exports a name (Module.symvers), so an
	// undefined macro or inline can be told which export it wraps; nil when
	// the tree has no Module.symvers.
	exported func(string) bool

	// syms[i] is the symbol finding i of the last parse is about (modpost's
	// undefined and GPL-only errors), "" for the others.
	syms []string
}

var (
	// gcc: "file:line:col: severity: message" (col absent with some notes).
	gccDiagRE = regexp.MustCompile(`^(.+?):(\d+):(?:(\d+):)? (fatal error|error|warning|note): (.*)$`)
	// The include chain that precedes a diagnostic in a header.
	gccIncludeRE = regexp.MustCompile(`^(?:In file included|\s+) from (.+?):(\d+)(?::(\d+))?[,:]$`)
	// A tool's own complaint without a place: "cc1: error: ...".
	gccToolRE    = regexp.MustCompile(`^(?:cc1|gcc|gcc-\d+|x86_64-linux-gnu-gcc(?:-\d+)?): (error|warning): (.*)$`)
	gccWarnOptRE = regexp.MustCompile(` \[(-W[^\]]+)\]$`)
	gccContextRE = regexp.MustCompile(`^\S.*?: (In (?:static |member )?function|In constructor|In destructor|At top level|In instantiation)\b.*:$`)

	modpostUndefRE = regexp.MustCompile(`^(ERROR|WARNING): modpost: "([^"]+)" \[([^\]]+)\] undefined!$`)
	modpostGPLRE   = regexp.MustCompile(`^(ERROR|WARNING): modpost: GPL-incompatible module (\S+) uses GPL-only symbol '([^']+)'$`)
	modpostRE      = regexp.MustCompile(`^(ERROR|WARNING): modpost: (.*)$`)
	objtoolRE      = regexp.MustCompile(`^(.+?\.o): (warning|error): objtool: (?:([A-Za-z_.$][\w.$]*)\+0x([0-9a-f]+): )?(.*)$`)
)

// parse reads kbuild's combined output. Lines it does not recognise (make's
// progress, "CC [M]", caret lines) are skipped: everything that matters has
// one of the shapes above.
func (k *kbuildOutput) parse(out []byte) []diagnostics.Finding {
	var (
		findings []diagnostics.Finding
		chain    []diagnostics.Related // "In file included from" lines so far
		last     = -1                  // the finding notes attach to
	)
	k.syms = nil
	setSym := func(i int, sym string) {
		for len(k.syms) <= i {
			k.syms = append(k.syms, "")
		}
		k.syms[i] = sym
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if m := gccIncludeRE.FindStringSubmatch(line); m != nil {
			if strings.HasPrefix(line, "In file") {
				chain = chain[:0]
			}
			// The wrappers rustko generates are no file the person knows.
			if !k.isGenerated(absUnder(k.kdir, m[1])) {
				chain = append(chain, diagnostics.Related{
					File: k.path(m[1]), Range: diagnostics.Point(atoiMin1(m[2]), atoiMin1(m[3])), Message: "included from here",
				})
			}
			continue
		}
		if m := gccDiagRE.FindStringSubmatch(line); m != nil && !strings.HasPrefix(m[1], " ") {
			loc := diagnostics.Related{File: k.path(m[1]), Range: diagnostics.Point(atoiMin1(m[2]), atoiMin1(m[3])), Message: m[5]}
			if m[4] == "note" {
				if last >= 0 {
					findings[last].Related = append(findings[last].Related, loc)
				}
				chain = chain[:0]
				continue
			}
			f := diagnostics.Finding{File: loc.File, Range: loc.Range, Severity: diagnostics.Warning, Source: diagnostics.SourceGCC, Message: m[5]}
			if m[4] != "warning" {
				f.Severity = diagnostics.Error
			}
			if w := gccWarnOptRE.FindStringSubmatch(f.Message); w != nil {
				f.Code = w[1]
				f.Message = strings.TrimSuffix(f.Message, w[0])
			}
			f.Related = append(f.Related, chain...)
			chain = chain[:0]
			findings = append(findings, f)
			last = len(findings) - 1
			continue
		}
		if gccContextRE.MatchString(line) {
			// "hello.c: In function 'f':" sits between an include chain
			// and the diagnostic it belongs to.
			continue
		}
		chain = chain[:0]
		switch {
		case gccToolRE.MatchString(line):
			m := gccToolRE.FindStringSubmatch(line)
			if strings.Contains(m[2], "warnings being treated as errors") {
				continue
			}
			findings = append(findings, k.onShim(severityWord(m[1]), diagnostics.SourceGCC, m[2]))
		case modpostUndefRE.MatchString(line):
			m := modpostUndefRE.FindStringSubmatch(line)
			findings = append(findings, k.undefined(severityWord(strings.ToLower(m[1])), m[2]))
			setSym(len(findings)-1, m[2])
		case modpostGPLRE.MatchString(line):
			m := modpostGPLRE.FindStringSubmatch(line)
			findings = append(findings, k.gplOnly(severityWord(strings.ToLower(m[1])), m[3]))
			setSym(len(findings)-1, m[3])
		case modpostRE.MatchString(line):
			m := modpostRE.FindStringSubmatch(line)
			findings = append(findings, k.onShim(severityWord(strings.ToLower(m[1])), diagnostics.SourceModpost, k.shorten(m[2])))
		case objtoolRE.MatchString(line):
			m := objtoolRE.FindStringSubmatch(line)
			findings = append(findings, k.objtool(m[1], severityWord(m[2]), m[3], m[5]))
		default:
			// Caret lines, make's chatter: notes after them still
			// belong to the last diagnostic.
			continue
		}
		last = len(findings) - 1
	}
	for i := range findings {
		k.rehome(&findings[i])
	}
	return findings
}

func severityWord(s string) diagnostics.Severity {
	if s == "warning" {
		return diagnostics.Warning
	}
	return diagnostics.Error
}

// path makes a path from kbuild's output absolute (gcc's relative paths
// are relative to KDIR, where kbuild runs) and maps generated wrappers
// back to the module's file.
func (k *kbuildOutput) path(p string) string {
	abs := absUnder(k.kdir, p)
	if src, ok := k.sources[abs]; ok {
		return src
	}
	return abs
}

// isGenerated reports whether p is a file rustko put in the kbuild folder.
func (k *kbuildOutput) isGenerated(p string) bool {
	return filepath.Dir(p) == k.kbuildDir
}

// rehome moves a diagnostic that gcc placed in a kernel header to the
// module line that led there (a macro call, an #include), keeping the
// header's place as related information: that line is the one a person
// can change, and the one an editor has open.
func (k *kbuildOutput) rehome(f *diagnostics.Finding) {
	if k.inModule(f.File) {
		return
	}
	// Macro-expansion notes name the call site precisely; the include
	// chain only names the #include line. gcc lists both innermost first.
	pick := slices.IndexFunc(f.Related, func(r diagnostics.Related) bool {
		return k.inModule(r.File) && r.Message != "included from here"
	})
	if pick < 0 {
		pick = slices.IndexFunc(f.Related, func(r diagnostics.Related) bool { return k.inModule(r.File) })
	}
	if pick < 0 {
		return
	}
	at := f.Related[pick]
	orig := diagnostics.Related{File: f.File, Range: f.Range, Message: f.Message}
	f.Related = append([]diagnostics.Related{orig}, append(f.Related[:pick:pick], f.Related[pick+1:]...)...)
	f.File, f.Range = at.File, at.Range
}

func (k *kbuildOutput) inModule(p string) bool {
	if k.isGenerated(p) {
		return false
	}
	return within(k.root, p)
}

// shorten replaces kbuild folder paths in a message with the module's
// names: "missing MODULE_LICENSE() in /…/build/kbuild/hello.o" is about
// the module, not a file the person knows.
func (k *kbuildOutput) shorten(msg string) string {
	return strings.ReplaceAll(msg, k.kbuildDir+string(filepath.Separator), "")
}

// onShim reports a module-wide problem on the C shim's first line.
func (k *kbuildOutput) onShim(sev diagnostics.Severity, source, msg string) diagnostics.Finding {
	file := k.shim
	if file == "" {
		file = filepath.Join(k.root, "Makefile")
	}
	f := diagnostics.Finding{File: file, Range: diagnostics.Point(1, 1), Severity: sev, Source: source, Message: msg}
	if strings.Contains(msg, "MODULE_LICENSE") {
		f.Message += `; add MODULE_LICENSE("GPL") to the C shim`
	}
	return f
}

// undefined maps modpost's "X undefined!" (no place of its own) to the
// module's code that declares or calls X.
func (k *kbuildOutput) undefined(sev diagnostics.Severity, sym string) diagnostics.Finding {
	f := diagnostics.Finding{Severity: sev, Source: diagnostics.SourceModpost, Code: diagnostics.CodeUndefinedSymbol}
	use := k.symbols.find(sym)
	f.Message = undefinedMessage(sym, use, k.exported)
	k.place(&f, use)
	return f
}

// gplOnly maps a GPL-only symbol used by a non-GPL module.
func (k *kbuildOutput) gplOnly(sev diagnostics.Severity, sym string) diagnostics.Finding {
	f := diagnostics.Finding{Severity: sev, Source: diagnostics.SourceModpost, Code: diagnostics.CodeGPLOnlySymbol,
		Message: "the module uses " + sym + ", which the kernel exports to GPL-compatible modules only; " +
			`declare MODULE_LICENSE("GPL") in the C shim or stop using ` + sym}
	k.place(&f, k.symbols.find(sym))
	return f
}

// place puts f on the symbol's best use, the other uses as related
// information, or on the crate root when the module's text never names it.
func (k *kbuildOutput) place(f *diagnostics.Finding, use symbolUse) {
	if use.Primary.File == "" {
		f.File = k.symbols.crateRoot
		f.Range = diagnostics.Point(1, 1)
		if f.File == "" {
			f.File = filepath.Join(k.root, "Makefile")
		}
		return
	}
	f.File, f.Range = use.Primary.File, use.Primary.Range
	f.Related = append(f.Related, use.Related...)
}

// objtool reports on objects; map the object to its C file and the
// function to the line defining it.
func (k *kbuildOutput) objtool(obj string, sev diagnostics.Severity, fn, msg string) diagnostics.Finding {
	obj = absUnder(k.kdir, obj)
	f := diagnostics.Finding{Severity: sev, Source: sourceObjtool, Message: msg}
	if fn != "" {
		f.Message = fn + ": " + msg
	}
	src, ok := k.sources[obj]
	if !ok {
		src = k.shim
		if src == "" {
			src = obj
		}
	}
	f.File, f.Range = src, diagnostics.Point(1, 1)
	if fn != "" {
		if line := definitionLine(src, fn); line > 0 {
			f.Range = diagnostics.Point(line, 1)
		}
	}
	return f
}
