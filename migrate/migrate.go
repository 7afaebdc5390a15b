// Package migrate brings a rust.ko-era module (xargo, a std/ crate running
// bindgen 0.46 in its build.rs, obsolete lang items and #![feature]s, the old
// target JSON, C shim hacks for a 2017 rustc) to what rustko-lsp builds with
// today's toolchains. Each problem is a diagnostics.Finding of code
// legacy-rust.ko carrying its edits as a Fix, so `check` and the editor
// (code actions) offer the very edits `rustko-lsp migrate --write` applies;
// Plan gathers them and Apply writes all of them or none.
package migrate

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/rustko/rustko-lsp/crates/rustko"
	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/module"
	"github.com/rustko/rustko-lsp/targets"
)

// Code is the finding code of the legacy-rust.ko family.
const Code = diagnostics.CodeLegacyRustKo

// CrateDir is where the rustko crate goes, as `rustko-lsp new` puts it.
const CrateDir = "rustko"

// Plan is what migrating one module takes.
type Plan struct {
	Root     string
	Findings []diagnostics.Finding // one per change, each with exactly one Fix
	Notes    []string              // what migrate leaves alone and why
}

// Empty says whether the module needs no change.
func (p *Plan) Empty() bool { return len(p.Findings) == 0 }

// Findings returns the legacy-rust.ko findings of m, each with its fix.
// It reads only files; a module that is not of rust.ko's era has none.
func Findings(m *module.Module) []diagnostics.Finding {
	p, err := NewPlan(m)
	if err != nil {
		return nil
	}
	return p.Findings
}

// NewPlan reads m and lists every change migrating it takes.
func NewPlan(m *module.Module) (*Plan, error) {
	r := &reader{m: m, root: m.Root, plan: &Plan{Root: m.Root}}
	if err := r.run(); err != nil {
		return nil, err
	}
	sort.SliceStable(r.plan.Findings, func(i, j int) bool {
		a, b := r.plan.Findings[i], r.plan.Findings[j]
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Range.Start.Line < b.Range.Start.Line
	})
	return r.plan, nil
}

type reader struct {
	m    *module.Module
	root string
	plan *Plan
	// stdDep is the legacy std/ crate's dependency, when the module has one.
	stdDep *dependency
	// hasRustko says the module already depends on the rustko crate.
	hasRustko bool
	// remainingLang: a lang item migrate keeps is defined somewhere in the
	// crate, so #![feature(lang_items)] stays.
	remainingLang bool
}

func (r *reader) run() error {
	cargo := filepath.Join(r.root, "Cargo.toml")
	data, err := os.ReadFile(cargo)
	if err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("reading %s: %w", cargo, err)
	}
	if err == nil {
		r.cargo(cargo, data)
	}
	r.targetSpec()
	r.makefile()
	rs := r.rustFiles()
	for _, f := range rs {
		if data, err := readSource(f); err == nil {
			for _, l := range splitLines(data) {
				if m := langRE.FindStringSubmatch(l); m != nil && !obsoleteLangItems[m[1]] {
					r.remainingLang = true
				}
			}
		}
	}
	for _, f := range rs {
		r.rustFile(f)
	}
	for _, f := range r.m.Vars.CFiles {
		r.cShim(f)
	}
	if !r.plan.Empty() {
		r.notes()
	}
	return nil
}

func (r *reader) add(file string, line int, sev diagnostics.Severity, msg, title string, edits []diagnostics.Edit) {
	r.plan.Findings = append(r.plan.Findings, diagnostics.Finding{
		File: file, Range: lineRange(file, line), Severity: sev, Code: Code, Source: diagnostics.SourceRustko,
		Message: msg, Fixes: []diagnostics.Fix{{Title: title, Edits: edits, Preferred: true}},
	})
}

// ---- Cargo.toml ----

