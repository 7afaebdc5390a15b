package server

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// configFingerprint summarises the files that configure a module (size and
// modification time), so a save can tell whether the module must be read
// again even when the client does not watch files (Neovim 0.7) and the file
// was written without a didSave of its own (a quick fix to an unopened
// config.mk, then :wall).
func configFingerprint(p *Project, root string) string {
	var files []string
	for _, f := range configNames {
		files = append(files, filepath.Join(root, f))
	}
	if p != nil && p.Module != nil && p.Module.Vars.Target != "" {
		files = append(files, p.Module.Vars.Target)
	}
	var b strings.Builder
	for _, f := range files {
		if st, err := os.Stat(f); err == nil {
			fmt.Fprintf(&b, "%s %d %d\n", f, st.Size(), st.ModTime().UnixNano())
		} else {
			fmt.Fprintf(&b, "%s -\n", f)
		}
	}
	return b.String()
}

// configChanged reports whether the module's configuration files changed
// since the last load.
func (se *session) configChanged() bool {
	snap := se.current()
	return snap.loaded && snap.fingerprint != configFingerprint(snap.proj, se.root)
}

// readBySources reports whether path is one of the module's C or Rust
// files, which the project findings (the licence) are read from as well as
// the analysis: a change to it reloads the module, as a configuration
// change does.
func (se *session) readBySources(path string) bool {
	snap := se.current()
	return snap.proj != nil && slices.Contains(snap.proj.Sources, path)
}
