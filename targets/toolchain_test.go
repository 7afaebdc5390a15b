package targets

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/internal/filecache"
)

// TestFind resolves Debian's toolchain under RUST_ROOT=/usr, the second time
// from the cache, and explains a RUST_ROOT without one.
func TestFind(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cache := filecache.Open(dir)
	tc, err := Find(ctx, "/usr", "config.mk:2", cache)
	if err != nil {
		t.Fatal(err)
	}
	if !tc.Release.Known() || tc.LLVMMajor == 0 || !strings.Contains(tc.Host, "-linux-") || tc.Sysroot == "" || tc.Path != "/usr/bin/rustc" || tc.Cargo != "/usr/bin/cargo" {
		t.Errorf("Find(/usr) = %+v", tc)
	}
	if tc.CoreSrc == "" {
		t.Errorf("no core sources found under %s: is rust-src installed (apt-get install rust-src)?", tc.Sysroot)
	}
	cached, _ := filepath.Glob(filepath.Join(dir, "entries", toolchainKind, "*"))
	if len(cached) != 1 {
		t.Fatalf("cache files %v, want one", cached)
	}
	again, err := Find(ctx, "/usr", "", cache)
	if err != nil || again.Release != tc.Release || again.Host != tc.Host || again.Sysroot != tc.Sysroot || again.VersionInfo != tc.VersionInfo {
		t.Errorf("from the cache: %+v, %v; want %+v", again, err, tc)
	}
	// A cache entry that is not rustc's answer is asked again, and so is
	// a damaged one; either is replaced.
	key, _ := rustcIdentity(tc.Path, "/usr/bin/rustup")
	for _, damage := range []func() error{
		func() error { return cache.Set(toolchainKind, key, []byte("{}")) },
		func() error { return os.WriteFile(cached[0], []byte("RKC1"), 0o644) },
	} {
		if err := damage(); err != nil {
			t.Fatal(err)
		}
		if fresh, err := Find(ctx, "/usr", "", cache); err != nil || fresh.Release != tc.Release {
			t.Errorf("after a broken cache entry: %+v, %v", fresh, err)
		}
		var info toolchainInfo
		b, err := cache.Get(toolchainKind, key)
		if err == nil {
			err = json.Unmarshal(b, &info)
		}
		if err != nil || info.VersionInfo != tc.VersionInfo {
			t.Errorf("the broken entry was not replaced: %q, %v", b, err)
		}
	}
	if _, err := Find(ctx, "/usr", "", nil); err != nil {
		t.Errorf("without a cache: %v", err)
	}

	// The data-layouts (four rustc runs) are cached the same way: a second
	// toolchain with the same rustc takes them from the entry, which a
	// planted value proves, and a damaged entry is asked again.
	if err := tc.ProbeLayouts(ctx, cache); err != nil || tc.DataLayouts["x86_64"] == "" {
		t.Fatalf("ProbeLayouts: %v, %v", tc.DataLayouts, err)
	}
	planted, _ := json.Marshal(map[string]string{"x86_64": "planted"})
	if err := cache.Set(layoutsKind, key, planted); err != nil {
		t.Fatal(err)
	}
	fromCache := &Toolchain{Root: "/usr", Path: tc.Path}
	if err := fromCache.ProbeLayouts(ctx, cache); err != nil || fromCache.DataLayouts["x86_64"] != "planted" {
		t.Errorf("second ProbeLayouts did not use the cache: %v, %v", fromCache.DataLayouts, err)
	}
	if err := cache.Set(layoutsKind, key, []byte("not json")); err != nil {
		t.Fatal(err)
	}
	reprobed := &Toolchain{Root: "/usr", Path: tc.Path}
	if err := reprobed.ProbeLayouts(ctx, cache); err != nil || reprobed.DataLayouts["x86_64"] != tc.DataLayouts["x86_64"] {
		t.Errorf("after a damaged layouts entry: %v, %v; want %v", reprobed.DataLayouts, err, tc.DataLayouts)
	}

	for _, tt := range []struct{ root, want string }{
		{"", "RUST_ROOT is empty"},
		{"/nonexistent/rust", "/nonexistent/rust/bin/rustc is not an executable"},
	} {
		_, err := Find(ctx, tt.root, "config.mk:2", cache)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "apt-get install rustc rust-src cargo") {
			t.Errorf("Find(%q) error %v, want %q and the install hint", tt.root, err, tt.want)
		}
	}
	noCargo := &Toolchain{Root: "/nonexistent/rust", Cargo: "/nonexistent/rust/bin/cargo"}
	if err := noCargo.CheckCargo("config.mk:2"); err == nil || !strings.Contains(err.Error(), "(set by config.mk:2)") {
		t.Errorf("CheckCargo without cargo: %v", err)
	}
}