type dependency struct {
	key        string // the name in [dependencies]
	lib        string // the crate name Rust code uses (extern crate NAME)
	startLine  int    // 1-based first line of the declaration
	endLine    int    // last line (a [dependencies.X] table's last key)
	table      bool   // declared as [dependencies.X]
	path       string // path = "..."
	packageKey string
}

var (
	headerRE   = regexp.MustCompile(`^\s*\[([^\]]+)\]\s*(#.*)?$`)
	keyRE      = regexp.MustCompile(`^\s*([A-Za-z0-9_.-]+|"[^"]+")\s*=\s*(.*)$`)
	pathRE     = regexp.MustCompile(`\bpath\s*=\s*"([^"]*)"`)
	packageRE  = regexp.MustCompile(`\bpackage\s*=\s*"([^"]*)"`)
	crateNameR = regexp.MustCompile(`(?m)^\s*name\s*=\s*"([^"]*)"`)
)

// profileWant is what each Cargo profile needs so that the rustko crate,
// a dependency, ends up in the one object kbuild links (as in `rustko-lsp
// new`'s Cargo.toml): fat LTO over one codegen unit, optimised (unoptimised
// code keeps calls to compiler-builtins helpers the kernel lacks), and abort
// on panic.
var profileWant = [][2]string{{"panic", `"abort"`}, {"lto", `"fat"`}, {"codegen-units", "1"}, {"opt-level", "2"}}

func (r *reader) cargo(file string, data []byte) {
	lines := splitLines(data)
	section := ""
	sectionLine := map[string]int{}
	sectionEnd := map[string]int{} // last non-blank line of each section
	keys := map[string]map[string]string{}
	var deps []*dependency
	var cur *dependency
	for i, l := range lines {
		n := i + 1
		t := strings.TrimSpace(l)
		if m := headerRE.FindStringSubmatch(l); m != nil {
			section = strings.TrimSpace(m[1])
			sectionLine[section] = n
			sectionEnd[section] = n
			cur = nil
			if name, ok := strings.CutPrefix(section, "dependencies."); ok {
				cur = &dependency{key: strings.Trim(name, `"`), startLine: n, endLine: n, table: true}
				deps = append(deps, cur)
			}
			continue
		}
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		sectionEnd[section] = n
		m := keyRE.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		k, v := strings.Trim(m[1], `"`), strings.TrimSpace(m[2])
		if keys[section] == nil {
			keys[section] = map[string]string{}
		}
		keys[section][k] = v
		switch {
		case cur != nil:
			cur.endLine = n
			if k == "path" {
				cur.path = strings.Trim(v, `"`)
			}
			if k == "package" {
				cur.packageKey = strings.Trim(v, `"`)
			}
		case section == "dependencies":
			d := &dependency{key: k, startLine: n, endLine: n}
			if pm := pathRE.FindStringSubmatch(v); pm != nil {
				d.path = pm[1]
			}
			if pm := packageRE.FindStringSubmatch(v); pm != nil {
				d.packageKey = pm[1]
			}
			deps = append(deps, d)
		}
	}
	for _, d := range deps {
		if d.key == "rustko" || d.packageKey == "rustko" {
			r.hasRustko = true
		}
	}
	for _, d := range deps {
		if d.path == "" || !isLegacyStd(filepath.Join(r.root, d.path)) {
			continue
		}
		pkg := d.key
		if d.packageKey != "" {
			pkg = d.packageKey
		}
		d.lib = strings.ReplaceAll(pkg, "-", "_")
		r.stdDep = d
		break
	}
	if r.stdDep == nil {
		return
	}
	d := r.stdDep
	var edits []diagnostics.Edit
	dep := `rustko = { path = "` + CrateDir + `" }` + "\n"
	switch {
	case r.hasRustko:
		edits = append(edits, deleteLines(file, data, d.startLine, d.endLine))
	case d.table && sectionLine["dependencies"] == 0:
		edits = append(edits, replaceLines(file, data, d.startLine, d.endLine,
			"# The runtime (println!/print!, pr_info!..., panic handler, kmalloc allocator), kept\n"+
				"# in the module so that it builds offline; `rustko-lsp migrate` wrote it.\n[dependencies]\n"+dep))
	case d.table:
		edits = append(edits, deleteLines(file, data, d.startLine, d.endLine),
			insertAt(file, data, sectionEnd["dependencies"]+1, dep))
	default:
		edits = append(edits, replaceLines(file, data, d.startLine, d.endLine, dep))
	}
	for _, prof := range []string{"profile.dev", "profile.release"} {
		var add strings.Builder
		for _, kv := range profileWant {
			if _, ok := keys[prof][kv[0]]; !ok {
				fmt.Fprintf(&add, "%s = %s\n", kv[0], kv[1])
			}
		}
		if add.Len() == 0 {
			continue
		}
		if sectionLine[prof] == 0 {
			edits = append(edits, insertAt(file, data, len(lines)+1, "\n["+prof+"]\n"+add.String()))
		} else {
			edits = append(edits, insertAt(file, data, sectionEnd[prof]+1, add.String()))
		}
	}
	created := 0
	if !r.hasRustko {
		crate, err := rustko.Files()
		if err == nil {
			for _, n := range slices.Sorted(maps.Keys(crate)) {
				p := filepath.Join(r.root, CrateDir, filepath.FromSlash(n))
				if _, err := os.Lstat(p); err == nil {
					continue // a file already there is the user's: never overwritten
				}
				edits = append(edits, diagnostics.Edit{File: p, Range: diagnostics.Point(1, 1), NewText: string(crate[n])})
				created++
			}
		}
	}
	msg := fmt.Sprintf("the %s crate at %s/ generates kernel bindings in its build.rs with bindgen from crates.io (which needs "+
		"the network, libclang and kbuild's variables) and gives println!: rustko generates src/bindings.rs from "+
		"KERNEL_INCLUDE itself, and the rustko crate gives println!/print!, the panic handler and the allocator. "+
		"The dependency becomes rustko (%s/, %d files written); %s/ stays where it is, no longer built",
		d.key, d.path, CrateDir, created, d.path)
	r.add(file, d.startLine, diagnostics.Warning, msg,
		fmt.Sprintf("Depend on the rustko crate instead of %s (and LTO in the Cargo profiles)", d.key), edits)
}

