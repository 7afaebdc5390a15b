package module

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
)

// Manifest is the part of a Cargo.toml rustko reads: the package's name,
// where its library is, its features, and the dependencies and workspace
// members that decide which crates are compiled into the module. Parsed by
// BurntSushi/toml, the TOML reader most Go tools use: Cargo.toml files in
// the wild use every corner of TOML (quoted dotted keys, multi-line arrays,
// inline tables), which a line reader gets wrong.
type Manifest struct {
	Package *struct {
		Name string `toml:"name"`
		// Version is a string, or a table when inherited from the
		// workspace (version.workspace = true).
		Version any `toml:"version"`
	} `toml:"package"`
	Lib struct {
		Path      string   `toml:"path"`
		CrateType []string `toml:"crate-type"`
	} `toml:"lib"`
	Features     map[string][]string `toml:"features"`
	Dependencies map[string]any      `toml:"dependencies"`
	Target       map[string]struct {
		Dependencies map[string]any `toml:"dependencies"`
	} `toml:"target"`
	Workspace *struct {
		Members      []string       `toml:"members"`
		Dependencies map[string]any `toml:"dependencies"`
	} `toml:"workspace"`
}

// Dependency is one entry of [dependencies] or [target.*.dependencies].
type Dependency struct {
	Name            string
	Path            string // as written, relative to the manifest's folder
	Workspace       bool   // `workspace = true`: the path is in [workspace.dependencies]
	Features        []string
	DefaultFeatures bool
}

// ReadManifest reads path; nil, nil when it does not exist. A file that is
// not TOML is an error naming its line, as cargo would refuse it too.
func ReadManifest(path string) (*Manifest, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	var m Manifest
	if _, err := toml.Decode(string(b), &m); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("%s:%d: %s (cargo cannot read it either: fix the file)", path, pe.Position.Line, pe.Message)
		}
		return nil, fmt.Errorf("%s: %w (cargo cannot read it either: fix the file)", path, err)
	}
	return &m, nil
}

// Name is [package] name, "" for a virtual workspace.
func (m *Manifest) Name() string {
	if m == nil || m.Package == nil {
		return ""
	}
	return m.Package.Name
}

// Version is [package] version; "" when there is none or the workspace
// holds it.
func (m *Manifest) Version() string {
	if m == nil || m.Package == nil {
		return ""
	}
	v, _ := m.Package.Version.(string)
	return v
}

// LibPath is the crate root: [lib] path, or cargo's default.
func (m *Manifest) LibPath(dir string) string {
	if m.Lib.Path != "" {
		return filepath.Join(dir, m.Lib.Path)
	}
	return filepath.Join(dir, "src", "lib.rs")
}

// Staticlib says whether the library is built as a static library, the
// kind kbuild links into a module.
func (m *Manifest) Staticlib() bool { return slices.Contains(m.Lib.CrateType, "staticlib") }

// EnabledFeatures expands the requested features (and "default" when
// defaults) through [features]: the set cfg(feature) sees.
func (m *Manifest) EnabledFeatures(requested []string, defaults bool) []string {
	on := map[string]bool{}
	var add func(string)
	add = func(f string) {
		if on[f] || strings.HasPrefix(f, "dep:") || strings.Contains(f, "/") {
			return
		}
		on[f] = true
		for _, g := range m.Features[f] {
			add(g)
		}
	}
	for _, f := range requested {
		add(f)
	}
	if _, ok := m.Features["default"]; ok && defaults {
		add("default")
	}
	return slices.Sorted(maps.Keys(on))
}

// Deps lists the dependencies linked into the crate, by name; build- and
// dev-dependencies are not linked into the module.
func (m *Manifest) Deps() []Dependency {
	var out []Dependency
	add := func(deps map[string]any) {
		for name, v := range deps {
			if spec, ok := v.(map[string]any); ok { // a bare version string has no path
				out = append(out, dependency(name, spec))
			}
		}
	}
	add(m.Dependencies)
	for _, t := range m.Target {
		add(t.Dependencies)
	}
	slices.SortStableFunc(out, func(a, b Dependency) int { return strings.Compare(a.Name, b.Name) })
	return out
}

func dependency(name string, spec map[string]any) Dependency {
	d := Dependency{Name: name, DefaultFeatures: true}
	d.Path, _ = spec["path"].(string)
	d.Workspace, _ = spec["workspace"].(bool)
	if df, ok := spec["default-features"].(bool); ok {
		d.DefaultFeatures = df
	}
	if fs, ok := spec["features"].([]any); ok {
		for _, f := range fs {
			if s, ok := f.(string); ok {
				d.Features = append(d.Features, s)
			}
		}
	}
	return d
}

// WorkspaceDepPath is [workspace.dependencies] name's path.
func (m *Manifest) WorkspaceDepPath(name string) string {
	if m.Workspace == nil {
		return ""
	}
	spec, _ := m.Workspace.Dependencies[name].(map[string]any)
	p, _ := spec["path"].(string)
	return p
}

// Members expands [workspace] members (globs allowed) to the folders
// holding a Cargo.toml.
func (m *Manifest) Members(root string) []string {
	if m.Workspace == nil {
		return nil
	}
	var out []string
	for _, pat := range m.Workspace.Members {
		matches, _ := filepath.Glob(filepath.Join(root, pat))
		for _, p := range matches {
			if isFile(filepath.Join(p, "Cargo.toml")) {
				out = append(out, filepath.Clean(p))
			}
		}
	}
	return out
}

// CrateFile is where findings without a line of their own go: the crate
// root (Cargo.toml's [lib] path, cargo's src/lib.rs by default), or the
// Makefile of a module without one.
func (m *Module) CrateFile() string {
	man, _ := ReadManifest(filepath.Join(m.Root, "Cargo.toml")) // unreadable: cargo's default
	root := filepath.Join(m.Root, "src", "lib.rs")
	if man != nil {
		root = man.LibPath(m.Root)
	}
	if isFile(root) {
		return root
	}
	return filepath.Join(m.Root, "Makefile")
}
