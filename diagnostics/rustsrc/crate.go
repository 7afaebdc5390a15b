package rustsrc

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/rustko/rustko-lsp/diagnostics/rustsrc/internal/syntax"
	"github.com/rustko/rustko-lsp/module"
)

// Sources is every source file the module's build compiles, as the CLI's
// check and the server analyse them: the Rust files of each crate linked
// into the module (the package's library, its path dependencies and the
// workspace crates it depends on, rust.ko's std/ among them) reached from
// the crate root through `mod` declarations, and the C files kbuild links.
type Sources struct {
	Rust []string // absolute; crate roots and their modules first, then RUST_FILES the walk did not reach
	C    []string // absolute; C_FILES, then the objects Kbuild or the Makefile list for the module
	cfg  map[string]*CfgSet
	root *CfgSet // the package's own cfg set, for files outside every crate
}

// Files is every file, C first, for the readers that look at both
// (module.ReadLicense).
func (s *Sources) Files() []string {
	if s == nil {
		return nil
	}
	return append(append([]string(nil), s.C...), s.Rust...)
}

// Cfg is the cfg set the build compiles path with (its crate's features),
// or the package's own for a file outside the walk.
func (s *Sources) Cfg(path string) *CfgSet {
	if s == nil {
		return nil
	}
	if c := s.cfg[path]; c != nil {
		return c
	}
	return s.root
}

// ModuleSources walks the module's crates and kbuild lists. Files that
// cannot be read are left out (a `mod` naming a missing file is rustc's
// error to report); only a Cargo.toml that exists and cannot be read
// fails it.
func ModuleSources(m *module.Module) (*Sources, error) {
	s := &Sources{cfg: map[string]*CfgSet{}}
	targetOS := specOS(m.Vars.Target)
	seen := map[string]bool{}
	disabled := map[string]bool{}
	addRust := func(p string, c *CfgSet) {
		if !seen[p] && !disabled[p] {
			seen[p] = true
			s.Rust = append(s.Rust, p)
			s.cfg[p] = c
		}
	}
	crates, err := moduleCrates(m.Root)
	if err != nil {
		return nil, err
	}
	for i, c := range crates {
		set := kernelCfg(targetOS, c.features)
		if i == 0 {
			s.root = set
		}
		walkCrate(c.lib, set, func(p string, c *CfgSet) {
			delete(disabled, p) // another mod declaration compiles it in
			addRust(p, c)
		}, func(p string) {
			if !seen[p] {
				disabled[filepath.Clean(p)] = true
			}
		})
	}
	if s.root == nil {
		s.root = kernelCfg(targetOS, nil)
	}
	for _, p := range m.Vars.RustFiles {
		addRust(filepath.Clean(p), s.root)
	}
	s.C = kbuildCFiles(m)
	// rustko-lsp build links the rustko crate's C half (its kmalloc, BUG
	// and module-name functions) into every module that depends on it, so
	// the crate's extern declarations are defined there.
	for _, c := range crates {
		rt := filepath.Join(c.dir, "c", "rustko_rt.c")
		if t, _ := readCargo(filepath.Join(c.dir, "Cargo.toml")); t != nil && t.tables["package"]["name"] == `"rustko"` && isFile(rt) && !slices.Contains(s.C, rt) {
			s.C = append(s.C, rt)
		}
	}
	return s, nil
}

