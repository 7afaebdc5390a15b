package bindings

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/rustko/rustko-lsp/internal/safewrite"
	"github.com/rustko/rustko-lsp/module"
)

// The cache maps everything that decides the output to the output. Its key
// hashes the small inputs (options, kbuild flags, header list, rustko
// version) and nothing about where the output goes: a second checkout or
// copy of a module with the same kernel and configuration is a hit, and the
// output path only decides where the copy is written (Generate). Its manifest lists every file the front end read, with size,
// mtime, inode and content hash, and the directories where an #include
// probe found nothing. A warm check stats the files and compares; only a
// file whose stat changed is read and hashed, so touching a header costs a
// hash, not a regeneration.

// cacheFormat changes whenever the entry layout or the generator's output
// for the same inputs changes. 6: entries no longer depend on the output
// path (the index is stored without it).
const cacheFormat = 6

type cacheManifest struct {
	Format int          `json:"format"`
	Key    string       `json:"key"`
	Files  []cachedFile `json:"files"`
	Dirs   []cachedDir  `json:"dirs"`
	Rust   string       `json:"rust"`  // sha256 of the Rust output
	Index  string       `json:"index"` // sha256 of the index
}

type cachedFile struct {
	Path  string `json:"p"`
	Size  int64  `json:"s"`
	MTime int64  `json:"m"`
	Ino   uint64 `json:"i"`
	Hash  string `json:"h"`
}

// cachedDir is a directory an include probe looked into in vain: when its
// mtime changes a file may have appeared that the search would now find.
type cachedDir struct {
	Path   string   `json:"p"`
	MTime  int64    `json:"m"`
	Probes []string `json:"probes"`
}

// cacheKey hashes the inputs that are not files. The output paths stay
// out: the Rust and the stored index do not depend on them.
func cacheKey(o *Options, headers []string) string {
	h := sha256.New()
	w := func(parts ...string) {
		for _, p := range parts {
			io.WriteString(h, p)
			h.Write([]byte{0})
		}
		h.Write([]byte{1})
	}
	w("rustko-bindings", fmt.Sprint(cacheFormat), o.Version, fmt.Sprint(o.LayoutTests))
	if k := o.Kernel; k != nil {
		w(k.Dir, k.Release, k.Arch, k.SrcArch)
	}
	if f := o.Flags; f != nil {
		w(f.Compiler, f.Std)
		w(f.IncludeDirs...)
		w(f.SystemIncludeDirs...)
		w(f.ForcedIncludes...)
		for _, d := range f.Defines {
			w(d.Name, d.Value, fmt.Sprint(d.HasValue))
		}
		w(f.Undefines...)
		w(f.TargetFlags...)
		w(f.Other...)
	}
	w(headers...)
	if o.Symvers != nil {
		w(o.Symvers.Path)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func absOrEmpty(p string) string {
	if p == "" {
		return ""
	}
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return a
}

type cacheEntry struct {
	dir string
	m   *cacheManifest
}

func (c *cacheEntry) rustPath() string  { return filepath.Join(c.dir, "bindings.rs") }
func (c *cacheEntry) indexPath() string { return filepath.Join(c.dir, "bindings.index") }
func (c *cacheEntry) manPath() string   { return filepath.Join(c.dir, "manifest.json") }

// lookupCache returns the entry for key if every input file is unchanged.
func lookupCache(dir, key string) (*cacheEntry, string) {
	e := &cacheEntry{dir: filepath.Join(dir, key[:32])}
	b, err := os.ReadFile(e.manPath())
	if err != nil {
		return nil, "no cache entry"
	}
	m := &cacheManifest{}
	if err := json.Unmarshal(b, m); err != nil || m.Format != cacheFormat || m.Key != key {
		return nil, "cache entry of another version"
	}
	e.m = m
	changed := false
	for i := range m.Files {
		f := &m.Files[i]
		st, err := os.Stat(f.Path)
		if err != nil {
			return nil, f.Path + " is gone"
		}
		if st.Size() == f.Size && st.ModTime().UnixNano() == f.MTime && inode(st) == f.Ino {
			continue
		}
		sum, err := hashFile(f.Path)
		if err != nil || sum != f.Hash {
			return nil, f.Path + " changed"
		}
		// Same content, new stat (a touch, a reinstall): remember the
		// new stat so the next check is fast again.
		f.Size, f.MTime, f.Ino = st.Size(), st.ModTime().UnixNano(), inode(st)
		changed = true
	}
	for i := range m.Dirs {
		d := &m.Dirs[i]
		st, err := os.Stat(d.Path)
		if err != nil {
			return nil, d.Path + " is gone"
		}
		if st.ModTime().UnixNano() == d.MTime {
			continue
		}
		for _, p := range d.Probes {
			if _, err := os.Stat(p); err == nil {
				return nil, p + " appeared"
			}
		}
		d.MTime = st.ModTime().UnixNano()
		changed = true
	}
	if changed {
		if err := writeJSONAtomic(e.manPath(), m); err != nil {
			slog.Debug("bindings cache: manifest not refreshed", "err", err)
		}
	} else {
		// The manifest's mtime is the entry's last use, for pruning.
		now := time.Now()
		os.Chtimes(e.manPath(), now, now)
	}
	return e, ""
}

// cacheEntries is how many generations the cache keeps: one per module and
// header set a person works on, with room to spare. Each entry is the
// bindings (about 1 MB for the default headers) and their index (4 MB).
const cacheEntries = 24

// pruneCache removes the least recently used entries beyond cacheEntries.
func pruneCache(dir string) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	type used struct {
		path string
		at   time.Time
	}
	var all []used
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		p := filepath.Join(dir, e.Name())
		st, err := os.Stat(filepath.Join(p, "manifest.json"))
		at := time.Time{}
		if err == nil {
			at = st.ModTime()
		}
		all = append(all, used{p, at})
	}
	if len(all) <= cacheEntries {
		return
	}
	sort.Slice(all, func(i, j int) bool { return all[i].at.After(all[j].at) })
	for _, u := range all[cacheEntries:] {
		if err := os.RemoveAll(u.path); err != nil {
			slog.Debug("bindings cache: pruning", "entry", u.path, "err", err)
		}
	}
}

