package module

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
)

// flagsCacheVersion changes whenever Flags or the way they are captured
// changes, so entries written by an older rustko are recaptured.
const flagsCacheVersion = 3

// CacheDir is where rustko keeps what is slow to compute: RUSTKO_CACHE_DIR
// when set, else $XDG_CACHE_HOME/rustko-lsp, else ~/.cache/rustko-lsp. It
// is created when missing.
func CacheDir() (string, error) {
	dir := os.Getenv("RUSTKO_CACHE_DIR")
	if dir == "" {
		base, err := os.UserCacheDir() // $XDG_CACHE_HOME or ~/.cache
		if err != nil {
			return "", fmt.Errorf("no cache folder: set RUSTKO_CACHE_DIR or HOME (%w)", err)
		}
		dir = filepath.Join(base, "rustko-lsp")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("creating the cache folder: %w (set RUSTKO_CACHE_DIR to a writable folder)", err)
	}
	return dir, nil
}

// flagsCacheKey hashes what decides kbuild's flags: the tree's path and its
// .config and Makefile. A Debian headers update installs a new tree (a new
// path), and a reconfigured tree has a new .config.
func flagsCacheKey(kdir string) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "rustko flags v%d\x00%s\x00", flagsCacheVersion, kdir)
	for _, name := range []string{".config", "Makefile"} {
		b, err := os.ReadFile(filepath.Join(kdir, name))
		if err != nil {
			return "", fmt.Errorf("reading the kernel tree's %s: %w", name, err)
		}
		fmt.Fprintf(h, "%s\x00%d\x00", name, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

type flagsCacheEntry struct {
	Version int    `json:"version"`
	Key     string `json:"key"`
	KDIR    string `json:"kdir"`
	Flags   *Flags `json:"flags"`
}

// readFlagsCache returns the cached flags, or nil when there are none or
// the entry is unusable (corrupt, another version, another tree): the
// caller then captures again and overwrites it.
func readFlagsCache(file, key, kdir string) *Flags {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	var e flagsCacheEntry
	if err := json.Unmarshal(b, &e); err != nil {
		slog.Info("ignoring unreadable kbuild flags cache entry", "file", file, "err", err)
		return nil
	}
	if e.Version != flagsCacheVersion || e.Key != key || e.KDIR != kdir || e.Flags == nil ||
		e.Flags.Compiler == "" || len(e.Flags.IncludeDirs) == 0 || len(e.Flags.Raw) == 0 {
		slog.Info("ignoring stale or incomplete kbuild flags cache entry", "file", file)
		return nil
	}
	return e.Flags
}

// writeFlagsCache replaces the entry atomically, so a concurrent reader
// sees the old entry or the new one, never half of one.
func writeFlagsCache(file, key, kdir string, f *Flags) error {
	b, err := json.MarshalIndent(flagsCacheEntry{Version: flagsCacheVersion, Key: key, KDIR: kdir, Flags: f}, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), ".flags-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), file)
}
