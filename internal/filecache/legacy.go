package filecache

import (
	"log/slog"
	"os"
	"path/filepath"
	"sync"
)

// legacyDirs are the folders rustko's caches kept before this package held
// them all (until 2026-12-06): the bindings cache, kbuild flags, rustc
// information and the compiler's predefined macros. The header index was
// headers-<key>.idx files beside them. Nothing reads them any more.
var legacyDirs = []string{"bindings", "flags", "toolchain", "predefined"}

var legacyDone sync.Map // root -> struct{}

// removeLegacy deletes the old layout's folders and files from root, once
// per process and root, and only when root is rustko's own default folder
// (a RUSTKO_CACHE_DIR may be a folder of the user's that happens to hold a
// "bindings" folder). An upgrade would otherwise leave a few hundred MB
// behind that no eviction ever reaches.
func removeLegacy(root string) {
	if _, done := legacyDone.LoadOrStore(root, struct{}{}); done {
		return
	}
	def, err := defaultDir()
	if err != nil || filepath.Clean(root) != filepath.Clean(def) {
		return
	}
	old, _ := filepath.Glob(filepath.Join(root, "headers-*.idx"))
	for _, d := range legacyDirs {
		old = append(old, filepath.Join(root, d))
	}
	for _, p := range old {
		if _, err := os.Lstat(p); err != nil {
			continue
		}
		if err := os.RemoveAll(p); err != nil {
			slog.Debug("removing an old cache folder", "path", p, "err", err)
		}
	}
}
