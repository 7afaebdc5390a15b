package bindings

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/rustko/rustko-lsp/internal/filecache"
	"github.com/rustko/rustko-lsp/internal/safewrite"
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

//
// The manifest is a filecache entry of kind manifestKind under the key; the
// Rust and the index are entries of kind outputKind under their own
// SHA-256, so two keys with the same output share it. Eviction may take an
// output and leave its manifest: a hit whose output is gone regenerates.

// cacheFormat changes whenever the entry layout or the generator's output
// for the same inputs changes. 7: entries in filecache, helpers in the
// manifest. 8: gcc's va_list, qualified inner pointers and members (cc/v4
// patches 15-16), bit-field runs past unnamed padding: bindings a build of
// the same version string made before are wrong. 9: char follows
// -funsigned-char (kbuild's since 6.2): c_char, char bit-fields and char
// constants of such trees were signed.
const cacheFormat = 9

const (
	manifestKind = "bindings"
	outputKind   = "bindings-output"
)

type cacheManifest struct {
	Files   []cachedFile `json:"files"`
	Dirs    []cachedDir  `json:"dirs"`
	Rust    string       `json:"rust"`  // sha256 of the Rust output
	Index   string       `json:"index"` // sha256 of the index
	Helpers *Helpers     `json:"helpers,omitempty"`
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
func cacheKey(o *Options, headers []string) filecache.Key {
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
	var k filecache.Key
	h.Sum(k[:0])
	return k
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

// lookupCache returns the manifest for key if every input file is
// unchanged, or why not.
func lookupCache(cache *filecache.Cache, key filecache.Key) (*cacheManifest, string) {
	b, err := cache.Get(manifestKind, key)
	if err != nil {
		return nil, "no cache entry"
	}
	m := &cacheManifest{}
	if err := json.Unmarshal(b, m); err != nil {
		return nil, "unreadable cache entry"
	}
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
		if err := setJSON(cache, manifestKind, key, m); err != nil {
			slog.Debug("bindings cache: manifest not refreshed", "err", err)
		}
	}
	return m, ""
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
func storeCache(cache *filecache.Cache, key filecache.Key, fs *recordingFS, extra []string, rust, ix []byte, helpers *Helpers) error {
	m := &cacheManifest{Rust: sha(rust), Index: sha(ix), Helpers: helpers}
	fs.mu.Lock()
	paths := slices.Collect(maps.Keys(fs.files))
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
	for _, d := range slices.Sorted(maps.Keys(dirs)) {
		st, err := os.Stat(d)
		if err != nil {
			continue
		}
		probes := dirs[d]
		sort.Strings(probes)
		m.Dirs = append(m.Dirs, cachedDir{Path: d, MTime: st.ModTime().UnixNano(), Probes: probes})
	}
	// The outputs first: a manifest is never stored before what it names.
	for _, out := range [][]byte{rust, ix} {
		if err := cache.Set(outputKind, sha256.Sum256(out), out); err != nil {
			return err
		}
	}
	return setJSON(cache, manifestKind, key, m)
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

func setJSON(cache *filecache.Cache, kind string, key filecache.Key, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return cache.Set(kind, key, b)
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

// copyIfChanged makes dst hold the output whose sha256 is want, from the
// cache when dst holds something else.
func copyIfChanged(root string, cache *filecache.Cache, dst, want string, header []byte) error {
	if sum, err := hashFile(dst); err == nil && sum == want {
		return nil
	}
	var key filecache.Key
	if n, err := hex.Decode(key[:], []byte(want)); err != nil || n != len(key) {
		return fmt.Errorf("cache entry names no output (%q)", want)
	}
	b, err := cache.Get(outputKind, key)
	if err != nil {
		return err
	}
	if sha(b) != want {
		return errors.New("cache entry corrupt: " + want)
	}
	return writeIfChanged(root, dst, b, header)
}

// shortReason is for logs.
func shortReason(s string) string {
	if len(s) > 120 {
		return s[:117] + "..."
	}
	return strings.TrimSpace(s)
}
