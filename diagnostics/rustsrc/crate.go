package rustsrc

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
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
// (ReadLicense).
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
		// rust.ko's RUST_FILES are make prerequisites, which may name
		// Cargo.lock or a file since removed: only Rust files that are
		// there are sources. One there but unreadable (a dangling link,
		// no permission) stays, so that reading it says so.
		if st, err := os.Lstat(p); err == nil && !st.IsDir() && strings.HasSuffix(p, ".rs") {
			addRust(filepath.Clean(p), s.root)
		}
	}
	s.C = kbuildCFiles(m)
	// rustko-lsp build links the rustko crate's C half (its kmalloc, BUG
	// and module-name functions) into every module that depends on it, so
	// the crate's extern declarations are defined there.
	for _, c := range crates {
		rt := filepath.Join(c.dir, "c", "rustko_rt.c")
		if t, _ := module.ReadManifest(filepath.Join(c.dir, "Cargo.toml")); isRustkoRuntime(c.dir, t) && !slices.Contains(s.C, rt) {
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
	top, err := module.ReadManifest(filepath.Join(root, "Cargo.toml"))
	if err != nil {
		return nil, err
	}
	if top == nil {
		return []crateInfo{{dir: root, lib: filepath.Join(root, "src", "lib.rs"), features: nil}}, nil
	}
	var out []crateInfo
	done := map[string]int{}
	var visit func(dir string, t *module.Manifest, requested []string, defaults bool)
	visit = func(dir string, t *module.Manifest, requested []string, defaults bool) {
		if i, ok := done[dir]; ok {
			// Cargo unifies features: a second dependent adds its own.
			out[i].features = t.EnabledFeatures(append(out[i].features, requested...), false)
			return
		}
		done[dir] = len(out)
		out = append(out, crateInfo{dir: dir, lib: t.LibPath(dir), features: t.EnabledFeatures(requested, defaults)})
		for _, d := range t.Deps() {
			p := d.Path
			if d.Workspace && p == "" {
				p = top.WorkspaceDepPath(d.Name)
				if p != "" {
					p = filepath.Join(root, p)
				}
			} else if p != "" {
				p = filepath.Join(dir, p)
			}
			if p == "" {
				continue
			}
			dt, err := module.ReadManifest(filepath.Join(p, "Cargo.toml"))
			if err != nil || dt == nil || isRustkoRuntime(p, dt) {
				continue
			}
			visit(filepath.Clean(p), dt, d.Features, d.DefaultFeatures)
		}
	}
	if top.Package != nil {
		visit(root, top, nil, true)
		return out, nil
	}
	for _, mem := range top.Members(root) {
		mt, err := module.ReadManifest(filepath.Join(mem, "Cargo.toml"))
		if err == nil && mt != nil && mt.Staticlib() {
			visit(mem, mt, nil, true)
		}
	}
	return out, nil
}

// isRustkoRuntime recognises the copy of rustko's runtime crate that
// `rustko-lsp new` puts into a module (package rustko with its C half
// c/rustko_rt.c, which build links): rustko's code, like the generated
// bindings, not the author's, so not analysed.
func isRustkoRuntime(dir string, t *module.Manifest) bool {
	return t.Name() == "rustko" && isFile(filepath.Join(dir, "c", "rustko_rt.c"))
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
		if !mayDeclareModFile(src) {
			add(j.file, cfg) // nothing to follow: no parse needed
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
