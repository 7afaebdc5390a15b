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
	Findings []diagnostics.Finding // one per change, each with its one Fix (none: left to the user)
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
	// messageUsed: code migrate keeps calls PanicInfo::message (the module's
	// own #[panic_handler]), which needs #![feature(panic_info_message)]
	// before rustc 1.81.
	messageUsed bool
	// stdAlias is the name the crate root gives the std/ crate
	// (`extern crate linux_std as std;`: std), "" without one.
	stdAlias string
}

// rustkoHandler says whether the migrated module depends on the rustko
// crate, whose #[panic_handler] then takes the place of the panic lang item.
func (r *reader) rustkoHandler() bool { return r.stdDep != nil || r.hasRustko }

// isPanicLang says whether a lang item is the 2017 panic entry point, which
// rustc replaced with #[panic_handler].
func isPanicLang(name string) bool {
	return name == "panic_fmt" || name == "panic_impl" || name == "begin_panic"
}

// loopOnlyBody matches an item whose body does nothing but loop forever, as
// rust.ko's panic_fmt did: it can become a #[panic_handler] unchanged.
var loopOnlyBody = regexp.MustCompile(`^[^{]*\{\s*loop\s*\{\s*\}\s*;?\s*\}\s*$`)

var fnNameRE = regexp.MustCompile(`\bfn\s+([A-Za-z_][A-Za-z0-9_]*)`)

