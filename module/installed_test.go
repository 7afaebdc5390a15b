package module

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/internal/testkernel"
	"github.com/rustko/rustko-lsp/internal/testtree"
)

// installedFakeTree writes a kernel build tree under root/rel: what
// treeProblem and describeKernel read, nothing more.
func installedFakeTree(t *testing.T, root, rel, release string, config, symvers bool) string {
	t.Helper()
	dir := filepath.Join(root, rel)
	files := map[string]string{
		"Makefile":                         "# kernel\n",
		"include/generated/utsrelease.h":   `#define UTS_RELEASE "` + release + `"` + "\n",
		"arch/x86/Makefile":                "",
		"include/config/kernel.release.in": "",
	}
	if config {
		files[".config"] = "CONFIG_X86_64=y\n"
	}
	if symvers {
		files["Module.symvers"] = "0x0\tprintk\tvmlinux\tEXPORT_SYMBOL\t\n"
	}
	return testtree.WriteIn(t, dir, files)
}

func TestInstalledKernels(t *testing.T) {
	root := t.TempDir()
	src := filepath.Join(root, "usr", "src")
	mods := filepath.Join(root, "lib", "modules")
	tree := func(name, release string, config, symvers bool) string {
		return installedFakeTree(t, src, "linux-headers-"+name, release, config, symvers)
	}
	plain61 := tree("6.1.0-57-amd64", "6.1.0-57-amd64", true, true)
	old61 := tree("6.1.0-9-amd64", "6.1.0-9-amd64", true, true)
	tree("6.1.0-57-common", "6.1.0-57-common", false, false)
	rt612 := tree("6.12.118+deb12-rt-amd64", "6.12.118+deb12-rt-amd64", true, true)
	cloud612 := tree("6.12.118+deb12-cloud-amd64", "6.12.118+deb12-cloud-amd64", true, true)
	plain612 := tree("6.12.118+deb12-amd64", "6.12.118+deb12-amd64", true, true)
	tree("6.12.9-amd64", "6.12.9-amd64", true, false) // configured, but no Module.symvers
	// Debian's /lib/modules/<release>/build is a symlink into /usr/src: one
	// tree, listed once, under its real path.
	if err := os.MkdirAll(filepath.Join(mods, "6.1.0-57-amd64"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(plain61, filepath.Join(mods, "6.1.0-57-amd64", "build")); err != nil {
		t.Fatal(err)
	}
	// A tree only /lib/modules knows (a self-built kernel), and a second
	// copy of a release already there.
	own := installedFakeTree(t, mods, "7.3.4-own/build", "7.3.4-own", true, true)
	tree("7.3.4-own-copy", "7.3.4-own", true, true)
	// A dangling build link.
	if err := os.MkdirAll(filepath.Join(mods, "5.10.0-1-amd64"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(src, "gone"), filepath.Join(mods, "5.10.0-1-amd64", "build")); err != nil {
		t.Fatal(err)
	}

	ks, skipped, err := installedIn(context.Background(), mods, []string{src})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ release, dir string }{
		{"7.3.4-own", own},
		{"6.12.118+deb12-amd64", plain612},
		{"6.12.118+deb12-cloud-amd64", cloud612},
		{"6.12.118+deb12-rt-amd64", rt612},
		{"6.1.0-57-amd64", plain61},
		{"6.1.0-9-amd64", old61},
	}
	var got []string
	for _, k := range ks {
		got = append(got, k.Release+" "+k.Dir)
	}
	if len(ks) != len(want) {
		t.Fatalf("got %d trees:\n%s", len(ks), strings.Join(got, "\n"))
	}
	for i, w := range want {
		if ks[i].Release != w.release || ks[i].Dir != w.dir {
			t.Errorf("tree %d: %s at %s, want %s at %s", i, ks[i].Release, ks[i].Dir, w.release, w.dir)
		}
		if ks[i].Arch != "x86_64" || ks[i].Symvers == "" || ks[i].FoundBy == "" {
			t.Errorf("tree %s not described: %+v", ks[i].Release, ks[i])
		}
	}
	if ks[4].FoundBy != filepath.Join(mods, "*", "build")+" scan" {
		t.Errorf("6.1 tree found by %q: the /lib/modules link comes first", ks[4].FoundBy)
	}
	for _, why := range []string{"6.1.0-57-common", "no .config", "6.12.9-amd64", "no Module.symvers", "7.3.4-own-copy", "already listed", "5.10.0-1-amd64"} {
		if !strings.Contains(strings.Join(skipped, "\n"), why) {
			t.Errorf("skipped lacks %q:\n%s", why, strings.Join(skipped, "\n"))
		}
	}

	// Nothing installed is an empty list, not an error: the caller says so.
	ks, _, err = installedIn(context.Background(), filepath.Join(root, "none"), []string{filepath.Join(root, "none")})
	if err != nil || len(ks) != 0 {
		t.Errorf("empty machine: %v, %v", ks, err)
	}
}

// The matrix lists trees in the order discovery ranks them, by release.
func TestInstalledOrder(t *testing.T) {
	tests := []struct {
		name string
		in   []string // releases, in the order found
		want []string
	}{
		{"newest first", []string{"6.1.0-57-amd64", "6.12.118+deb12-amd64", "6.1.0-9-amd64"},
			[]string{"6.12.118+deb12-amd64", "6.1.0-57-amd64", "6.1.0-9-amd64"}},
		{"plain before rt and cloud", []string{"6.12.118+deb12-rt-amd64", "6.12.118+deb12-cloud-amd64", "6.12.118+deb12-amd64"},
			[]string{"6.12.118+deb12-amd64", "6.12.118+deb12-cloud-amd64", "6.12.118+deb12-rt-amd64"}},
		{"a newer variant before an older plain", []string{"6.12.118+deb12-amd64", "7.3.4+deb13-rt-amd64"},
			[]string{"7.3.4+deb13-rt-amd64", "6.12.118+deb12-amd64"}},
		{"ubuntu", []string{"6.8.0-45-lowlatency", "6.8.0-45-generic", "6.8.0-31-generic"},
			[]string{"6.8.0-45-generic", "6.8.0-45-lowlatency", "6.8.0-31-generic"}},
	}
	for _, tt := range tests {
		var ks []*Kernel
		for _, r := range tt.in {
			// A folder name that sorts against the release: the order
			// must come from the release.
			ks = append(ks, &Kernel{Release: r, Dir: "/lib/modules/" + strings.Repeat("x", len(ks)) + "/build"})
		}
		sortInstalled(ks)
		var got []string
		for _, k := range ks {
			got = append(got, k.Release)
		}
		if strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

// On this machine: every tree the tests pin is in the list, described.
func TestInstalledKernelsHere(t *testing.T) {
	ks, skipped, err := InstalledKernels(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	pinned := testkernel.Dir(t)
	real, err := filepath.EvalSymlinks(pinned)
	if err != nil {
		t.Fatalf("the pinned tree %s: %v", pinned, err)
	}
	for _, k := range ks {
		if k.Dir == real {
			return
		}
	}
	t.Errorf("InstalledKernels lacks %s; found %v, skipped:\n%s", real, ks, strings.Join(skipped, "\n"))
}

func TestOtherVersions(t *testing.T) {
	installed := []*Kernel{
		{Release: "7.3.4+deb13-amd64"},
		{Release: "6.12.118+deb12-amd64"},
		{Release: "6.12.118+deb12-cloud-amd64"},
		{Release: "6.12.118+deb12-rt-amd64"},
		{Release: "6.1.0-57-amd64"},
	}
	tests := []struct {
		current string
		want    []string
		older   []bool
	}{
		{"6.1.0-57-amd64", []string{"7.3.4+deb13-amd64", "6.12.118+deb12-amd64"}, []bool{false, false}},
		{"6.12.118+deb12-rt-amd64", []string{"7.3.4+deb13-amd64", "6.1.0-57-amd64"}, []bool{false, true}},
		{"7.3.4+deb13-amd64", []string{"6.12.118+deb12-amd64", "6.1.0-57-amd64"}, []bool{true, true}},
		{"6.1.0-99-amd64", []string{"7.3.4+deb13-amd64", "6.12.118+deb12-amd64", "6.1.0-57-amd64"}, []bool{false, false, true}},
	}
	for _, tt := range tests {
		ks, older := otherVersions(installed, tt.current)
		var got []string
		for _, k := range ks {
			got = append(got, k.Release)
		}
		if !slices.Equal(got, tt.want) || !slices.Equal(older, tt.older) {
			t.Errorf("otherVersions(%s) = %v %v, want %v %v", tt.current, got, older, tt.want, tt.older)
		}
	}
}
