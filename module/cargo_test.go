package module

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestReadManifest(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		pkg       string
		deps      []string // name=path
		err       string
	}{
		{"rust.ko std as a path dependency", `[package]
name = "hello"
[dependencies]
std = { path = "std" }
log = "0.4"
[target.'cfg(target_os = "none")'.dependencies.alloc2]
path = "alloc2"
`, "hello", []string{"alloc2=alloc2", "std=std"}, ""},
		{"multi-line inline arrays and quoted keys", "[package]\n\"name\" = 'quoted'\n[features]\ndefault = [\n  \"a\", # comment\n]\na = []\n", "quoted", nil, ""},
		{"virtual workspace", "[workspace]\nmembers = [\"crates/*\"]\n", "", nil, ""},
		{"version from the workspace", "[package]\nname = \"w\"\nversion.workspace = true\n", "w", nil, ""},
		{"not TOML", "[package]\nname = \"x\"\nname = \"y\"\n", "", nil, "Cargo.toml:3: "},
		{"unterminated string", "[package]\nname = \"x\nversion = 1\n", "", nil, "Cargo.toml:2: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "Cargo.toml")
			if err := os.WriteFile(path, []byte(tc.src), 0o644); err != nil {
				t.Fatal(err)
			}
			m, err := ReadManifest(path)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.Name() != tc.pkg {
				t.Errorf("name %q, want %q", m.Name(), tc.pkg)
			}
			var deps []string
			for _, d := range m.Deps() {
				deps = append(deps, d.Name+"="+d.Path)
			}
			if !slices.Equal(deps, tc.deps) {
				t.Errorf("deps %q, want %q", deps, tc.deps)
			}
		})
	}
	if m, err := ReadManifest(filepath.Join(t.TempDir(), "missing.toml")); m != nil || err != nil {
		t.Errorf("a missing manifest: %v %v, want nil, nil", m, err)
	}
}

// Whatever a Cargo.toml holds, reading it and asking the walk's questions
// never panics (values of unexpected types are ignored).
func FuzzManifest(f *testing.F) {
	f.Add("[package]\nname = \"m\"\n[dependencies]\na = { path = \"a\", features = [\"x\", 1], default-features = \"no\" }\n[features]\ndefault = [\"a\"]\n")
	f.Add("[workspace]\nmembers = [\"*\"]\n[workspace.dependencies]\nb = 3\n")
	f.Add("[target.x.dependencies]\nc = [1]\n")
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, src string) {
		path := filepath.Join(dir, "Cargo.toml")
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		m, err := ReadManifest(path)
		if err != nil || m == nil {
			return
		}
		_ = m.Name()
		_ = m.LibPath(dir)
		_ = m.Staticlib()
		_ = m.EnabledFeatures([]string{"default"}, true)
		for _, d := range m.Deps() {
			_ = m.WorkspaceDepPath(d.Name)
		}
		_ = m.Members(dir)
	})
}

func TestCrateFile(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"cargo's default", map[string]string{"Cargo.toml": "[package]\nname = \"m\"\n", "src/lib.rs": ""}, "src/lib.rs"},
		{"lib path", map[string]string{"Cargo.toml": "[package]\nname = \"m\"\n[lib]\npath = \"rust/m.rs\"\n", "rust/m.rs": "", "src/lib.rs": ""}, "rust/m.rs"},
		{"no crate root", map[string]string{"Cargo.toml": "[package]\nname = \"m\"\n"}, "Makefile"},
		{"no Cargo.toml", map[string]string{"src/lib.rs": ""}, "src/lib.rs"},
		{"Cargo.toml that is not TOML", map[string]string{"Cargo.toml": "[lib\n", "src/lib.rs": ""}, "src/lib.rs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			for name, text := range tc.files {
				p := filepath.Join(root, name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if got := (&Module{Root: root}).CrateFile(); got != filepath.Join(root, tc.want) {
				t.Errorf("CrateFile() = %s, want %s", got, tc.want)
			}
		})
	}
}
