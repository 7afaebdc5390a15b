package module

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"

	"github.com/rustko/rustko-lsp/internal/filecache"
)

// flagsCacheVersion changes whenever Flags or the way they are captured
// changes, so entries written by an older rustko are recaptured.
const flagsCacheVersion = 3

// flagsKind is the cache kind of captured flags.
const flagsKind = "kbuild-flags"

// flagsCacheKey hashes what decides kbuild's flags: the tree's path and its
// .config and Makefile. A Debian headers update installs a new tree (a new
// path), and a reconfigured tree has a new .config.
func flagsCacheKey(kdir string) (filecache.Key, error) {
	parts := []string{"rustko flags", strconv.Itoa(flagsCacheVersion), kdir}
	for _, name := range []string{".config", "Makefile"} {
		b, err := os.ReadFile(filepath.Join(kdir, name))
		if err != nil {
			return filecache.Key{}, fmt.Errorf("reading the kernel tree's %s: %w", name, err)
		}
		parts = append(parts, name, string(b))
	}
	return filecache.KeyOf(parts...), nil
}

// cachedFlags returns the flags cached under key, capturing them with
// probe on a miss. Two processes loading one tree at once (an editor and a
// CLI check) capture once. An entry that reads back incomplete (written
// by a rustko whose capture had a bug the version did not mark) is
// captured again and replaced.
func cachedFlags(ctx context.Context, c *filecache.Cache, key filecache.Key, k *Kernel) (*Flags, error) {
	var fresh *Flags
	capture := func(ctx context.Context) ([]byte, error) {
		f, err := probe(ctx, k)
		if err != nil {
			return nil, err
		}
		fresh = f
		return json.Marshal(f)
	}
	b, err := c.Do(ctx, flagsKind, key, capture)
	if err != nil || fresh != nil {
		return fresh, err
	}
	f, err := decodeFlags(b)
	if err == nil {
		return f, nil
	}
	slog.Info("ignoring an unusable kbuild flags cache entry", "kdir", k.Dir, "err", err)
	if b, err = capture(ctx); err != nil {
		return nil, err
	}
	if err := c.Set(flagsKind, key, b); err != nil {
		slog.Warn("could not cache kbuild flags", "err", err)
	}
	return fresh, nil
}

func decodeFlags(b []byte) (*Flags, error) {
	var f Flags
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, err
	}
	if f.Compiler == "" || len(f.IncludeDirs) == 0 || len(f.Raw) == 0 {
		return nil, errors.New("incomplete flags")
	}
	return &f, nil
}