// specOS is the target spec's "os" ("none" for rust.ko's spec); "" when
// there is no spec (the mode, and so the OS, is chosen at build time).
func specOS(path string) string {
	if path == "" {
		return ""
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	var spec struct {
		OS *string `json:"os"`
	}
	if json.Unmarshal(b, &spec) != nil {
		return ""
	}
	if spec.OS == nil {
		return "none" // rustc's default for a custom spec
	}
	return *spec.OS
}

// crateInfo is one crate compiled into the module.
type crateInfo struct {
	dir      string
	lib      string // the crate root file
	features []string
}

// moduleCrates lists the package at root and, transitively, its path
// dependencies ([dependencies], [target.*.dependencies], `workspace = true`
// through [workspace.dependencies]); build- and dev-dependencies are not
// linked into the module. A virtual workspace contributes its staticlib
// members. The package comes first.
func moduleCrates(root string) ([]crateInfo, error) {
	top, err := readCargo(filepath.Join(root, "Cargo.toml"))
	if err != nil {
		return nil, err
	}
	if top == nil {
		return []crateInfo{{dir: root, lib: filepath.Join(root, "src", "lib.rs"), features: nil}}, nil
	}
	var out []crateInfo
	done := map[string]int{}
	var visit func(dir string, t *cargoToml, requested []string, defaults bool)
	visit = func(dir string, t *cargoToml, requested []string, defaults bool) {
		if i, ok := done[dir]; ok {
			// Cargo unifies features: a second dependent adds its own.
			out[i].features = t.features(append(out[i].features, requested...), false)
			return
		}
		done[dir] = len(out)
		out = append(out, crateInfo{dir: dir, lib: t.libPath(dir), features: t.features(requested, defaults)})
		for _, d := range t.deps() {
			p := d.path
			if d.workspace && p == "" {
				p = top.workspaceDepPath(d.name)
				if p != "" {
					p = filepath.Join(root, p)
				}
			} else if p != "" {
				p = filepath.Join(dir, p)
			}
			if p == "" {
				continue
			}
			dt, err := readCargo(filepath.Join(p, "Cargo.toml"))
			if err != nil || dt == nil || isRustkoRuntime(p, dt) {
				continue
			}
			visit(filepath.Clean(p), dt, d.features, d.defaults)
		}
	}
	if t := top; t.has("package") {
		visit(root, t, nil, true)
		return out, nil
	}
	for _, mem := range top.members(root) {
		mt, err := readCargo(filepath.Join(mem, "Cargo.toml"))
		if err == nil && mt != nil && mt.staticlib() {
			visit(mem, mt, nil, true)
		}
	}
	return out, nil
}

// isRustkoRuntime recognises the copy of rustko's runtime crate that
// `rustko-lsp new` puts into a module (package rustko with its C half
// c/rustko_rt.c, which build links): rustko's code, like the generated
// bindings, not the author's, so not analysed.
func isRustkoRuntime(dir string, t *cargoToml) bool {
	return t.str("package", "name") == "rustko" && isFile(filepath.Join(dir, "c", "rustko_rt.c"))
}

// walkCrate follows `mod` declarations from a crate root, skipping those
// the cfg set compiles out.
func walkCrate(rootFile string, cfg *CfgSet, add func(string, *CfgSet), off func(string)) {
	type job struct {
		file string
		dir  string // where its out-of-line child modules live
	}
	queue := []job{{rootFile, filepath.Dir(rootFile)}}
	visited := map[string]bool{}
	for len(queue) > 0 {
		j := queue[0]
		queue = queue[1:]
		j.file = filepath.Clean(j.file)
		if visited[j.file] {
			continue
		}
		visited[j.file] = true
		src, err := os.ReadFile(j.file)
		if err != nil {
			continue
		}
		t, err := syntax.ParseTree(syntax.Rust, src)
		if err != nil {
			continue
		}
		add(j.file, cfg)
		var walk func(n *syntax.Node, dir, pathDir string)
		// dir: where `mod x;` finds x.rs / x/mod.rs; pathDir: what
		// #[path] is relative to (the file's folder at the top level).
		walk = func(n *syntax.Node, dir, pathDir string) {
			for _, c := range n.Children {
				if c.Kind == "declaration_list" || c.Kind == "source_file" {
					walk(c, dir, pathDir)
					continue
				}
				if c.Kind != "mod_item" {
					continue
				}
				name := c.ChildByField("name").Text()
				if name == "" {
					continue
				}
				p := attrValue(c, "path")
				body := c.ChildByField("body")
				if cfgOff(c, cfg) {
					if body == nil {
						// Compiled out: not analysed even when RUST_FILES
						// lists it (src/*.rs takes every file).
						if p != "" {
							off(filepath.Join(pathDir, p))
						} else {
							off(filepath.Join(dir, name+".rs"))
							off(filepath.Join(dir, name, "mod.rs"))
						}
					}
					continue
				}
				if body != nil {
					// Inline module: its children live one folder down, and
					// so do #[path]s inside it.
					sub := filepath.Join(dir, name)
					if p != "" {
						sub = filepath.Join(pathDir, p)
					}
					walk(body, sub, sub)
					continue
				}
				if p != "" {
					f := filepath.Join(pathDir, p)
					// A #[path] file owns its folder, like a mod.rs.
					queue = append(queue, job{f, filepath.Dir(f)})
					continue
				}
				if f := filepath.Join(dir, name+".rs"); isFile(f) {
					queue = append(queue, job{f, filepath.Join(dir, name)})
				} else if f := filepath.Join(dir, name, "mod.rs"); isFile(f) {
					queue = append(queue, job{f, filepath.Join(dir, name)})
				}
			}
		}
		walk(t.Root, j.dir, filepath.Dir(j.file))
	}
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// kbuildCFiles is C_FILES plus the .c files behind the objects Kbuild or
// the Makefile links into the module (<name>-objs, <name>-y, and obj-m's
// own object for a one-file module). Lists spelled with make functions are
// rust.ko's C_FILES again and add nothing.
func kbuildCFiles(m *module.Module) []string {
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		p = filepath.Clean(p)
		if !seen[p] && isFile(p) {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, c := range m.Vars.CFiles {
		add(c)
	}
	for _, name := range []string{"Kbuild", "Makefile", "kbuild.mk"} {
		b, err := os.ReadFile(filepath.Join(m.Root, name))
		if err != nil {
			continue
		}
		for _, line := range joinContinuations(string(b)) {
			lhs, rhs, ok := cutAssignment(line)
			if !ok {
				continue
			}
			if !strings.HasSuffix(lhs, "-objs") && !strings.HasSuffix(lhs, "-y") && lhs != "obj-m" && lhs != "obj-y" {
				continue
			}
			for _, w := range strings.Fields(rhs) {
				if strings.Contains(w, "$") || !strings.HasSuffix(w, ".o") {
					continue
				}
				// A composite module's own object (obj-m := hello.o with
				// hello-objs) has no .c: add keeps only files that exist.
				add(filepath.Join(m.Root, strings.TrimSuffix(w, ".o")+".c"))
			}
		}
	}
	return out
}

func joinContinuations(s string) []string {
	s = strings.ReplaceAll(s, "\\\n", " ")
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if i := strings.IndexByte(l, '#'); i >= 0 {
			l = l[:i]
		}
		out = append(out, l)
	}
	return out
}

// cutAssignment splits `name := value` (=, :=, ::=, +=, ?=).
func cutAssignment(line string) (string, string, bool) {
	i := strings.IndexByte(line, '=')
	if i <= 0 {
		return "", "", false
	}
	lhs := strings.TrimRight(strings.TrimSpace(line[:i]), ":+?")
	lhs = strings.TrimSpace(lhs)
	if lhs == "" || strings.ContainsAny(lhs, " \t$") {
		return "", "", false
	}
	return lhs, line[i+1:], true
}

// cargoToml is the part of a Cargo.toml the walk needs: each table's
// key = value lines, values kept as TOML text.
type cargoToml struct {
	tables map[string]map[string]string
}

// readCargo reads path; nil, nil when it does not exist.
func readCargo(path string) (*cargoToml, error) {
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return parseCargo(string(b)), nil
}

// parseCargo reads TOML tables and key/value pairs; arrays and inline
// tables may span lines (brackets are balanced outside strings).
func parseCargo(src string) *cargoToml {
	t := &cargoToml{tables: map[string]map[string]string{"": {}}}
	cur := ""
	lines := strings.Split(src, "\n")
	for i := 0; i < len(lines); i++ {
		l := strings.TrimSpace(stripTomlComment(lines[i]))
		if l == "" {
			continue
		}
		if strings.HasPrefix(l, "[") && !strings.HasPrefix(l, "[[") {
			cur = normalizeTomlKey(strings.Trim(l, "[] "))
			if t.tables[cur] == nil {
				t.tables[cur] = map[string]string{}
			}
			continue
		}
		if strings.HasPrefix(l, "[[") {
			cur = "\x00array" // arrays of tables ([[bin]]) are not needed
			continue
		}
		k, v, ok := strings.Cut(l, "=")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		for depth(v) > 0 && i+1 < len(lines) {
			i++
			v += " " + strings.TrimSpace(stripTomlComment(lines[i]))
		}
		key := normalizeTomlKey(strings.TrimSpace(k))
		table, sub := cur, key
		// dotted keys: std.path = "std" under [dependencies]
		if j := strings.LastIndexByte(key, '.'); j > 0 {
			table = strings.TrimPrefix(cur+"."+key[:j], ".")
			sub = key[j+1:]
		}
		if t.tables[table] == nil {
			t.tables[table] = map[string]string{}
		}
		t.tables[table][sub] = v
	}
	return t
}

func stripTomlComment(l string) string {
	in := byte(0)
	for i := 0; i < len(l); i++ {
		switch c := l[i]; {
		case in != 0:
			if c == '\\' && in == '"' {
				i++
			} else if c == in {
				in = 0
			}
		case c == '"' || c == '\'':
			in = c
		case c == '#':
			return l[:i]
		}
	}
	return l
}

// depth is how many brackets/braces v leaves open.
func depth(v string) int {
	d := 0
	in := byte(0)
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case in != 0:
			if c == '\\' && in == '"' {
				i++
			} else if c == in {
				in = 0
			}
		case c == '"' || c == '\'':
			in = c
		case c == '[' || c == '{':
			d++
		case c == ']' || c == '}':
			d--
		}
	}
	return d
}

