package module

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/internal/testkernel"

	"github.com/rustko/rustko-lsp/internal/testtree"
)

// fakeTree is the minimum FindKernel accepts, plus the files it reads.
func fakeTree(release, config string, symvers bool) map[string]string {
	files := map[string]string{
		"Makefile":                       "include ../common/Makefile\n",
		".config":                        config,
		"include/generated/utsrelease.h": "#define UTS_RELEASE \"" + release + "\"\n",
	}
	if symvers {
		files["Module.symvers"] = "0x00000000\tprintk\tvmlinux\tEXPORT_SYMBOL\t\n"
	}
	return files
}

func prefixed(prefix string, files map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range files {
		out[prefix+"/"+k] = v
	}
	return out
}

func merge(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

func TestFindKernel(t *testing.T) {
	x86 := "CONFIG_64BIT=y\nCONFIG_X86_64=y\nCONFIG_X86=y\n"
	tests := []struct {
		name       string
		files      map[string]string
		configured string // relative to the temp folder
		uname      string
		wantDir    string // relative; "" means not found
		wantBy     string
		wantRel    string
		wantSkip   []string // substrings of Skipped, in order
		skipCount  int      // when > 0, len(Skipped)
		wantErr    []string // substrings of the error
		notErr     []string // what the error must not mention
	}{
		{
			name:       "configured tree",
			files:      prefixed("kdir", fakeTree("6.1.0-1-test", x86, false)),
			configured: "kdir",
			wantDir:    "kdir", wantBy: "configured", wantRel: "6.1.0-1-test",
		},
		{
			name: "running kernel's build link",
			files: merge(prefixed("lib/modules/6.5.0-host/build", fakeTree("6.5.0-host", x86, false)),
				prefixed("usr/src/linux-headers-6.1.0-56-amd64", fakeTree("6.1.0-56-amd64", x86, true))),
			uname:   "6.5.0-host",
			wantDir: "lib/modules/6.5.0-host/build", wantBy: "running kernel", wantRel: "6.5.0-host",
		},
		{
			name: "configured path that is not a tree is an error naming it",
			files: merge(map[string]string{"notkdir/README": ""},
				prefixed("usr/src/linux-headers-6.1.0-56-amd64", fakeTree("6.1.0-56-amd64", x86, true))),
			configured: "notkdir", uname: "6.5.0-host",
			wantErr: []string{"configured kernel build tree", "notkdir no Makefile", "KERNEL_BUILD_PATH"},
			notErr:  []string{"linux-headers-6.1.0-56-amd64"},
		},
		{
			name:       "configured tree without .config is an error",
			files:      merge(map[string]string{"kdir/Makefile": ""}, prefixed("usr/src/linux-headers-6.1.0-56-amd64", fakeTree("6.1.0-56-amd64", x86, true))),
			configured: "kdir",
			wantErr:    []string{"kdir no .config"},
		},
		{
			name:       "missing configured dir is an error, never another tree",
			files:      prefixed("usr/src/linux-headers-6.1.0-56-amd64", fakeTree("6.1.0-56-amd64", x86, true)),
			configured: "nonexistent", uname: "6.5.0-host",
			wantErr: []string{"nonexistent does not exist", "--kdir", "kernelDir"},
			notErr:  []string{"linux-headers-6.1.0-56-amd64"},
		},
		{
			name: "rt and plain of the same release: plain",
			files: merge(
				prefixed("usr/src/linux-headers-6.12.118+deb12-rt-amd64", fakeTree("6.12.118+deb12-rt-amd64", x86, true)),
				prefixed("usr/src/linux-headers-6.12.118+deb12-amd64", fakeTree("6.12.118+deb12-amd64", x86, true)),
				map[string]string{"usr/src/linux-headers-6.12.118+deb12-common-rt/Makefile": ""},
			),
			uname:   "6.5.0-host",
			wantDir: "usr/src/linux-headers-6.12.118+deb12-amd64", wantBy: "scan", wantRel: "6.12.118+deb12-amd64",
			wantSkip: []string{"6.5.0-host/build", "does not exist",
				"linux-headers-6.12.118+deb12-rt-amd64", "the rt-amd64 flavour; the plain amd64 flavour of the same release is preferred"},
			skipCount: 2, // Debian's -common-rt half is no candidate, so not listed

		},
		{
			name: "newer rt and older plain: the newest release, plain within it",
			files: merge(
				prefixed("usr/src/linux-headers-6.12.118+deb12-rt-amd64", fakeTree("6.12.118+deb12-rt-amd64", x86, true)),
				prefixed("usr/src/linux-headers-6.12.118+deb12-amd64", fakeTree("6.12.118+deb12-amd64", x86, true)),
				prefixed("usr/src/linux-headers-6.1.0-57-amd64", fakeTree("6.1.0-57-amd64", x86, true)),
				prefixed("usr/src/linux-headers-6.1.0-57-rt-amd64", fakeTree("6.1.0-57-rt-amd64", x86, true)),
				prefixed("usr/src/linux-headers-6.13.1-1-rt-amd64", fakeTree("6.13.1-1-rt-amd64", x86, true)),
			),
			wantDir: "usr/src/linux-headers-6.13.1-1-rt-amd64", wantBy: "scan", wantRel: "6.13.1-1-rt-amd64",
			wantSkip: []string{"linux-headers-6.12.118+deb12-amd64", "release 6.12.118+deb12 is older than 6.13.1-1",
				"linux-headers-6.12.118+deb12-rt-amd64", "older",
				"linux-headers-6.1.0-57-amd64", "release 6.1.0-57 is older",
				"linux-headers-6.1.0-57-rt-amd64", "older"},
			skipCount: 4,
		},
		{
			name: "newer plain over older rt",
			files: merge(
				prefixed("usr/src/linux-headers-6.1.0-57-rt-amd64", fakeTree("6.1.0-57-rt-amd64", x86, true)),
				prefixed("usr/src/linux-headers-6.12.118+deb12-rt-amd64", fakeTree("6.12.118+deb12-rt-amd64", x86, true)),
				prefixed("usr/src/linux-headers-6.12.118+deb12-amd64", fakeTree("6.12.118+deb12-amd64", x86, true)),
				prefixed("usr/src/linux-headers-6.1.0-57-amd64", fakeTree("6.1.0-57-amd64", x86, true)),
			),
			wantDir: "usr/src/linux-headers-6.12.118+deb12-amd64", wantBy: "scan", wantRel: "6.12.118+deb12-amd64",
			wantSkip:  []string{"6.12.118+deb12-rt-amd64", "plain amd64 flavour", "6.1.0-57-amd64", "older", "6.1.0-57-rt-amd64", "older"},
			skipCount: 3,
		},
		{
			name: "cloud, rt and plain: plain; cloud over rt by name only among variants",
			files: merge(
				prefixed("usr/src/linux-headers-6.1.0-57-rt-amd64", fakeTree("6.1.0-57-rt-amd64", x86, true)),
				prefixed("usr/src/linux-headers-6.1.0-57-cloud-amd64", fakeTree("6.1.0-57-cloud-amd64", x86, true)),
				prefixed("usr/src/linux-headers-6.1.0-57-amd64", fakeTree("6.1.0-57-amd64", x86, true)),
			),
			wantDir: "usr/src/linux-headers-6.1.0-57-amd64", wantBy: "scan", wantRel: "6.1.0-57-amd64",
			wantSkip:  []string{"6.1.0-57-cloud-amd64", "the cloud-amd64 flavour; the plain amd64", "6.1.0-57-rt-amd64", "the rt-amd64 flavour"},
			skipCount: 2,
		},
		{
			name: "only variants of the newest release: one of them, not an older plain",
			files: merge(
				prefixed("usr/src/linux-headers-6.1.0-57-amd64", fakeTree("6.1.0-57-amd64", x86, true)),
				prefixed("usr/src/linux-headers-6.12.118+deb12-rt-amd64", fakeTree("6.12.118+deb12-rt-amd64", x86, true)),
				prefixed("usr/src/linux-headers-6.12.118+deb12-cloud-amd64", fakeTree("6.12.118+deb12-cloud-amd64", x86, true)),
			),
			wantDir: "usr/src/linux-headers-6.12.118+deb12-cloud-amd64", wantBy: "scan", wantRel: "6.12.118+deb12-cloud-amd64",
			wantSkip: []string{"6.12.118+deb12-rt-amd64", "linux-headers-6.12.118+deb12-cloud-amd64 of the same release sorts first",
				"6.1.0-57-amd64", "older"},
			skipCount: 2,
		},
		{
			name: "the running kernel's tree wins over a newer plain one",
			files: merge(prefixed("lib/modules/6.1.0-57-rt-amd64/build", fakeTree("6.1.0-57-rt-amd64", x86, true)),
				prefixed("usr/src/linux-headers-6.12.118+deb12-amd64", fakeTree("6.12.118+deb12-amd64", x86, true))),
			uname:   "6.1.0-57-rt-amd64",
			wantDir: "lib/modules/6.1.0-57-rt-amd64/build", wantBy: "running kernel", wantRel: "6.1.0-57-rt-amd64",
		},
		{
			name: "newest usable version first",
			files: merge(
				prefixed("usr/src/linux-headers-6.1.0-9-amd64", fakeTree("6.1.0-9-amd64", x86, true)),
				prefixed("usr/src/linux-headers-6.1.0-56-amd64", fakeTree("6.1.0-56-amd64", x86, true)),
				map[string]string{"usr/src/linux-headers-6.1.0-56-common/Makefile": ""},
				prefixed("usr/src/linux-headers-6.10.0-1-amd64", fakeTree("6.10.0-1-amd64", x86, false)),
			),
			wantDir: "usr/src/linux-headers-6.1.0-56-amd64", wantBy: "scan", wantRel: "6.1.0-56-amd64",
			wantSkip:  []string{"6.10.0-1-amd64", "no Module.symvers", "6.1.0-9-amd64", "release 6.1.0-9 is older than 6.1.0-56"},
			skipCount: 2,
		},
		{
			name:  "nothing anywhere",
			files: map[string]string{"usr/src/linux-headers-6.1.0-56-common/Makefile": "", "usr/src/python3.11/x": ""},
			uname: "6.5.0-host",
			wantErr: []string{"no kernel build tree found",
				"lib/modules/6.5.0-host/build", "linux-headers-6.1.0-56-common", "no .config",
				"apt-get install linux-headers-6.5.0-host", "on Debian apt-get install linux-headers-", "KERNEL_BUILD_PATH"},
		},
		{
			name:       "rust.ko's default path is tried once",
			files:      prefixed("usr/src/linux-headers-6.1.0-56-amd64", fakeTree("6.1.0-56-amd64", x86, true)),
			configured: "lib/modules/6.5.0-host/build", uname: "6.5.0-host",
			wantDir: "usr/src/linux-headers-6.1.0-56-amd64", wantBy: "scan", wantRel: "6.1.0-56-amd64",
			wantSkip: []string{"6.5.0-host/build (configured): does not exist"}, skipCount: 1,
		},
		{
			name:    "no headers at all",
			files:   map[string]string{"usr/src/.keep": ""},
			wantErr: []string{"linux-headers-*", "no folder matches", "linux-headers-$(uname -r)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := testtree.Write(t, tt.files)
			s := kernelSearch{
				modulesDir: filepath.Join(dir, "lib/modules"),
				srcDirs:    []string{filepath.Join(dir, "usr/src")},
				release:    func() string { return tt.uname },
				debian:     func() bool { return true },
			}
			configured := ""
			if tt.configured != "" {
				configured = filepath.Join(dir, tt.configured)
			}
			k, err := s.find(context.Background(), configured)
			if tt.wantDir == "" {
				if err == nil {
					t.Fatalf("found %s, want an error", k.Dir)
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error does not mention %q:\n%s", w, err)
					}
				}
				for _, w := range tt.notErr {
					if strings.Contains(err.Error(), w) {
						t.Errorf("error mentions %q:\n%s", w, err)
					}
				}
				if wantConfigured := tt.configured != ""; errors.Is(err, ErrConfiguredKernel) != wantConfigured {
					t.Errorf("errors.Is(err, ErrConfiguredKernel) = %v, want %v", !wantConfigured, wantConfigured)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "Dir", k.Dir, filepath.Join(dir, tt.wantDir))
			eq(t, "Release", k.Release, tt.wantRel)
			eq(t, "ReleaseFrom", k.ReleaseFrom, "include/generated/utsrelease.h")
			eq(t, "Arch", k.Arch, "x86_64")
			eq(t, "SrcArch", k.SrcArch, "x86")
			if !strings.Contains(k.FoundBy, tt.wantBy) {
				t.Errorf("FoundBy = %q, want it to contain %q", k.FoundBy, tt.wantBy)
			}
			skipped := strings.Join(k.Skipped, "\n")
			at := 0
			for _, w := range tt.wantSkip {
				i := strings.Index(skipped[at:], w)
				if i < 0 {
					t.Errorf("Skipped lacks %q (in order):\n%s", w, skipped)
					break
				}
				at += i + len(w)
			}
			if tt.skipCount > 0 && len(k.Skipped) != tt.skipCount {
				t.Errorf("Skipped = %q, want %d entries", k.Skipped, tt.skipCount)
			}
			if len(tt.wantSkip) == 0 && len(k.Skipped) != 0 {
				t.Errorf("Skipped = %q, want none", k.Skipped)
			}
		})
	}
}

func TestKernelArch(t *testing.T) {
	tests := []struct {
		config, arch, srcArch string
	}{
		{"CONFIG_X86_64=y\nCONFIG_X86=y\n", "x86_64", "x86"},
		{"CONFIG_X86_32=y\nCONFIG_X86=y\n", "i386", "x86"},
		{"CONFIG_ARM64=y\n", "aarch64", "arm64"},
		{"CONFIG_ARM=y\n# CONFIG_ARM64 is not set\n", "arm", "arm"},
		{"CONFIG_RISCV=y\nCONFIG_64BIT=y\n", "riscv64", "riscv"},
		{"CONFIG_RISCV=y\n", "riscv32", "riscv"},
		{"CONFIG_PPC64=y\nCONFIG_CPU_LITTLE_ENDIAN=y\n", "ppc64le", "powerpc"},
		{"CONFIG_S390=y\n", "s390x", "s390"},
		{"CONFIG_X86_64=m\n", "", ""},
	}
	for _, tt := range tests {
		dir := testtree.Write(t, map[string]string{".config": tt.config})
		arch, src, from := kernelArch(dir)
		if arch != tt.arch || src != tt.srcArch {
			t.Errorf("%q: arch %q/%q (from %s), want %q/%q", tt.config, arch, src, from, tt.arch, tt.srcArch)
		}
	}
}

func TestKernelReleaseFallbacks(t *testing.T) {
	tests := []struct {
		files    map[string]string
		sub      string
		rel, src string
	}{
		{map[string]string{"k/include/config/kernel.release": "6.1.192\n"}, "k", "6.1.192", "include/config/kernel.release"},
		{map[string]string{"linux-headers-6.2.0-1-arm64/x": ""}, "linux-headers-6.2.0-1-arm64", "6.2.0-1-arm64", "folder name"},
		{map[string]string{"6.3.0-x/build/x": ""}, "6.3.0-x/build", "6.3.0-x", "folder name"},
	}
	for _, tt := range tests {
		dir := testtree.Write(t, tt.files)
		rel, src := kernelRelease(filepath.Join(dir, tt.sub))
		if rel != tt.rel || src != tt.src {
			t.Errorf("%s: %q from %q, want %q from %q", tt.sub, rel, src, tt.rel, tt.src)
		}
	}
}

func TestVersionLess(t *testing.T) {
	ordered := []string{
		"linux-headers-5.10.0-9-amd64",
		"linux-headers-6.1.0-9-amd64",
		"linux-headers-6.1.0-56-amd64",
		"linux-headers-6.1.0-56-common",
		"linux-headers-6.9.0-1-amd64",
		"linux-headers-6.10.0-1-amd64",
	}
	shuffled := []string{ordered[4], ordered[2], ordered[5], ordered[0], ordered[3], ordered[1]}
	sort.Slice(shuffled, func(i, j int) bool { return VersionLess(shuffled[i], shuffled[j]) })
	eq(t, "sorted", shuffled, ordered)
	for i := range ordered {
		if VersionLess(ordered[i], ordered[i]) {
			t.Errorf("VersionLess(%q, itself) = true", ordered[i])
		}
	}
	// rustc releases, as build compares them.
	for _, tt := range []struct {
		a, b string
		want bool
	}{{"1.76", "1.81", true}, {"1.81", "1.76", false}, {"1.9", "1.10", true}, {"0", "1.63", true}, {"1.63", "1.63", false}} {
		if got := VersionLess(tt.a, tt.b); got != tt.want {
			t.Errorf("VersionLess(%s, %s) = %v", tt.a, tt.b, got)
		}
	}
}

func TestSplitFlavour(t *testing.T) {
	tests := []struct{ release, version, flavour string }{
		{"6.1.0-57-amd64", "6.1.0-57", "amd64"},
		{"6.1.0-57-rt-amd64", "6.1.0-57", "rt-amd64"},
		{"6.1.0-57-cloud-amd64", "6.1.0-57", "cloud-amd64"},
		{"6.12.118+deb12-amd64", "6.12.118+deb12", "amd64"},
		{"6.12.118+deb12-rt-amd64", "6.12.118+deb12", "rt-amd64"},
		{"6.12.118+deb12-common-rt", "6.12.118+deb12", "common-rt"},
		{"7.3.4+deb13-amd64", "7.3.4+deb13", "amd64"},
		{"6.8.0-45-generic", "6.8.0-45", "generic"},
		{"6.1.0-57-arm64-16k", "6.1.0-57", "arm64-16k"},
		{"6.9.1", "6.9.1", ""},
	}
	for _, tt := range tests {
		v, f := splitFlavour(tt.release)
		if v != tt.version || f != tt.flavour {
			t.Errorf("splitFlavour(%q) = %q, %q; want %q, %q", tt.release, v, f, tt.version, tt.flavour)
		}
	}
}

// TestFindKernelReal runs the search over this machine's /usr/src, whatever
// is installed there, and checks the choice against the rule rather than
// against one expected folder: no usable tree of a newer release, no plain
// tree of the chosen release when a variant was chosen, and every other
// usable tree named in Skipped.
func TestFindKernelReal(t *testing.T) {
	testkernel.Dir(t) // fails with what to install when there are no headers
	s := defaultSearch
	s.release = func() string { return "0.0.0-not-installed" } // the host kernel is not Debian's
	k, err := s.find(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	chosen := parseHeaderTree(k.Dir, "")
	all, _ := filepath.Glob("/usr/src/linux-headers-*")
	skipped := strings.Join(k.Skipped, "\n")
	for _, d := range all {
		if d == k.Dir || !testkernel.Configured(d) {
			continue
		}
		other := parseHeaderTree(d, "")
		if VersionLess(chosen.version, other.version) {
			t.Errorf("chose %s, but %s is a newer release", k.Dir, d)
		}
		if other.version == chosen.version && other.plain() && !chosen.plain() {
			t.Errorf("chose the %s flavour %s over the plain %s", chosen.flavour, k.Dir, d)
		}
		if !strings.Contains(skipped, d+" (") {
			t.Errorf("Skipped does not say why %s was not chosen:\n%s", d, skipped)
		}
	}
	eq(t, "Release", k.Release, strings.TrimPrefix(filepath.Base(k.Dir), "linux-headers-"))
	if k.Arch == "" || k.SrcArch == "" {
		t.Errorf("no architecture found in %s (from %s)", k.Dir, k.ArchFrom)
	}
	if _, err := os.Stat(k.Symvers); err != nil {
		t.Error(err)
	}
	t.Log(k.Summary())
}