func hashFile(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// storeCache writes a new entry; a failure only costs the next run time.
func storeCache(dir, key string, fs *recordingFS, extra []string, rust, ix []byte) error {
	e := &cacheEntry{dir: filepath.Join(dir, key[:32])}
	if err := os.MkdirAll(e.dir, 0o755); err != nil {
		return err
	}
	m := &cacheManifest{Format: cacheFormat, Key: key, Rust: sha(rust), Index: sha(ix)}
	fs.mu.Lock()
	var paths []string
	for p := range fs.files {
		paths = append(paths, p)
	}
	for _, p := range extra {
		if p != "" && fs.files[p] == nil {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	for _, p := range paths {
		rec := fs.files[p]
		if rec != nil && rec.done {
			// The stat taken when the front end opened the file goes with
			// the hash of what it read; if the file changed since, the next
			// check sees a new stat, hashes, and regenerates.
			m.Files = append(m.Files, cachedFile{Path: p, Size: rec.Size, MTime: rec.MTime, Ino: rec.Ino, Hash: hex.EncodeToString(rec.Hash[:])})
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			fs.mu.Unlock()
			return err
		}
		f := cachedFile{Path: p, Size: st.Size(), MTime: st.ModTime().UnixNano(), Ino: inode(st)}
		if f.Hash, err = hashFile(p); err != nil {
			fs.mu.Unlock()
			return err
		}
		m.Files = append(m.Files, f)
	}
	dirs := map[string][]string{}
	ancestor := map[string]string{} // probes share their directories
	for p := range fs.misses {
		pd := filepath.Dir(p)
		d, ok := ancestor[pd]
		if !ok {
			d = existingAncestor(pd)
			ancestor[pd] = d
		}
		if d != "" {
			dirs[d] = append(dirs[d], p)
		}
	}
	fs.mu.Unlock()
	var dnames []string
	for d := range dirs {
		dnames = append(dnames, d)
	}
	sort.Strings(dnames)
	for _, d := range dnames {
		st, err := os.Stat(d)
		if err != nil {
			continue
		}
		probes := dirs[d]
		sort.Strings(probes)
		m.Dirs = append(m.Dirs, cachedDir{Path: d, MTime: st.ModTime().UnixNano(), Probes: probes})
	}
	if err := writeAtomic(e.rustPath(), rust); err != nil {
		return err
	}
	if err := writeAtomic(e.indexPath(), ix); err != nil {
		return err
	}
	if err := writeJSONAtomic(e.manPath(), m); err != nil {
		return err
	}
	pruneCache(dir)
	return nil
}

func existingAncestor(d string) string {
	for i := 0; i < 64; i++ {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
	return ""
}

func writeJSONAtomic(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return writeAtomic(path, b)
}

// writeAtomic replaces path with data through a temporary file and a
// rename, so a reader (cargo, rust-analyzer, a second rustko) never sees
// half a file.
func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		os.Remove(f.Name())
		return err
	}
	return nil
}

// writeIfChanged leaves an identical file alone: rewriting it would bump
// its mtime and make cargo rebuild the crate for nothing. path is a
// module's output, so it goes through safewrite: header is how rustko's
// own file of that kind starts.
func writeIfChanged(root, path string, data, header []byte) error {
	if _, err := safewrite.WriteIfChanged(root, path, data, header); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// copyIfChanged makes dst hold the content of src, whose sha256 is want.
func copyIfChanged(root, src, dst, want string, header []byte) error {
	if sum, err := hashFile(dst); err == nil && sum == want {
		return nil
	}
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if sha(b) != want {
		return errors.New("cache entry corrupt: " + src)
	}
	return writeIfChanged(root, dst, b, header)
}

func defaultCacheDir() (string, error) {
	d, err := module.CacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "bindings"), nil
}

// shortReason is for logs.
func shortReason(s string) string {
	if len(s) > 120 {
		return s[:117] + "..."
	}
	return strings.TrimSpace(s)
}