// isLegacyStd says whether dir holds rust.ko's std/ crate: linux-std by
// name, or a crate whose build.rs runs bindgen.
func isLegacyStd(dir string) bool {
	data, err := os.ReadFile(filepath.Join(dir, "Cargo.toml"))
	if err != nil {
		return false
	}
	if m := crateNameR.FindSubmatch(data); m != nil && string(m[1]) == "linux-std" {
		return true
	}
	return regexp.MustCompile(`(?m)^\s*bindgen\s*=`).Match(data) && isFile(filepath.Join(dir, "build.rs"))
}

// ---- the target spec ----

// obsoleteSpecKeys are keys of rust.ko-era specs that rustc no longer has:
// current rustc refuses them, 1.63 ignores them with a warning.
var obsoleteSpecKeys = []string{"custom-unwind-resume", "no-compiler-rt", "eliminate-frame-pointer",
	"linker-is-gnu", "pre-link-args", "morestack", "target-word-size", "exe-allocation-crate"}

func (r *reader) targetSpec() {
	path := r.m.Vars.Target
	if path == "" {
		return
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return
	}
	name := strings.TrimSuffix(filepath.Base(path), ".json")
	emb := targets.Data(name)
	if emb == nil || bytes.Equal(emb, data) {
		return
	}
	var found []string
	line := 0
	for _, k := range obsoleteSpecKeys {
		if i := bytes.Index(data, []byte(`"`+k+`"`)); i >= 0 {
			found = append(found, k)
			if l := bytes.Count(data[:i], []byte("\n")) + 1; line == 0 || l < line {
				line = l
			}
		}
	}
	if len(found) == 0 {
		return
	}
	// Equivalent: the same architecture, and kernel code (the kernel code
	// model or no red zone); anything else is the author's own target and is
	// only reported.
	spec, _ := targets.Lookup(name)
	equivalent := bytes.Contains(data, []byte(`"`+spec.Arch+`"`)) &&
		(regexp.MustCompile(`"code-model"\s*:\s*"kernel"`).Match(data) || regexp.MustCompile(`"disable-redzone"\s*:\s*true`).Match(data))
	msg := fmt.Sprintf("%s is a rust.ko-era target spec: %s no longer exist (current rustc refuses the file, 1.63 ignores them)",
		filepath.Base(path), strings.Join(quoteAll(found), ", "))
	if !equivalent {
		r.plan.Findings = append(r.plan.Findings, diagnostics.Finding{File: path, Range: lineRange(path, line),
			Severity: diagnostics.Warning, Code: Code, Source: diagnostics.SourceRustko,
			Message: msg + "; it is not kernel code for " + spec.Arch + " as rustko's own spec is, so migrate leaves it to you"})
		return
	}
	msg += fmt.Sprintf("; rustko's embedded %s spec is the same target (kernel code model, no red zone, no FP/SIMD) and "+
		"rustko-lsp build renders it in the form the selected rustc reads", name)
	r.add(path, line, diagnostics.Warning, msg, "Replace with rustko's "+name+" spec",
		[]diagnostics.Edit{{File: path, Range: diagnostics.Range{Start: diagnostics.Position{Line: 1, Column: 1}, End: endOf(data)}, NewText: string(emb)}})
}

