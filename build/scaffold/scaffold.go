// Package scaffold owns the rust.ko-style module template: what
// `rustko-lsp new NAME` writes, and the single source of examples/hello
// (a test regenerates the example from it and fails on any drift).
package scaffold

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/rustko/rustko-lsp/crates/rustko"
	"github.com/rustko/rustko-lsp/targets"
)

//go:embed all:template
var templateFS embed.FS

// placeholder is replaced by the module's name in every template file.
const placeholder = "{{.Name}}"

// CrateDir is where a module keeps its copy of the rustko crate (the
// template's Cargo.toml names it as a path dependency).
const CrateDir = "rustko"

// Target is the target specification the template ships (TARGET in its
// Makefile). rustko renders it for the toolchain in use when building.
const Target = "x86_64-unknown-none-gnu"

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// reserved are names that would clash with a crate every module links
// (core), with Rust keywords, or with kbuild's own objects.
var reserved = map[string]bool{
	"core": true, "std": true, "alloc": true, "compiler_builtins": true, "proc_macro": true, "test": true,
	"self": true, "super": true, "crate": true, "fn": true, "mod": true, "struct": true, "type": true,
	"bindings": true, "vmlinux": true,
}

// ValidName reports why name cannot name a module, or nil. The name is the
// .ko's, the Cargo package's and a C identifier prefix, so it must suit all
// three.
func ValidName(name string) error {
	switch {
	case !nameRE.MatchString(name):
		return fmt.Errorf("module name %q: use lower-case letters, digits and _, starting with a letter (it names the .ko, the Cargo package and C functions)", name)
	case reserved[name]:
		return fmt.Errorf("module name %q clashes with a Rust crate or keyword; pick another", name)
	}
	return nil
}

// Files returns the module's files for name: slash-separated path relative
// to the module root -> content.
func Files(name string) (map[string][]byte, error) {
	if err := ValidName(name); err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	err := fs.WalkDir(templateFS, "template", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := templateFS.ReadFile(p)
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(p, "template/")
		switch rel {
		case "gitignore": // a dotfile in the embedded tree would need care everywhere
			rel = ".gitignore"
		case "src/shim.c":
			rel = "src/" + name + ".c"
		}
		files[rel] = []byte(strings.ReplaceAll(string(data), placeholder, name))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the embedded module template: %w", err)
	}
	crate, err := rustko.Files()
	if err != nil {
		return nil, fmt.Errorf("reading the embedded rustko crate: %w", err)
	}
	for rel, data := range crate {
		files[CrateDir+"/"+rel] = data
	}
	spec := targets.Data(Target)
	if spec == nil {
		return nil, fmt.Errorf("the embedded target specification %s is missing; this rustko-lsp build is broken", Target)
	}
	files[Target+".json"] = spec
	return files, nil
}

// Write creates a module called name in dir, which must not exist or be
// empty, and returns the files it wrote (absolute, sorted).
func Write(dir, name string) ([]string, error) {
	files, err := Files(name)
	if err != nil {
		return nil, err
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("%s already exists and is not empty; choose a new folder for the module", dir)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("checking %s: %w", dir, err)
	}
	var written []string
	for _, rel := range slices.Sorted(maps.Keys(files)) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return written, fmt.Errorf("creating %s: %w", filepath.Dir(p), err)
		}
		if err := os.WriteFile(p, files[rel], 0o644); err != nil {
			return written, fmt.Errorf("writing %s: %w", p, err)
		}
		written = append(written, p)
	}
	return written, nil
}
