package module

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
)

// InstalledKernels lists every configured kernel build tree on this machine,
// found where kernel discovery looks (/lib/modules/*/build, then
// /usr/src/linux-headers-*), each holding a Makefile, .config and
// Module.symvers. A tree reached twice (Debian's /lib/modules/<release>/build
// is a symlink into /usr/src) or a second tree of the same release is listed
// once. The order is newest release first and, within a release, the plain
// flavour (amd64) before its variants (rt-amd64, cloud-amd64), so the first
// entry is the tree discovery would choose without a running kernel's tree.
// skipped says which candidates were left out and why (a -common folder has
// no .config), for the people asking why a tree is missing from the matrix.
func InstalledKernels(ctx context.Context) (kernels []*Kernel, skipped []string, err error) {
	return installedIn(ctx, defaultSearch.modulesDir, defaultSearch.srcDirs)
}

func installedIn(ctx context.Context, modulesDir string, srcDirs []string) ([]*Kernel, []string, error) {
	type candidate struct{ dir, foundBy string }
	var cands []candidate
	builds, _ := filepath.Glob(filepath.Join(modulesDir, "*", "build"))
	sort.Strings(builds)
	for _, d := range builds {
		cands = append(cands, candidate{d, filepath.Join(modulesDir, "*", "build") + " scan"})
	}
	for _, src := range srcDirs {
		trees, _ := filepath.Glob(filepath.Join(src, "linux-headers-*"))
		sort.Strings(trees)
		for _, d := range trees {
			cands = append(cands, candidate{d, src + " scan"})
		}
	}

	var kernels []*Kernel
	var skipped []string
	seenDir := map[string]bool{}
	seenRelease := map[string]string{}
	for _, c := range cands {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		real, err := filepath.EvalSymlinks(c.dir)
		if err != nil {
			skipped = append(skipped, fmt.Sprintf("%s (%s): %v", c.dir, c.foundBy, err))
			continue
		}
		if seenDir[real] {
			continue
		}
		seenDir[real] = true
		if why := treeProblem(real, true); why != "" {
			skipped = append(skipped, fmt.Sprintf("%s (%s): %s", c.dir, c.foundBy, why))
			continue
		}
		// The resolved path: the one place the tree's files are, and what
		// kbuild prints in its messages.
		k := describeKernel(real, c.foundBy)
		if first, ok := seenRelease[k.Release]; ok {
			skipped = append(skipped, fmt.Sprintf("%s (%s): release %s is already listed, from %s", c.dir, c.foundBy, k.Release, first))
			continue
		}
		seenRelease[k.Release] = real
		kernels = append(kernels, k)
	}
	sort.SliceStable(kernels, func(i, j int) bool { return installedBefore(kernels[i].Release, kernels[j].Release) })
	return kernels, skipped, nil
}

// installedBefore orders releases newest first, then the plain flavour before
// its variants, then by name.
func installedBefore(a, b string) bool {
	va, fa := splitInstalledRelease(a)
	vb, fb := splitInstalledRelease(b)
	if va != vb {
		return versionLess(vb, va)
	}
	if pa, pb := plainInstalledFlavour(fa), plainInstalledFlavour(fb); pa != pb {
		return pa
	}
	return fa < fb
}

// splitInstalledRelease separates a release into its version and its flavour:
// the trailing dash-separated words that do not start with a digit, so
// 6.1.0-57-amd64 is 6.1.0-57 and amd64, 6.12.118+deb12-rt-amd64 is
// 6.12.118+deb12 and rt-amd64, and Fedora's 6.11.4-301.fc41.x86_64 has no
// flavour.
func splitInstalledRelease(r string) (version, flavour string) {
	parts := strings.Split(r, "-")
	i := len(parts)
	for i > 1 && parts[i-1] != "" && !isDigit(parts[i-1][0]) {
		i--
	}
	return strings.Join(parts[:i], "-"), strings.Join(parts[i:], "-")
}

// plainInstalledFlavour: one word (amd64, arm64, generic) is the flavour
// people run; two or more (rt-amd64, cloud-amd64) are variants of it, as is
// a one-word real-time flavour.
func plainInstalledFlavour(f string) bool {
	if f == "" {
		return true
	}
	words := strings.Split(f, "-")
	return len(words) == 1 && words[0] != "rt" && words[0] != "lowlatency"
}