// ---- Makefile: xargo → rustko-lsp build (cargo) ----

var ruleRE = regexp.MustCompile(`^all\s*:`)

func (r *reader) makefile() {
	file := filepath.Join(r.root, "Makefile")
	data, err := os.ReadFile(file)
	if err != nil {
		return
	}
	kbuildMk := isFile(filepath.Join(r.root, "kbuild.mk"))
	xargo := bytes.Contains(bytes.ToLower(data), []byte("xargo"))
	if kb, err := os.ReadFile(filepath.Join(r.root, "kbuild.mk")); err == nil && bytes.Contains(bytes.ToLower(kb), []byte("xargo")) {
		xargo = true
	}
	if !kbuildMk && !xargo {
		return
	}
	lines := splitLines(data)
	start, end := 0, 0
	for i, l := range lines {
		if start == 0 && ruleRE.MatchString(l) {
			start, end = i+1, i+1
			continue
		}
		if start != 0 && i+1 == end+1 {
			if strings.HasPrefix(l, "\t") {
				end = i + 1
				continue
			}
			break
		}
	}
	if start == 0 {
		return
	}
	recipe := strings.Join(lines[start-1:end], "\n")
	if strings.Contains(recipe, "rustko-lsp") || strings.Contains(recipe, "$(RUSTKO)") {
		return
	}
	how := "builds through kbuild.mk with cargo"
	if xargo {
		how = "builds through kbuild.mk with xargo"
	}
	msg := fmt.Sprintf("`make` %s for a target spec only a 2017 nightly reads: rustko-lsp build builds core (and alloc) for the "+
		"target itself, runs cargo and kbuild; kbuild.mk%s stay but are no longer used", how, map[bool]string{true: " and Xargo.toml", false: ""}[isFile(filepath.Join(r.root, "Xargo.toml"))])
	r.add(file, start, diagnostics.Warning, msg, "Build with rustko-lsp instead of xargo/kbuild.mk",
		[]diagnostics.Edit{replaceLines(file, data, start, end,
			"# rustko-lsp builds the module: bindings from KERNEL_INCLUDE, core for the\n"+
				"# target spec, cargo, then kbuild (`rustko-lsp migrate` replaced xargo).\n"+
				"RUSTKO ?= rustko-lsp\n\nall:\n\t$(RUSTKO) build .\n")})
}