// normalizeTomlKey unquotes each part of a dotted key:
// target.'cfg(unix)'.dependencies stays three parts.
func normalizeTomlKey(k string) string {
	var parts []string
	for k != "" {
		k = strings.TrimSpace(k)
		if k[0] == '"' || k[0] == '\'' {
			end := strings.IndexByte(k[1:], k[0])
			if end < 0 {
				parts = append(parts, k)
				break
			}
			parts = append(parts, strings.ReplaceAll(k[1:1+end], ".", "\x01"))
			k = strings.TrimPrefix(strings.TrimSpace(k[end+2:]), ".")
			continue
		}
		p, rest, _ := strings.Cut(k, ".")
		parts = append(parts, strings.TrimSpace(p))
		k = rest
	}
	return strings.Join(parts, ".")
}

func (t *cargoToml) has(table string) bool { return t.tables[table] != nil }

func (t *cargoToml) str(table, key string) string {
	return tomlString(t.tables[table][key])
}

func tomlString(v string) string {
	v = strings.TrimSpace(v)
	if len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
		return v[1 : len(v)-1]
	}
	if s, err := strconv.Unquote(v); err == nil && strings.HasPrefix(v, `"`) {
		return s
	}
	return ""
}

// tomlArray reads an array of strings.
func tomlArray(v string) []string {
	v = strings.TrimSpace(v)
	if !strings.HasPrefix(v, "[") || !strings.HasSuffix(v, "]") {
		return nil
	}
	var out []string
	for _, e := range splitTopLevel(v[1 : len(v)-1]) {
		if s := tomlString(e); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// tomlInline reads { key = value, ... }.
func tomlInline(v string) map[string]string {
	v = strings.TrimSpace(v)
	if !strings.HasPrefix(v, "{") || !strings.HasSuffix(v, "}") {
		return nil
	}
	out := map[string]string{}
	for _, e := range splitTopLevel(v[1 : len(v)-1]) {
		if k, val, ok := strings.Cut(e, "="); ok {
			out[normalizeTomlKey(strings.TrimSpace(k))] = strings.TrimSpace(val)
		}
	}
	return out
}

func splitTopLevel(s string) []string {
	var out []string
	start, d := 0, 0
	in := byte(0)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case in != 0:
			if c == '\\' && in == '"' {
				i++
			} else if c == in {
				in = 0
			}
		case c == '"' || c == '\'':
			in = c
		case c == '[' || c == '{':
			d++
		case c == ']' || c == '}':
			d--
		case c == ',' && d == 0:
			out = append(out, strings.TrimSpace(s[start:i]))
			start = i + 1
		}
	}
	if rest := strings.TrimSpace(s[start:]); rest != "" {
		out = append(out, rest)
	}
	return out
}

