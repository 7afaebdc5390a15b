package migrate

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"syscall"

	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/internal/safewrite"
)

// Result is what Apply wrote.
type Result struct {
	Changed []string // existing files edited, absolute
	Created []string // new files, absolute
}

// Contents returns each file the plan touches with its content after every
// edit; new files are marked in created.
func (p *Plan) Contents() (files map[string][]byte, created map[string]bool, err error) {
	byFile := map[string][]diagnostics.Edit{}
	for _, f := range p.Findings {
		for _, fix := range f.Fixes {
			for _, e := range fix.Edits {
				byFile[e.File] = append(byFile[e.File], e)
			}
		}
	}
	files, created = map[string][]byte{}, map[string]bool{}
	for file, edits := range byFile {
		data, err := os.ReadFile(file)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			created[file] = true
		case err != nil:
			return nil, nil, fmt.Errorf("reading %s: %w", file, err)
		}
		out, err := applyEdits(data, edits)
		if err != nil {
			return nil, nil, fmt.Errorf("editing %s: %w", file, err)
		}
		files[file] = out
	}
	return files, created, nil
}

// Apply writes every change of the plan, or none: each destination is
// checked first (inside the module, a regular file, writable: a read-only
// file stops the migration before anything is written), then every new
// content goes to a temporary file beside its destination, and only when all
// of them are written are they renamed into place.
func (p *Plan) Apply() (*Result, error) {
	files, created, err := p.Contents()
	if err != nil {
		return nil, err
	}
	names := slices.Sorted(maps.Keys(files))

	type pending struct{ dst, tmp string }
	var todo []pending
	var newDirs []string
	cleanup := func() {
		for _, t := range todo {
			os.Remove(t.tmp)
		}
		for i := len(newDirs) - 1; i >= 0; i-- {
			os.Remove(newDirs[i])
		}
	}
	// Check every destination before writing anything.
	dsts := map[string]string{}
	for _, f := range names {
		dst, err := safewrite.Check(p.Root, f, nil)
		if err != nil {
			return nil, err
		}
		if !created[f] {
			st, err := os.Stat(dst)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			if st.Mode().Perm()&0o222 == 0 || syscall.Access(dst, 2 /* W_OK */) != nil {
				return nil, fmt.Errorf("%s is read-only: nothing was changed (make it writable, e.g. chmod u+w, and run migrate again)", rel(p.Root, f))
			}
		}
		dir := filepath.Dir(dst)
		if missing := missingDirs(dir); len(missing) > 0 {
			dir = filepath.Dir(missing[0]) // the folder the missing ones go in
		}
		if syscall.Access(dir, 2) != nil {
			return nil, fmt.Errorf("cannot write into %s: nothing was changed", dir)
		}
		dsts[f] = dst
	}
	for _, f := range names {
		dst := dsts[f]
		dir := filepath.Dir(dst)
		for _, d := range missingDirs(dir) {
			if err := os.Mkdir(d, 0o755); err != nil {
				cleanup()
				return nil, fmt.Errorf("creating %s: %w (nothing was changed)", d, err)
			}
			newDirs = append(newDirs, d)
		}
		tmp, err := os.CreateTemp(dir, "."+filepath.Base(dst)+".migrate*")
		if err != nil {
			cleanup()
			return nil, fmt.Errorf("writing %s: %w (nothing was changed)", f, err)
		}
		todo = append(todo, pending{dst, tmp.Name()})
		mode := fs.FileMode(0o644)
		if st, err := os.Stat(dst); err == nil {
			mode = st.Mode().Perm()
		}
		_, werr := tmp.Write(files[f])
		cerr := tmp.Close()
		if err := errors.Join(werr, cerr, os.Chmod(tmp.Name(), mode)); err != nil {
			cleanup()
			return nil, fmt.Errorf("writing %s: %w (nothing was changed)", f, err)
		}
	}
	res := &Result{}
	for i, t := range todo {
		if err := os.Rename(t.tmp, t.dst); err != nil {
			for _, rest := range todo[i:] {
				os.Remove(rest.tmp)
			}
			return res, fmt.Errorf("replacing %s: %w (the files listed before it were written)", t.dst, err)
		}
		f := names[i]
		if created[f] {
			res.Created = append(res.Created, f)
		} else {
			res.Changed = append(res.Changed, f)
		}
	}
	return res, nil
}

// missingDirs lists the folders to create for dir, outermost first.
func missingDirs(dir string) []string {
	var out []string
	for {
		if _, err := os.Stat(dir); err == nil {
			break
		}
		out = append([]string{dir}, out...)
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return out
}

func rel(root, p string) string {
	if r, err := filepath.Rel(root, p); err == nil {
		return r
	}
	return p
}

// applyEdits applies non-overlapping edits given in 1-based line and byte
// column positions.
func applyEdits(data []byte, edits []diagnostics.Edit) ([]byte, error) {
	type span struct {
		s, e int
		text string
	}
	spans := make([]span, 0, len(edits))
	for _, e := range edits {
		s, err := offset(data, e.Range.Start)
		if err != nil {
			return nil, err
		}
		end, err := offset(data, e.Range.End)
		if err != nil {
			return nil, err
		}
		if end < s {
			return nil, fmt.Errorf("edit ends before it starts at line %d", e.Range.Start.Line)
		}
		spans = append(spans, span{s, end, e.NewText})
	}
	sort.SliceStable(spans, func(i, j int) bool { return spans[i].s < spans[j].s })
	var out []byte
	at := 0
	for _, sp := range spans {
		if sp.s < at {
			return nil, fmt.Errorf("overlapping edits at byte %d", sp.s)
		}
		out = append(out, data[at:sp.s]...)
		out = append(out, sp.text...)
		at = sp.e
	}
	return append(out, data[at:]...), nil
}

func offset(data []byte, p diagnostics.Position) (int, error) {
	line, off := 1, 0
	for line < p.Line {
		i := bytes.IndexByte(data[off:], '\n')
		if i < 0 {
			return 0, fmt.Errorf("line %d is past the end of the file", p.Line)
		}
		off += i + 1
		line++
	}
	off += p.Column - 1
	if off > len(data) {
		return 0, fmt.Errorf("position %d:%d is past the end of the file", p.Line, p.Column)
	}
	return off, nil
}
