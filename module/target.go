package module

import (
	"path/filepath"
	"slices"
	"strings"
)

// TargetChoice is the target specification the module builds with and how
// it was found, in the order rust.ko-style builds choose one: TARGET (a
// path, or a target name as cargo's --target takes it), then
// LLVM_TARGET_SPEC, then rust.ko's own convention: its kbuild.mk runs
// `cargo build --target=${UTS_MACHINE}-unknown-none-gnu` with
// RUST_TARGET_PATH set to the module root, so rustc reads
// x86_64-unknown-none-gnu.json from there on x86_64. With none of these,
// rustko's embedded spec for the kernel's architecture is used.
type TargetChoice struct {
	// Var is the variable that names the spec ("TARGET" or
	// "LLVM_TARGET_SPEC"); "" for the convention and the embedded default.
	Var   string
	Value string // Var's value, trimmed
	// Path is the spec file, absolute; "" means the embedded default. When a
	// variable names a spec that does not exist, Path is where it was first
	// looked for and Found is false.
	Path  string
	Found bool
	// Tried lists the files looked at for a target name, in order.
	Tried []string
	// Arch is the UTS_MACHINE the conventional file name was made from.
	Arch string
}

// Convention says whether the spec was found by rust.ko's
// <UTS_MACHINE>-unknown-none-gnu name rather than named by a variable.
func (c TargetChoice) Convention() bool { return c.Var == "" && c.Path != "" }

// targetVars are the variables that can name the spec, in precedence order.
var targetVars = []string{"TARGET", "LLVM_TARGET_SPEC"}

// chooseTarget resolves the module's target spec for the kernel
// architecture arch (UTS_MACHINE, e.g. x86_64).
func chooseTarget(root string, raw map[string]string, arch string) TargetChoice {
	dirs := targetSearchPath(root, raw["RUST_TARGET_PATH"])
	for _, name := range targetVars {
		v := strings.TrimSpace(raw[name])
		if v == "" {
			continue
		}
		c := TargetChoice{Var: name, Value: v}
		c.Path, c.Tried, c.Found = resolveTargetValue(root, v, dirs)
		return c
	}
	if arch == "" {
		return TargetChoice{}
	}
	c := TargetChoice{Arch: arch}
	if p, tried, ok := searchTarget(arch+"-unknown-none-gnu", dirs); ok {
		c.Path, c.Found, c.Tried = p, true, tried
	}
	return c
}

// resolveTargetValue finds the spec a TARGET-like value names. A value
// ending in .json is a file, relative to the module root (cargo runs rustc
// there). Anything else is a target name that rustc looks up as
// <name>.json in RUST_TARGET_PATH's folders; a value with a slash that names
// an existing file is taken as that file, since no target name has one.
func resolveTargetValue(root, v string, dirs []string) (path string, tried []string, found bool) {
	if strings.HasSuffix(v, ".json") || strings.Contains(v, "/") {
		p := absPath(root, v)
		if isFile(p) || strings.HasSuffix(v, ".json") {
			return p, []string{p}, isFile(p)
		}
	}
	p, tried, ok := searchTarget(v, dirs)
	if !ok {
		return tried[0], tried, false
	}
	return p, tried, true
}

// searchTarget looks for name.json in dirs, as rustc does for a --target
// that is not a built-in target name.
func searchTarget(name string, dirs []string) (path string, tried []string, found bool) {
	for _, d := range dirs {
		p := filepath.Join(d, name+".json")
		tried = append(tried, p)
		if isFile(p) {
			return p, tried, true
		}
	}
	return "", tried, false
}

// targetSearchPath is RUST_TARGET_PATH's folders (colon-separated, relative
// ones and empty entries meaning the module root, where cargo runs rustc)
// followed by the root itself. rustc skips the root when RUST_TARGET_PATH
// is set without it, but rustko passes the spec's path, not its name, so a
// spec beside the Makefile is the one the module evidently means.
func targetSearchPath(root, rtp string) []string {
	var dirs []string
	add := func(d string) {
		if d = filepath.Clean(absPath(root, d)); !slices.Contains(dirs, d) {
			dirs = append(dirs, d)
		}
	}
	if strings.TrimSpace(rtp) != "" {
		for _, d := range strings.Split(strings.TrimSpace(rtp), ":") {
			if d == "" {
				d = root
			}
			add(d)
		}
	}
	add(root)
	return dirs
}

// TargetFor is the spec file to build with for a kernel of architecture
// arch (Kernel.Arch), "" for the embedded default. Load chose m.Vars.Target
// for the architecture it could tell before the kernel tree was found (the
// configured tree's, else the machine's); a spec found by rust.ko's naming
// convention must match the kernel actually built for.
func (m *Module) TargetFor(arch string) string {
	if m.Target.Var != "" || arch == "" || arch == m.Target.Arch {
		return m.Vars.Target
	}
	return chooseTarget(m.Root, m.Raw, arch).Path
}

// loadArch is the UTS_MACHINE Load resolves the target convention for: the
// configured kernel tree's, else the machine's, which is what rust.ko's
// default tree (/lib/modules/$(uname -r)/build) is built for.
func loadArch(kdir string) string {
	if kdir != "" {
		if a, _, _ := kernelArch(kdir); a != "" {
			return a
		}
	}
	_, machine := uname()
	return machine
}