func (t *cargoToml) libPath(dir string) string {
	if p := t.str("lib", "path"); p != "" {
		return filepath.Join(dir, p)
	}
	return filepath.Join(dir, "src", "lib.rs")
}

func (t *cargoToml) staticlib() bool {
	return slices.Contains(tomlArray(t.tables["lib"]["crate-type"]), "staticlib")
}

// features expands the requested features (and "default" when defaults)
// through [features]: the enabled set as cfg(feature) sees it.
func (t *cargoToml) features(requested []string, defaults bool) []string {
	table := t.tables["features"]
	on := map[string]bool{}
	var add func(string)
	add = func(f string) {
		if on[f] || strings.HasPrefix(f, "dep:") || strings.Contains(f, "/") {
			return
		}
		on[f] = true
		for _, g := range tomlArray(table[f]) {
			add(g)
		}
	}
	for _, f := range requested {
		add(f)
	}
	if defaults {
		if _, ok := table["default"]; ok {
			add("default")
		}
	}
	out := make([]string, 0, len(on))
	for f := range on {
		out = append(out, f)
	}
	slices.Sort(out)
	return out
}

type cargoDep struct {
	name      string
	path      string
	workspace bool
	features  []string
	defaults  bool
}

// deps lists the dependencies linked into the crate.
func (t *cargoToml) deps() []cargoDep {
	var out []cargoDep
	tables := make([]string, 0, len(t.tables))
	for name := range t.tables {
		tables = append(tables, name)
	}
	slices.Sort(tables)
	for _, name := range tables {
		parts := strings.Split(name, ".")
		switch {
		case name == "dependencies":
			for k, v := range t.tables[name] {
				if strings.Contains(k, ".") {
					continue
				}
				if in := tomlInline(v); in != nil {
					out = append(out, depFrom(k, in))
				}
			}
		case len(parts) == 2 && parts[0] == "dependencies":
			out = append(out, depFrom(parts[1], t.tables[name]))
		case len(parts) == 3 && parts[0] == "target" && parts[2] == "dependencies":
			for k, v := range t.tables[name] {
				if in := tomlInline(v); in != nil {
					out = append(out, depFrom(k, in))
				}
			}
		case len(parts) == 4 && parts[0] == "target" && parts[2] == "dependencies":
			out = append(out, depFrom(parts[3], t.tables[name]))
		}
	}
	slices.SortFunc(out, func(a, b cargoDep) int { return strings.Compare(a.name, b.name) })
	return out
}

func depFrom(name string, kv map[string]string) cargoDep {
	d := cargoDep{name: name, path: tomlString(kv["path"]), workspace: strings.TrimSpace(kv["workspace"]) == "true",
		features: tomlArray(kv["features"]), defaults: strings.TrimSpace(kv["default-features"]) != "false"}
	return d
}

func (t *cargoToml) workspaceDepPath(name string) string {
	if in := tomlInline(t.tables["workspace.dependencies"][name]); in != nil {
		return tomlString(in["path"])
	}
	return t.str("workspace.dependencies."+name, "path")
}

// members expands [workspace] members (globs allowed).
func (t *cargoToml) members(root string) []string {
	var out []string
	for _, m := range tomlArray(t.tables["workspace"]["members"]) {
		matches, _ := filepath.Glob(filepath.Join(root, m))
		for _, p := range matches {
			if isFile(filepath.Join(p, "Cargo.toml")) {
				out = append(out, filepath.Clean(p))
			}
		}
	}
	return out
}
