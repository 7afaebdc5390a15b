package workspace

import (
	"os"
	"path/filepath"
)

// stamp is what a file looked like when it was read: a change of size or
// time, or the file appearing or going, makes an assembled module stale.
type stamp struct {
	path  string
	size  int64
	mtime int64 // ns; -1 when the file did not exist
}

func stampOf(path string) stamp {
	st, err := os.Stat(path)
	if err != nil {
		return stamp{path: path, mtime: -1}
	}
	return stamp{path: path, size: st.Size(), mtime: st.ModTime().UnixNano()}
}

func fresh(stamps []stamp) bool {
	for _, s := range stamps {
		if stampOf(s.path) != s {
			return false
		}
	}
	return true
}

// inputs are the files the assembly read: the makefiles make evaluated
// (every file a variable was assigned in, and the usual ones even when
// absent, so creating config.mk counts), Cargo.toml, the target
// specification, the kernel tree's configuration and exports, rustc, and
// the sources the licence and the module findings were read from.
func (w *Module) inputs() []stamp {
	seen := map[string]bool{}
	var out []stamp
	add := func(p string) {
		if p != "" && !seen[p] {
			seen[p] = true
			out = append(out, stampOf(p))
		}
	}
	for _, f := range []string{"Makefile", "config.mk", "Kbuild", "kbuild.mk", "Cargo.toml"} {
		add(filepath.Join(w.Root, f))
	}
	for name := range w.Where {
		file, _ := w.SetAt(name)
		add(file)
	}
	add(w.Vars.Target)
	if w.Vars.RustRoot != "" {
		add(filepath.Join(w.Vars.RustRoot, "bin", "rustc"))
	}
	kdir := w.Vars.KernelBuildPath
	if w.Kernel != nil {
		kdir = w.Kernel.Dir
	}
	if kdir != "" {
		// A configured tree that was not usable yet becomes usable when
		// these appear.
		add(filepath.Join(kdir, ".config"))
		add(filepath.Join(kdir, "Module.symvers"))
	}
	for _, f := range w.Sources.Files() {
		add(f)
	}
	return out
}