// keptLang says whether migrate leaves the obsolete lang item spanning
// lines[attr..end] in place: a panic entry point that does more than loop,
// in a module that gets no rustko crate to give the #[panic_handler].
func (r *reader) keptLang(name string, lines []string, attr, end int) bool {
	return isPanicLang(name) && !r.rustkoHandler() && !loopOnlyBody.MatchString(strings.Join(lines[attr+1:end+1], "\n"))
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
		data, err := readSource(f)
		if err != nil {
			continue
		}
		lines := splitLines(data)
		for i := 0; i < len(lines); i++ {
			if m := langRE.FindStringSubmatch(lines[i]); m != nil {
				end := itemEnd(lines, i)
				if !obsoleteLangItems[m[1]] || end < 0 || r.keptLang(m[1], lines, i, end) {
					r.remainingLang = true
				} else {
					i = end // removed: what it calls goes with it
					continue
				}
			}
			if strings.Contains(stripLineComment(lines[i]), ".message()") {
				r.messageUsed = true
			}
			if m := externRE.FindStringSubmatch(lines[i]); m != nil && r.stdDep != nil && (m[2] == r.stdDep.lib || m[2] == r.stdDep.key) {
				r.stdAlias = m[2]
				if m[4] != "" {
					r.stdAlias = m[4]
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

// add reports a warning at line of file whose fix is edits, under title;
// without a title it has no fix (migrate leaves the change to the user).
func (r *reader) add(file string, line int, msg, title string, edits []diagnostics.Edit) {
	f := diagnostics.Finding{File: file, Range: lineRange(file, line), Severity: diagnostics.Warning, Code: Code,
		Source: diagnostics.SourceRustko, Message: msg}
	if title != "" {
		f.Fixes = []diagnostics.Fix{{Title: title, Edits: edits, Preferred: true}}
	}
	r.plan.Findings = append(r.plan.Findings, f)
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

// is says whether d is the crate name, under its own name or renamed.
func (d *dependency) is(name string) bool { return d.key == name || d.packageKey == name }

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
	keyLine := map[[2]string]int{} // {section, key}: the key's line
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
		keyLine[[2]string{section, k}] = n
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
	r.hasRustko = slices.ContainsFunc(deps, func(d *dependency) bool { return d.is("rustko") })
	for _, d := range deps {
		switch {
		case d.is("core"):
			r.dropDep(file, data, lines, d,
				"the `core` dependency (rust.ko's nightly-libcore from git, built without floats) is what a 2016 nightly needed: "+
					"rustko-lsp build builds core for the target spec (no FP/SIMD) from the toolchain itself, and the git crate "+
					"needs the network and builds with no rustc of today", "Remove the core dependency")
		case d.is("compiler_builtins"):
			r.dropDep(file, data, lines, d,
				"the `compiler_builtins` dependency (the rust-lang-nursery crate from git) is what a 2017 nightly needed to link: "+
					"rustko-lsp build gives the sysroot an empty compiler_builtins on purpose, so that none of its helpers, which "+
					"the kernel does not export, end up in the module, and the git crate needs the network and builds with no "+
					"rustc of today", "Remove the compiler_builtins dependency")
		}
	}
	for _, d := range deps {
		if d.path == "" || !isLegacyStd(filepath.Join(r.root, d.path), d) {
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
		edits = append(edits, replaceLines(file, data, d.startLine, d.endLine, ""))
	case d.table && sectionLine["dependencies"] == 0:
		edits = append(edits, replaceLines(file, data, d.startLine, d.endLine,
			"# The runtime (println!/print!, pr_info!..., panic handler, kmalloc allocator), kept\n"+
				"# in the module so that it builds offline; `rustko-lsp migrate` wrote it.\n[dependencies]\n"+dep))
	case d.table:
		edits = append(edits, replaceLines(file, data, d.startLine, d.endLine, ""),
			insertAt(file, data, sectionEnd["dependencies"]+1, dep))
	default:
		edits = append(edits, replaceLines(file, data, d.startLine, d.endLine, dep))
	}
	for _, prof := range []string{"profile.dev", "profile.release"} {
		var add strings.Builder
		for _, kv := range profileWant {
			if keyLine[[2]string{prof, kv[0]}] == 0 {
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
	// A workspace listing the std/ crate makes cargo resolve its bindgen
	// build-dependency (from the network) for every build of the module.
	if n := keyLine[[2]string{"workspace", "members"}]; n > 0 {
		l := lines[n-1]
		member := regexp.MustCompile(`\s*"` + regexp.QuoteMeta(strings.TrimPrefix(filepath.Clean(d.path), "./")) + `/?"\s*,?`)
		if loc := member.FindStringIndex(l); loc != nil {
			nl := strings.Replace(l[:loc[0]]+" "+l[loc[1]:], ", ]", " ]", 1)
			nl = regexp.MustCompile(`,\s*\]`).ReplaceAllString(nl, " ]")
			nl = regexp.MustCompile(`\[\s+`).ReplaceAllString(nl, "[ ")
			nl = regexp.MustCompile(`\s+\]`).ReplaceAllString(nl, " ]")
			edits = append(edits, replaceLines(file, data, n, n, nl+"\n"))
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
		"The dependency becomes rustko (%s/, %d files written); %s",
		d.key, d.path, CrateDir, created, stdStays(r.root, d.path))
	r.add(file, d.startLine, msg,
		fmt.Sprintf("Depend on the rustko crate instead of %s (and LTO in the Cargo profiles)", d.key), edits)
}

// stdStays says what becomes of the std/ crate's folder.
func stdStays(root, path string) string {
	if _, err := os.Stat(filepath.Join(root, path)); err != nil {
		return path + "/ is not there (a submodule not checked out?); nothing needs it now"
	}
	return path + "/ stays where it is, no longer built"
}

// isLegacyStd says whether dir holds rust.ko's std/ crate: linux-std by
// name, or a crate whose build.rs runs bindgen. A dependency named
// linux-std whose folder is missing is that crate too (forks kept it as a
// git submodule).
func isLegacyStd(dir string, d *dependency) bool {
	data, err := os.ReadFile(filepath.Join(dir, "Cargo.toml"))
	if err != nil {
		_, statErr := os.Stat(dir)
		return os.IsNotExist(statErr) && d.is("linux-std")
	}
	if m := crateNameR.FindSubmatch(data); m != nil && string(m[1]) == "linux-std" {
		return true
	}
	return regexp.MustCompile(`(?m)^\s*bindgen\s*=`).Match(data) && isFile(filepath.Join(dir, "build.rs"))
}

// dropDep removes a dependency of a 2016-2017 nightly's sysroot: rust.ko
// took core from phil-opp's nightly-libcore (disable_float), others
// compiler_builtins from git. rustko-lsp build makes the sysroot for the
// target spec from the toolchain's own sources.
func (r *reader) dropDep(file string, data []byte, lines []string, d *dependency, why, title string) {
	last := d.endLine
	if last < len(lines) && strings.TrimSpace(lines[last]) == "" && d.table {
		last++ // the blank line after the table
	}
	r.add(file, d.startLine, why, title, []diagnostics.Edit{replaceLines(file, data, d.startLine, last, "")})
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
		filepath.Base(path), `"`+strings.Join(found, `", "`)+`"`)
	if !equivalent {
		r.add(path, line, msg+"; it is not kernel code for "+spec.Arch+" as rustko's own spec is, so migrate leaves it to you", "", nil)
		return
	}
	msg += fmt.Sprintf("; rustko's embedded %s spec is the same target (kernel code model, no red zone, no FP/SIMD) and "+
		"rustko-lsp build renders it in the form the selected rustc reads", name)
	r.add(path, line, msg, "Replace with rustko's "+name+" spec",
		[]diagnostics.Edit{{File: path, Range: diagnostics.Range{Start: diagnostics.Position{Line: 1, Column: 1}, End: endOf(data)}, NewText: string(emb)}})
}

// ---- Makefile: xargo → rustko-lsp build (cargo) ----

// allRule returns the targets of a rule line that makes `all` ("all:",
// "all modules: build/Makefile"), or "" for any other line.
func allRule(l string) string {
	if strings.HasPrefix(l, "\t") || strings.HasPrefix(strings.TrimSpace(l), "#") {
		return ""
	}
	i := strings.IndexByte(l, ':')
	if i < 0 || strings.HasPrefix(l[i:], ":=") || strings.ContainsAny(l[:i], "=$") {
		return ""
	}
	targets := strings.Fields(l[:i])
	if !slices.Contains(targets, "all") {
		return ""
	}
	return strings.Join(targets, " ")
}

// recipeEnd returns the last line (1-based) of the recipe of the rule at
// line start: make takes blank and comment lines among the recipe's
// tab-led lines as part of it, so a recipe under a comment is still all's.
func recipeEnd(lines []string, start int) int {
	end := start
	for i := start; i < len(lines); i++ {
		l := lines[i]
		switch {
		case strings.HasPrefix(l, "\t"):
			end = i + 1
		case strings.TrimSpace(l) == "" || strings.HasPrefix(strings.TrimSpace(l), "#"):
		default:
			return end
		}
	}
	return end
}

func (r *reader) makefile() {
	file := filepath.Join(r.root, "Makefile")
	data, err := os.ReadFile(file)
	if err != nil {
		return
	}
	kbuildMk := isFile(filepath.Join(r.root, "kbuild.mk"))
	kb, _ := os.ReadFile(filepath.Join(r.root, "kbuild.mk"))
	xargo := bytes.Contains(bytes.ToLower(data), []byte("xargo")) || bytes.Contains(bytes.ToLower(kb), []byte("xargo"))
	if !kbuildMk && !xargo {
		return
	}
	lines := splitLines(data)
	start, end, targets := 0, 0, ""
	for i, l := range lines {
		if targets = allRule(l); targets != "" {
			start = i + 1
			end = recipeEnd(lines, start)
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
	compiler := legacyCompiler(xargo, string(data)+string(kb))
	how := "builds with " + compiler
	if kbuildMk && compiler != "rustc" { // a Makefile that runs rustc itself does not go through kbuild.mk
		how = "builds through kbuild.mk with " + compiler
	}
	msg := fmt.Sprintf("`make` %s for a target spec only a 2017 nightly reads: rustko-lsp build builds core (and alloc) for the "+
		"target itself, runs cargo and kbuild", how)
	switch unused := r.unusedBuildFiles(); len(unused) {
	case 1:
		msg += "; " + unused[0] + " stays but is no longer used"
	case 2:
		msg += "; " + unused[0] + " and " + unused[1] + " stay but are no longer used"
	}
	r.add(file, start, msg, "Build with rustko-lsp instead of xargo/kbuild.mk",
		[]diagnostics.Edit{replaceLines(file, data, start, end,
			"# rustko-lsp builds the module: bindings from KERNEL_INCLUDE, core for the\n"+
				"# target spec, cargo, then kbuild (`rustko-lsp migrate` replaced xargo).\n"+
				"RUSTKO ?= rustko-lsp\n\n"+targets+":\n\t$(RUSTKO) build .\n")})
}

// legacyCompiler names what a rust.ko-era build runs: xargo, else cargo,
// else rustc called directly (tbelaire/rust.ko's Makefile).
func legacyCompiler(xargo bool, text string) string {
	switch {
	case xargo:
		return "xargo"
	case !strings.Contains(text, "cargo") && regexp.MustCompile(`\brustc\b`).MatchString(text):
		return "rustc"
	}
	return "cargo"
}

// ---- Rust sources ----

// obsoleteFeatures are #![feature]s rust.ko-era code names that rustc has
// removed or stabilised; any #![feature] stops a stable rustc (Debian's 1.63).
var obsoleteFeatures = map[string]string{
	"custom_attribute": "removed", "raw": "removed", "core_str_ext": "removed", "core_intrinsics": "not needed without std/",
	"panic_implementation": "removed", "panic_handler": "stable", "panic_info_message": "not needed: rustko's handler prints the message",
	"alloc": "stable", "used": "stable", "const_fn": "removed", "asm": "removed", "unique": "removed",
	"compiler_builtins_lib": "removed",
}

// keptFeaturesWhy says why features migrate keeps stay, and what that costs.
func keptFeaturesWhy(keep []string) string {
	why := "migrate does not know it"
	if len(keep) > 1 {
		why = "migrate does not know them"
	}
	for _, f := range keep {
		switch f {
		case "panic_info_message":
			why = "the module's own panic handler calls PanicInfo::message (an Option before rustc 1.81, a PanicMessage since: " +
				"writing `{}` of the PanicInfo itself works on every rustc)"
		case "lang_items":
			why = "a lang item migrate keeps is defined"
		}
	}
	return why + "; a #![feature] needs a nightly rustc (Debian's stable 1.63 refuses it)"
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
	out := slices.Clone(r.m.Vars.RustFiles)
	_ = filepath.WalkDir(filepath.Join(r.root, "src"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".rs") && filepath.Base(p) != "bindings.rs" {
			out = append(out, p)
		}
		return nil
	})
	slices.Sort(out)
	return slices.Compact(out)
}

func (r *reader) rustFile(file string) {
	data, err := readSource(file)
	if err != nil {
		return
	}
	lines := splitLines(data)
	// Lang items first: whether lang_items may go depends on what remains.
	removedPanicInfo := false
	var removed []string // the text of the items removed
	for i := 0; i < len(lines); i++ {
		m := langRE.FindStringSubmatch(lines[i])
		if m == nil || !obsoleteLangItems[m[1]] {
			continue
		}
		end := itemEnd(lines, i)
		if end < 0 {
			continue
		}
		name := m[1]
		if r.keptLang(name, lines, i, end) {
			r.add(file, i+1, fmt.Sprintf("obsolete lang item %q: rustc asks for a #[panic_handler] fn(&core::panic::PanicInfo) -> ! instead, "+
				"and no rustko crate comes with this module to give one (it has no std/ crate to replace); its body does more "+
				"than loop, so migrate leaves it to you: make it a #[panic_handler] (the PanicInfo gives the message, file and "+
				"line), or depend on the rustko crate", name), "", nil)
			i = end
			continue
		}
		body := strings.Join(lines[i:end+1], "\n")
		removed = append(removed, body)
		what := "rustc no longer asks a no_std crate for it (panic=abort has no unwinding)"
		replacement, title := "", fmt.Sprintf("Remove the %s lang item", name)
		switch {
		case isPanicLang(name) && r.rustkoHandler():
			what = "the rustko crate's #[panic_handler] replaces it and prints `<module>: panicked at <file>:<line>: <message>`"
			if strings.Contains(body, ".message()") {
				what += " for every rustc (PanicInfo::message returned Option<&Arguments> behind a feature, a PanicMessage since 1.81)"
				removedPanicInfo = true
			} else if strings.Contains(body, "PanicInfo") {
				removedPanicInfo = true
			}
		case isPanicLang(name):
			// No rustko crate comes, and the body only loops: the same
			// function as the #[panic_handler] rustc asks for.
			fn := "panic"
			if fm := fnNameRE.FindStringSubmatch(body); fm != nil {
				fn = fm[1]
			}
			indent := lines[i][:len(lines[i])-len(strings.TrimLeft(lines[i], " \t"))]
			replacement = indent + "#[panic_handler]\n" + indent + "fn " + fn + "(_info: &core::panic::PanicInfo) -> ! {\n" +
				indent + "    loop {}\n" + indent + "}\n"
			what = "rustc asks for a #[panic_handler] instead (the module has no std/ crate, so no rustko crate comes to give one); " +
				"it does what this one did, loop forever"
			title = fmt.Sprintf("Make %s a #[panic_handler]", fn)
			if strings.Contains(body, "PanicInfo") {
				removedPanicInfo = true
			}
		}
		last := end + 1
		if replacement == "" && last < len(lines) && strings.TrimSpace(lines[last]) == "" {
			last++ // the blank line after it
		}
		edits := []diagnostics.Edit{replaceLines(file, data, i+1, last, replacement)}
		r.add(file, i+1, fmt.Sprintf("obsolete lang item %q: %s", name, what), title, edits)
		i = end
	}
	// A `use ...PanicInfo;` left with nothing to name goes with the handler.
	if removedPanicInfo {
		rest := string(data)
		for _, body := range removed {
			rest = strings.Replace(rest, body, "", 1)
		}
		if strings.Count(rest, "PanicInfo") == 1 {
			for i, l := range lines {
				if strings.HasPrefix(strings.TrimSpace(l), "use ") && strings.Contains(l, "PanicInfo") && strings.HasSuffix(strings.TrimSpace(l), ";") {
					last := i + 1
					if last < len(lines) && strings.TrimSpace(lines[last]) == "" {
						last++
					}
					r.add(file, i+1, "PanicInfo is no longer used once the panic lang item is gone (the rustko crate's handler reads it)",
						"Remove the unused PanicInfo import", []diagnostics.Edit{replaceLines(file, data, i+1, last, "")})
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
				if f == "panic_info_message" && r.messageUsed {
					obsolete = false
				}
				if obsolete || (f == "lang_items" && !r.remainingLang) {
					drop = append(drop, f)
				} else {
					keep = append(keep, f)
				}
			}
			if len(keep) > 0 {
				r.plan.Notes = append(r.plan.Notes, fmt.Sprintf("%s:%d: #![feature(%s)] stays: %s", rel(r.root, file), i+1,
					strings.Join(keep, ", "), keptFeaturesWhy(keep)))
			}
			if len(drop) == 0 {
				continue
			}
			var e diagnostics.Edit
			if len(keep) == 0 {
				e = replaceLines(file, data, i+1, i+1, "")
			} else {
				e = replaceLines(file, data, i+1, i+1, m[1]+"#![feature("+strings.Join(keep, ", ")+")]\n")
			}
			msg := fmt.Sprintf("#![feature(%s)]: rust.ko-era features that rustc removed or no longer needs here; a #![feature] "+
				"at all stops a stable rustc such as Debian's 1.63", strings.Join(drop, ", "))
			if len(keep) > 0 {
				msg += fmt.Sprintf(" (%s stays: it needs a nightly rustc)", strings.Join(keep, ", "))
			}
			r.add(file, i+1, msg, "Remove "+strings.Join(drop, ", "), []diagnostics.Edit{e})
		}
		if r.stdDep != nil {
			if m := externRE.FindStringSubmatch(l); m != nil && (m[2] == r.stdDep.lib || m[2] == r.stdDep.key) {
				repl := m[1] + "extern crate rustko;\n"
				if !regexp.MustCompile(`(?m)^\s*(pub\s+)?mod\s+bindings\s*;`).Match(data) {
					repl += "\n" + m[1] + "// Generated from KERNEL_INCLUDE by `rustko-lsp build`: the kernel's functions,\n" +
						m[1] + "// types and constants as bindings::NAME (they were std::os::kernel).\n" +
						m[1] + "#[allow(dead_code)]\n" + m[1] + "mod bindings;\n"
				}
				r.add(file, i+1,
					fmt.Sprintf("`extern crate %s` is rust.ko's std/ crate: the rustko crate's println!/print! take its place (with #[macro_use], as here), and the kernel bindings are `mod bindings;`", m[2]),
					"Use the rustko crate", []diagnostics.Edit{replaceLines(file, data, i+1, i+1, repl)})
			}
		}
	}
	touched := r.editedLines(file)
	for i, l := range lines {
		if touched[i+1] {
			continue
		}
		switch m := externRE.FindStringSubmatch(l); {
		case strExtRE.MatchString(l):
			touched[i+1] = true
			r.add(file, i+1, "`use core::str::StrExt;`: the trait went with the core_str_ext feature in 2018 "+
				"(str's methods are its own now), so the import names nothing",
				"Remove the StrExt import", []diagnostics.Edit{replaceLines(file, data, i+1, i+1, "")})
		case m != nil && m[2] == "compiler_builtins" && m[4] == "":
			touched[i+1] = true
			r.add(file, i+1, "`extern crate compiler_builtins;` linked the git crate a 2017 nightly needed "+
				"(feature compiler_builtins_lib, since removed); rustko-lsp build's sysroot has its own, which rustc links unasked",
				"Remove the compiler_builtins import", []diagnostics.Edit{replaceLines(file, data, i+1, i+1, "")})
		}
	}
	if r.stdDep != nil && r.stdAlias != "" {
		r.stdPaths(file, data, lines, touched)
	}
}

var strExtRE = regexp.MustCompile(`^\s*use\s+(::)?core::str::StrExt\s*;\s*$`)

// editedLines returns the lines of file (1-based) that an edit planned so
// far replaces or deletes.
func (r *reader) editedLines(file string) map[int]bool {
	out := map[int]bool{}
	for _, f := range r.plan.Findings {
		for _, fix := range f.Fixes {
			for _, e := range fix.Edits {
				if e.File != file {
					continue
				}
				last := e.Range.End.Line
				if e.Range.End.Column == 1 {
					last--
				}
				for n := e.Range.Start.Line; n <= last; n++ {
					out[n] = true
				}
			}
		}
	}
	return out
}

// stdCoreModules are the modules of core that linux-std re-exported
// (std::mem was core::mem) and core still has.
const stdCoreModules = "any|cell|clone|cmp|convert|default|hash|iter|marker|mem|ops|ptr|result|option"

// stdPaths rewrites the paths into the std/ crate, which is no longer a
// dependency: std::os::kernel (the bindings its build.rs generated) and
// std::os::raw (C's types) are the module's own bindings now, and its
// re-exports of core are core's. What has no counterpart (std::io, a fork's
// std::os::errors) is named in the notes.
func (r *reader) stdPaths(file string, data []byte, lines []string, touched map[int]bool) {
	a := regexp.QuoteMeta(r.stdAlias)
	useMod := regexp.MustCompile(`^(\s*(?:pub(?:\([^)]*\))?\s+)?use\s+)(?:::)?` + a + `::os::(kernel|raw)\s*;`)
	osPath := regexp.MustCompile(`(^|[^A-Za-z0-9_:])(?:::)?` + a + `::os::(?:kernel|raw)\b`)
	corePath := regexp.MustCompile(`(^|[^A-Za-z0-9_:])(?:::)?` + a + `::(` + stdCoreModules + `)\b`)
	left := regexp.MustCompile(`(^|[^A-Za-z0-9_:])(?:::)?` + a + `::[A-Za-z_:]*`)
	var edits []diagnostics.Edit
	first, n := 0, 0
	for i, l := range lines {
		if touched[i+1] || externRE.MatchString(l) {
			continue
		}
		code := stripLineComment(l)
		nl := useMod.ReplaceAllString(code, "${1}crate::bindings as $2;")
		nl = osPath.ReplaceAllString(nl, "${1}crate::bindings")
		nl = corePath.ReplaceAllString(nl, "${1}core::$2")
		for _, m := range left.FindAllStringSubmatch(nl, -1) {
			r.plan.Notes = append(r.plan.Notes, fmt.Sprintf("%s:%d: %s stays: the %s crate's %s has no counterpart in rustko "+
				"(the bindings are crate::bindings, printing is the rustko crate's println!/pr_info!); rewrite it by hand",
				rel(r.root, file), i+1, strings.TrimPrefix(m[0], m[1]), r.stdDep.key, strings.TrimPrefix(m[0], m[1])))
		}
		if nl == code {
			continue
		}
		if first == 0 {
			first = i + 1
		}
		n++
		edits = append(edits, replaceLines(file, data, i+1, i+1, nl+l[len(code):]+"\n"))
	}
	if n == 0 {
		return
	}
	r.add(file, first, fmt.Sprintf("paths into the %s crate, which is no longer a dependency, on %d lines: "+
		"%s::os::kernel (the bindings its build.rs generated) and %s::os::raw (C's types) are the module's bindings, "+
		"crate::bindings, which rustko-lsp build generates from KERNEL_INCLUDE; its re-exports of core (%s::mem, %s::ptr...) are core's",
		r.stdDep.key, n, r.stdAlias, r.stdAlias, r.stdAlias, r.stdAlias),
		"Use crate::bindings and core instead of "+r.stdAlias, edits)
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
		r.add(file, i+1, fmt.Sprintf("C shim hack `%s`: %s", strings.TrimSpace(l), why),
			"Remove "+m[1], []diagnostics.Edit{replaceLines(file, data, i+1, i+1, "")})
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
	if d := r.stdDep; d != nil && isDir(filepath.Join(r.root, d.path)) {
		*n = append(*n, fmt.Sprintf("%s/ (the %s crate) is left in place, no longer a dependency: delete it when nothing else needs it", d.path, d.key))
	}
	for _, f := range r.unusedBuildFiles() {
		*n = append(*n, f+" is left in place, no longer used by the build: delete it when you like")
	}
}

// unusedBuildFiles are the files of the xargo build that the module holds
// and rustko-lsp build does not use.
func (r *reader) unusedBuildFiles() []string {
	var out []string
	for _, f := range []string{"kbuild.mk", "Xargo.toml"} {
		if isFile(filepath.Join(r.root, f)) {
			out = append(out, f)
		}
	}
	return out
}

// ---- text helpers ----

func splitLines(data []byte) []string {
	s := strings.TrimSuffix(string(data), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
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