// ---- Rust sources ----

// obsoleteFeatures are #![feature]s rust.ko-era code names that rustc has
// removed or stabilised; any #![feature] stops a stable rustc (Debian's 1.63).
var obsoleteFeatures = map[string]string{
	"custom_attribute": "removed", "raw": "removed", "core_str_ext": "removed", "core_intrinsics": "not needed without std/",
	"panic_implementation": "removed", "panic_handler": "stable", "panic_info_message": "not needed: rustko's handler prints the message",
	"alloc": "stable", "used": "stable", "const_fn": "removed", "asm": "removed", "unique": "removed",
}

// obsoleteLangItems are lang items a no_std crate had to define in 2017.
// rustc no longer asks for them (panic=abort has no personality, unwinding
// resumes nowhere), and the panic ones are the rustko crate's
// #[panic_handler] now.
var obsoleteLangItems = map[string]bool{"eh_personality": true, "eh_unwind_resume": true, "panic_fmt": true, "panic_impl": true, "begin_panic": true}

var (
	featureRE = regexp.MustCompile(`^(\s*)#!\[feature\(([^)]*)\)\]\s*$`)
	langRE    = regexp.MustCompile(`^\s*#\[lang\s*=\s*"([^"]+)"\]`)
	externRE  = regexp.MustCompile(`^(\s*)extern\s+crate\s+([A-Za-z0-9_]+)(\s+as\s+([A-Za-z0-9_]+))?\s*;`)
)

// readSource reads a source file of the module, refusing anything but a
// regular file: a fifo at src/bindings.rs (RUST_FILES is a wildcard) would
// block the module's load forever.
func readSource(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	return os.ReadFile(path)
}

