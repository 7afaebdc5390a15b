package filecache

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// staleTemp is the age past which a temporary file is a crashed writer's:
// a write takes milliseconds.
const staleTemp = time.Hour

// evict keeps the cache within its budget: when its entries hold more than
// Budget bytes, the least recently used (oldest mtime: Get sets it to the
// time of use) are removed until the rest fit. keep, the entry Set has just
// written, is never removed, even when it alone is over the budget. It runs
// after every Set, which is rare (each follows a computation that took
// long enough to be worth caching), so walking a few hundred entries costs
// nothing. Concurrent evictions in several processes only race to remove
// the same files; a reader that has an entry open keeps reading it.
func (c *Cache) evict(keep string) error {
	type entry struct {
		path string
		size int64
		used time.Time
	}
	var all []entry
	var total int64
	kinds, err := os.ReadDir(c.dir)
	if err != nil {
		return err
	}
	for _, k := range kinds {
		if !k.IsDir() || !validKind(k.Name()) {
			continue
		}
		dir := filepath.Join(c.dir, k.Name())
		files, err := os.ReadDir(dir)
		if err != nil {
			continue // evicted by another process meanwhile, or unreadable
		}
		for _, f := range files {
			info, err := f.Info()
			if err != nil || !info.Mode().IsRegular() {
				continue
			}
			p := filepath.Join(dir, f.Name())
			if strings.HasPrefix(f.Name(), ".") {
				if time.Since(info.ModTime()) > staleTemp {
					os.Remove(p)
				}
				continue
			}
			total += info.Size()
			if p != keep {
				all = append(all, entry{p, info.Size(), info.ModTime()})
			}
		}
	}
	if total <= c.Budget {
		return nil
	}
	sort.Slice(all, func(i, j int) bool { return all[i].used.Before(all[j].used) })
	var errs []error
	for _, e := range all {
		if total <= c.Budget {
			break
		}
		if err := os.Remove(e.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
			continue
		}
		total -= e.size
	}
	return errors.Join(errs...)
}
