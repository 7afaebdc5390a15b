package module

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
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
	sortInstalled(kernels)
	return kernels, skipped, nil
}

// sortInstalled orders trees as kernel discovery ranks them
// (headerTree.before), by their release rather than their folder's name: a
// /lib/modules/<release>/build tree has no release in its path. Releases are
// unique here (installedIn lists each once), so the release stands in for
// the folder in the final tie-break.
func sortInstalled(ks []*Kernel) {
	tree := func(k *Kernel) headerTree {
		version, flavour := splitFlavour(k.Release)
		return headerTree{dir: k.Release, version: version, flavour: flavour}
	}
	sort.SliceStable(ks, func(i, j int) bool { return tree(ks[i]).before(tree(ks[j])) })
}

// OtherReleases lists, newest first, one installed tree per kernel version
// other than current's (the plain flavour where a version has several: their
// headers declare the same names), each with whether it is older than
// current. It answers "which other kernel declares this name".
func OtherReleases(ctx context.Context, current *Kernel) (kernels []*Kernel, older []bool, err error) {
	all, _, err := InstalledKernels(ctx)
	if err != nil {
		return nil, nil, err
	}
	kernels, older = otherVersions(all, current.Release)
	return kernels, older, nil
}

// otherVersions picks from installed (sorted as InstalledKernels sorts, so
// the plain flavour of a version comes first) one tree per version other
// than release's.
func otherVersions(installed []*Kernel, release string) (kernels []*Kernel, older []bool) {
	version, _ := splitFlavour(release)
	seen := map[string]bool{version: true}
	for _, k := range installed {
		v, _ := splitFlavour(k.Release)
		if seen[v] {
			continue
		}
		seen[v] = true
		kernels = append(kernels, k)
		older = append(older, VersionLess(v, version))
	}
	return kernels, older
}
