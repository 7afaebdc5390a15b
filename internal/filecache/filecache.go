// Package filecache is rustko's one disk cache for what is slow to compute
// and small enough to hold in memory: kbuild's flags, what rustc says about
// itself, the compiler's predefined macros, generated bindings, the header
// index. It is modelled on gopls/internal/filecache: an entry is a value
// under a kind (a folder name) and a 32-byte key the caller derives from
// everything the value depends on, so there is no invalidation, only new
// keys; an entry that no key names any more ages out under the size budget.
//
// Several rustko processes (an editor's language server, a CLI check, a
// build) share one cache folder. Each entry is written to a temporary file
// beside it and renamed into place, so a reader sees a whole entry or none;
// the entry carries its length and checksum, so a truncated or damaged file
// (a full disk, a crash of the machine before the data reached it) is a
// miss, never wrong data. Two writers of one key write the same value, and
// the last rename wins. Do adds a lock per key across processes, for values
// worth computing once.
package filecache

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rustko/rustko-lsp/internal/safewrite"
)

// Dir is where rustko keeps what is slow to compute: RUSTKO_CACHE_DIR when
// set, else $XDG_CACHE_HOME/rustko-lsp, else ~/.cache/rustko-lsp. It is
// created when missing. The Cache's entries are in its "entries" folder;
// what is not a byte value (sysroots, kernel images) has folders beside it.
func Dir() (string, error) {
	dir := os.Getenv("RUSTKO_CACHE_DIR")
	if dir == "" {
		d, err := defaultDir()
		if err != nil {
			return "", err
		}
		dir = d
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("creating the cache folder: %w (set RUSTKO_CACHE_DIR to a writable folder)", err)
	}
	return dir, nil
}

// defaultDir is rustko's folder in the user's cache folder.
func defaultDir() (string, error) {
	base, err := os.UserCacheDir() // $XDG_CACHE_HOME or ~/.cache
	if err != nil {
		return "", fmt.Errorf("no cache folder: set RUSTKO_CACHE_DIR or HOME (%w)", err)
	}
	return filepath.Join(base, "rustko-lsp"), nil
}

// Key names an entry within its kind.
type Key [32]byte

// KeyOf hashes parts, each ended so that ("ab", "c") and ("a", "bc") differ.
func KeyOf(parts ...string) Key {
	h := sha256.New()
	for _, p := range parts {
		io.WriteString(h, p)
		h.Write([]byte{0})
	}
	var k Key
	h.Sum(k[:0])
	return k
}

func (k Key) String() string { return hex.EncodeToString(k[:]) }

// ErrNotFound is a miss: no entry, or one that is truncated or damaged.
var ErrNotFound = errors.New("not in the cache")

// DefaultBudget is how many bytes of entries a cache keeps: room for
// dozens of generations of bindings (about 5 MB each with their index) and
// header indexes (about 15 MB per kernel tree), a small share of a disk.
const DefaultBudget = 1 << 30

// Cache is a folder of entries.
type Cache struct {
	dir string
	// Budget is the size in bytes above which Set evicts the least
	// recently used entries (see evict).
	Budget int64
}

// Open returns the cache whose entries are in root's "entries" folder
// (root need not exist yet); the rest of root is for what is not a byte
// value, beside it and outside the budget.
func Open(root string) *Cache {
	removeLegacy(root)
	return &Cache{dir: filepath.Join(root, "entries"), Budget: DefaultBudget}
}

// Default is the cache in Dir.
func Default() (*Cache, error) {
	d, err := Dir()
	if err != nil {
		return nil, err
	}
	return Open(d), nil
}

