// Package rustko embeds the rustko runtime crate (this folder's Cargo.toml,
// build.rs, src/ and c/) so that `rustko-lsp new` writes it into every new
// module: the module builds offline, and moves or is committed as a whole.
package rustko

import (
	"embed"
	"io/fs"
)

//go:embed Cargo.toml build.rs src c
var files embed.FS

// Files returns the crate's files: slash-separated path relative to the
// crate root -> content.
func Files() (map[string][]byte, error) {
	out := map[string][]byte{}
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		out[p] = data
		return nil
	})
	return out, err
}