func (r *reader) rustFiles() []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range r.m.Vars.RustFiles {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	_ = filepath.WalkDir(filepath.Join(r.root, "src"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".rs") && !seen[p] && filepath.Base(p) != "bindings.rs" {
			seen[p] = true
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out
}

func (r *reader) rustFile(file string) {
	data, err := readSource(file)
	if err != nil {
		return
	}
	lines := splitLines(data)
	// Lang items first: whether lang_items may go depends on what remains.
	removedPanicInfo := false
	type item struct{ attr, end int }
	var items []item
	for i := 0; i < len(lines); i++ {
		m := langRE.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		if !obsoleteLangItems[m[1]] {
			continue
		}
		end := itemEnd(lines, i)
		if end < 0 {
			continue
		}
		items = append(items, item{i + 1, end + 1})
		name := m[1]
		body := strings.Join(lines[i:end+1], "\n")
		what := "rustc no longer asks a no_std crate for it (panic=abort has no unwinding)"
		if name == "panic_fmt" || name == "panic_impl" || name == "begin_panic" {
			what = "the rustko crate's #[panic_handler] replaces it and prints `<module>: panicked at <file>:<line>: <message>`"
			if strings.Contains(body, ".message()") {
				what += " for every rustc (PanicInfo::message returned Option<&Arguments> behind a feature, a PanicMessage since 1.81)"
				removedPanicInfo = true
			} else if strings.Contains(body, "PanicInfo") {
				removedPanicInfo = true
			}
		}
		last := end + 1
		if last < len(lines) && strings.TrimSpace(lines[last]) == "" {
			last++ // the blank line after it
		}
		edits := []diagnostics.Edit{deleteLines(file, data, i+1, last)}
		r.add(file, i+1, diagnostics.Warning, fmt.Sprintf("obsolete lang item %q: %s", name, what),
			fmt.Sprintf("Remove the %s lang item", name), edits)
		i = end
	}
	// A `use ...PanicInfo;` left with nothing to name goes with the handler.
	if removedPanicInfo {
		rest := string(data)
		for _, it := range items {
			rest = strings.Replace(rest, strings.Join(lines[it.attr-1:it.end], "\n"), "", 1)
		}
		if strings.Count(rest, "PanicInfo") == 1 {
			for i, l := range lines {
				if strings.HasPrefix(strings.TrimSpace(l), "use ") && strings.Contains(l, "PanicInfo") && strings.HasSuffix(strings.TrimSpace(l), ";") {
					last := i + 1
					if last < len(lines) && strings.TrimSpace(lines[last]) == "" {
						last++
					}
					r.add(file, i+1, diagnostics.Warning, "PanicInfo is no longer used once the panic lang item is gone (the rustko crate's handler reads it)",
						"Remove the unused PanicInfo import", []diagnostics.Edit{deleteLines(file, data, i+1, last)})
				}
			}
		}
	}
	for i, l := range lines {
		if m := featureRE.FindStringSubmatch(l); m != nil {
			var keep, drop []string
			for _, f := range strings.Split(m[2], ",") {
				f = strings.TrimSpace(f)
				if f == "" {
					continue
				}
				_, obsolete := obsoleteFeatures[f]
				if obsolete || (f == "lang_items" && !r.remainingLang) {
					drop = append(drop, f)
				} else {
					keep = append(keep, f)
				}
			}
			if len(drop) == 0 {
				continue
			}
			var e diagnostics.Edit
			if len(keep) == 0 {
				e = deleteLines(file, data, i+1, i+1)
			} else {
				e = replaceLines(file, data, i+1, i+1, m[1]+"#![feature("+strings.Join(keep, ", ")+")]\n")
			}
			msg := fmt.Sprintf("#![feature(%s)]: rust.ko-era features that rustc removed or no longer needs here; a #![feature] "+
				"at all stops a stable rustc such as Debian's 1.63", strings.Join(drop, ", "))
			if len(keep) > 0 {
				msg += fmt.Sprintf(" (%s stays: it needs a nightly rustc)", strings.Join(keep, ", "))
			}
			r.add(file, i+1, diagnostics.Warning, msg, "Remove "+strings.Join(drop, ", "), []diagnostics.Edit{e})
		}
		if r.stdDep != nil {
			if m := externRE.FindStringSubmatch(l); m != nil && (m[2] == r.stdDep.lib || m[2] == r.stdDep.key) {
				repl := m[1] + "extern crate rustko;\n"
				if !regexp.MustCompile(`(?m)^\s*(pub\s+)?mod\s+bindings\s*;`).Match(data) {
					repl += "\n" + m[1] + "// Generated from KERNEL_INCLUDE by `rustko-lsp build`: the kernel's functions,\n" +
						m[1] + "// types and constants as bindings::NAME (they were std::os::kernel).\n" +
						m[1] + "#[allow(dead_code)]\n" + m[1] + "mod bindings;\n"
				}
				r.add(file, i+1, diagnostics.Warning,
					fmt.Sprintf("`extern crate %s` is rust.ko's std/ crate: the rustko crate's println!/print! take its place (with #[macro_use], as here), and the kernel bindings are `mod bindings;`", m[2]),
					"Use the rustko crate", []diagnostics.Edit{replaceLines(file, data, i+1, i+1, repl)})
			}
		}
	}
}

// itemEnd returns the index of the line that ends the item starting after
// the attribute at line i: the line of the `}` closing its first `{`, or of
// a `;` before any `{`. -1 when the item does not end.
func itemEnd(lines []string, i int) int {
	depth, opened := 0, false
	for j := i + 1; j < len(lines); j++ {
		for _, c := range stripLineComment(lines[j]) {
			switch c {
			case '{':
				depth++
				opened = true
			case '}':
				depth--
				if opened && depth == 0 {
					return j
				}
			case ';':
				if !opened {
					return j
				}
			}
		}
	}
	return -1
}

func stripLineComment(l string) string {
	if i := strings.Index(l, "//"); i >= 0 {
		return l[:i]
	}
	return l
}

// ---- the C shim ----

var cHackRE = regexp.MustCompile(`^\s*char\s+(_GLOBAL_OFFSET_TABLE_|__morestack)\b[^;]*;\s*$`)

func (r *reader) cShim(file string) {
	data, err := readSource(file)
	if err != nil {
		return
	}
	for i, l := range splitLines(data) {
		m := cHackRE.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		why := "the object referred to the GOT's symbol under an old rustc; rustko builds without a GOT reference (host mode relaxes them)"
		if m[1] == "__morestack" {
			why = "segmented stacks left rustc in 2014; nothing calls __morestack, and a 1 KiB array in the module is waste"
		}
		r.add(file, i+1, diagnostics.Warning, fmt.Sprintf("C shim hack `%s`: %s", strings.TrimSpace(l), why),
			"Remove "+m[1], []diagnostics.Edit{deleteLines(file, data, i+1, i+1)})
	}
}

// ---- notes ----

func (r *reader) notes() {
	n := &r.plan.Notes
	if inc := r.m.Vars.KernelInclude; len(inc) > 0 {
		where := r.m.Where["KERNEL_INCLUDE"]
		if where == "" {
			where = "the Makefile"
		}
		*n = append(*n, fmt.Sprintf("KERNEL_INCLUDE (%s: %s) is kept as it is: rustko generates src/bindings.rs from it "+
			"plus its default headers (linux/module.h, kernel.h, printk.h, slab.h, fs.h, uaccess.h)", where, strings.Join(inc, " ")))
	}
	if d := r.stdDep; d != nil {
		*n = append(*n, fmt.Sprintf("%s/ (the %s crate) is left in place, no longer a dependency: delete it when nothing else needs it", d.path, d.key))
	}
	for _, f := range []string{"kbuild.mk", "Xargo.toml"} {
		if isFile(filepath.Join(r.root, f)) {
			*n = append(*n, f+" is left in place, no longer used by the build: delete it when you like")
		}
	}
}

// ---- text helpers ----

func splitLines(data []byte) []string {
	s := strings.TrimSuffix(string(data), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = `"` + s + `"`
	}
	return out
}

// lineRange is the whole of line n of file (as it is on disk).
func lineRange(file string, n int) diagnostics.Range {
	if n < 1 {
		n = 1
	}
	end := 1
	if data, err := os.ReadFile(file); err == nil {
		if ls := splitLines(data); n <= len(ls) {
			end = len(ls[n-1]) + 1
		}
	}
	return diagnostics.Range{Start: diagnostics.Position{Line: n, Column: 1}, End: diagnostics.Position{Line: n, Column: end}}
}

// endOf is the position after the last byte of data.
func endOf(data []byte) diagnostics.Position {
	line := bytes.Count(data, []byte("\n")) + 1
	col := len(data) - (bytes.LastIndexByte(data, '\n') + 1) + 1
	return diagnostics.Position{Line: line, Column: col}
}

// lineStart is the position of the start of line n; past the last line it
// is the end of the data (so an insertion there appends).
func lineStart(data []byte, n int) diagnostics.Position {
	if n > bytes.Count(data, []byte("\n"))+1 || (n == bytes.Count(data, []byte("\n"))+1 && len(data) > 0 && data[len(data)-1] != '\n') {
		return endOf(data)
	}
	return diagnostics.Position{Line: n, Column: 1}
}

func deleteLines(file string, data []byte, from, to int) diagnostics.Edit {
	return replaceLines(file, data, from, to, "")
}

func replaceLines(file string, data []byte, from, to int, text string) diagnostics.Edit {
	return diagnostics.Edit{File: file, Range: diagnostics.Range{Start: lineStart(data, from), End: lineStart(data, to+1)}, NewText: text}
}

func insertAt(file string, data []byte, line int, text string) diagnostics.Edit {
	p := lineStart(data, line)
	if p.Column != 1 { // appending after a last line without a newline
		text = "\n" + text
	}
	return diagnostics.Edit{File: file, Range: diagnostics.Range{Start: p, End: p}, NewText: text}
}