// An entry file is the magic, the value's length and CRC-32C, then the
// value: what is needed to tell a whole entry from a truncated or damaged
// one. The CRC guards against accidents (a torn write, a bad sector), not
// against someone who can write into the user's own cache folder, and runs
// at memory speed: SHA-256 tripled the load of a 15 MB header index.
const (
	magic     = "RKC1"
	headerLen = len(magic) + 8 + 4
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func (c *Cache) path(kind string, key Key) (string, error) {
	if !validKind(kind) {
		return "", fmt.Errorf("cache kind %q: want lower-case letters, digits and dashes", kind)
	}
	return filepath.Join(c.dir, kind, key.String()), nil
}

func validKind(kind string) bool {
	return kind != "" && strings.Trim(kind, "abcdefghijklmnopqrstuvwxyz0123456789-") == ""
}

// Get returns the value stored under kind and key, or an error wrapping
// ErrNotFound for a miss. A hit marks the entry as used now, for eviction.
func (c *Cache) Get(kind string, key Key) ([]byte, error) {
	p, err := c.path(kind, key)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil { // unreadable: computing the value again is the way on
		return nil, fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	if len(b) < headerLen || string(b[:len(magic)]) != magic {
		return nil, fmt.Errorf("%w: %s is not a cache entry", ErrNotFound, p)
	}
	n := binary.LittleEndian.Uint64(b[len(magic):])
	sum := binary.LittleEndian.Uint32(b[len(magic)+8:])
	v := b[headerLen:]
	if n != uint64(len(v)) {
		return nil, fmt.Errorf("%w: %s holds %d bytes of %d", ErrNotFound, p, len(v), n)
	}
	if crc32.Checksum(v, castagnoli) != sum {
		return nil, fmt.Errorf("%w: %s is damaged (checksum)", ErrNotFound, p)
	}
	// The mtime is the last use; atime is often not kept (noatime).
	now := time.Now()
	if err := os.Chtimes(p, now, now); err != nil && !errors.Is(err, fs.ErrNotExist) {
		slog.Debug("cache entry use not recorded", "entry", p, "err", err)
	}
	return v, nil
}

// Set stores value under kind and key, replacing any entry there, then
// evicts what is over the budget. A failure to evict is only logged: the
// entry is stored.
func (c *Cache) Set(kind string, key Key, value []byte) error {
	p, err := c.path(kind, key)
	if err != nil {
		return err
	}
	b := make([]byte, headerLen, headerLen+len(value))
	copy(b, magic)
	binary.LittleEndian.PutUint64(b[len(magic):], uint64(len(value)))
	binary.LittleEndian.PutUint32(b[len(magic)+8:], crc32.Checksum(value, castagnoli))
	b = append(b, value...)
	if err := safewrite.Atomic(p, b, 0o644); err != nil {
		return fmt.Errorf("writing cache entry %s: %w", p, err)
	}
	if err := c.evict(p); err != nil {
		slog.Debug("cache eviction", "dir", c.dir, "err", err)
	}
	return nil
}

// Do returns the value under kind and key, computing and storing it on a
// miss. Processes asking for the same key at once compute it once: the
// others wait for the first, and end their wait when ctx ends. A value
// compute fails on, or that ctx cancels, is not stored; one that cannot be
// stored is still returned.
func (c *Cache) Do(ctx context.Context, kind string, key Key, compute func(context.Context) ([]byte, error)) ([]byte, error) {
	if !validKind(kind) {
		_, err := c.path(kind, key)
		return nil, err
	}
	if v, err := c.Get(kind, key); err == nil {
		return v, nil
	}
	// Locks are 256 files shared by all keys of a kind, so that their
	// number stays bounded: two keys rarely wait for each other. Their
	// folder's name is no kind's.
	unlock, err := Lock(ctx, filepath.Join(c.dir, ".locks", fmt.Sprintf("%s-%02x", kind, key[0])))
	if err != nil {
		return nil, err
	}
	defer unlock()
	if v, err := c.Get(kind, key); err == nil {
		return v, nil // another process computed it while we waited
	}
	v, err := compute(ctx)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, context.Cause(ctx)
	}
	if err := c.Set(kind, key, v); err != nil {
		slog.Warn("not cached", "kind", kind, "err", err)
	}
	return v, nil
}
