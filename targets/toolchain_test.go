package targets

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFind resolves Debian's toolchain under RUST_ROOT=/usr, the second time
// from the cache, and explains a RUST_ROOT without one.
func TestFind(t *testing.T) {
	ctx := context.Background()
	cache := t.TempDir()
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
	cached, _ := filepath.Glob(filepath.Join(cache, "toolchain", "*.json"))
	if len(cached) != 1 {
		t.Fatalf("cache files %v, want one", cached)
	}
	again, err := Find(ctx, "/usr", "", cache)
	if err != nil || again.Release != tc.Release || again.Host != tc.Host || again.Sysroot != tc.Sysroot || again.VersionInfo != tc.VersionInfo {
		t.Errorf("from the cache: %+v, %v; want %+v", again, err, tc)
	}
	// A cache entry that is not rustc's answer is asked again.
	if err := os.WriteFile(cached[0], []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if fresh, err := Find(ctx, "/usr", "", cache); err != nil || fresh.Release != tc.Release {
		t.Errorf("after a broken cache entry: %+v, %v", fresh, err)
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
