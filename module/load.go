package module

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// VarNames are the rust.ko variables Load evaluates, in the order summaries
// list them. KDIR is accepted as another spelling of KERNEL_BUILD_PATH.
var VarNames = []string{
	"KERNEL_MODULE", "KERNEL_BUILD_PATH", "KERNEL_INCLUDE", "KERNEL_HELPERS",
	"RUST_ROOT", "BUILD_DIRECTORY", "C_FILES", "RUST_FILES", "BINDINGS", "TARGET",
	"CARGOFLAGS", "RCFLAGS", "RELEASE", "V",
}

// evaluated adds the spellings make is asked about but that are not Vars
// fields of their own.
// LLVM_TARGET_SPEC and RUST_TARGET_PATH steer the choice of target spec
// (TargetChoice); obj-m names the module when KERNEL_MODULE does not.
var evaluated = append(append([]string(nil), VarNames...), "KDIR", "LLVM_TARGET_SPEC", "RUST_TARGET_PATH", "obj-m")

// Origins reported in Module.Origin besides a makefile's name.
const (
	OriginDefault     = "default"     // rustko's own default: nothing set it
	OriginEnvironment = "environment" // the process environment
	OriginOverride    = "override"    // the overrides map (CLI flag, editor setting)
)

// loadTimeout bounds one make run: evaluating variables takes milliseconds,
// so anything longer is a $(shell ...) that hangs.
var loadTimeout = 10 * time.Second

// environ is the environment Load reads overrides from and passes to make;
// tests replace it.
var environ = os.Environ

// MakeError is make refusing to read the module's makefiles. File and Line
// are where make says the problem is (File absolute), so an editor can put
// the message on that line.
type MakeError struct {
	File    string
	Line    int
	Message string // make's text after "***", e.g. "missing separator.  Stop."
	Stderr  string // everything make printed on stderr
}

func (e *MakeError) Error() string {
	if e.File == "" {
		return fmt.Sprintf("make could not evaluate the rust.ko variables: %s", strings.TrimSpace(e.Stderr))
	}
	msg := strings.TrimSuffix(strings.TrimSuffix(e.Message, "  Stop."), ".")
	hint := ""
	if strings.HasPrefix(msg, "missing separator") {
		hint = ", an assignment looks like `NAME := value`"
	}
	return fmt.Sprintf("%s:%d: %s (make could not read this makefile; fix line %d of %s%s, then retry)", e.File, e.Line, msg, e.Line, e.File, hint)
}

// Load evaluates root's rust.ko variables with GNU make itself, so every make
// feature (:=, ?=, +=, $(shell), $(wildcard), conditionals) means what it
// means when the module is built. Precedence, lowest first: the Makefile's
// defaults, config.mk, the environment, overrides. Nothing is built: make is
// asked only to run a rule of ours that prints the variables.
func Load(ctx context.Context, root string, overrides map[string]string) (*Module, error) {
	root, err := checkLoadArgs(root, overrides)
	if err != nil {
		return nil, err
	}
	cli, fromEnv, env := makeAssignments(overrides)
	out, err := evalMake(ctx, root, cli, env)
	if err != nil {
		return nil, err
	}
	m := newModule(root)
	for _, name := range evaluated {
		v, ok := out.vars[name]
		if !ok {
			return nil, fmt.Errorf("loading module %s: make printed no value for %s; this is a rustko bug, please report it with the Makefile", root, name)
		}
		if v.origin == "undefined" {
			continue
		}
		m.Raw[name] = v.value
		m.Origin[name] = originOf(root, name, v.origin, out.where[name], overrides, fromEnv)
		if w, ok := out.where[name]; ok && (v.origin == "file" || v.origin == "override") {
			m.Where[name] = w
		}
	}
	chooseKDIR(m)
	m.Vars = varsFrom(root, m)
	return m, nil
}

// checkLoadArgs makes root absolute and refuses what no load can use.
func checkLoadArgs(root string, overrides map[string]string) (string, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return "", fmt.Errorf("loading module %s: %w", root, err)
	}
	if !isDir(abs) {
		return "", fmt.Errorf("loading module %s: not a folder; pass the module's root (the folder holding its Makefile)", abs)
	}
	for name := range overrides {
		if !validVarName(name) {
			return "", fmt.Errorf("loading module %s: %q is not a make variable name (letters, digits and _ only)", abs, name)
		}
	}
	return abs, nil
}

func newModule(root string) *Module {
	m := &Module{
		Root:   root,
		Origin: map[string]string{},
		Where:  map[string]string{},
		Raw:    map[string]string{},
	}
	if isFile(filepath.Join(root, "config.mk")) {
		m.ConfigFile = filepath.Join(root, "config.mk")
	}
	return m
}

// assigned collects the rust.ko variables set outside the makefiles: in the
// environment, then the overrides, which win. fromEnv marks the names whose
// value came from the environment; env is the rest of the environment,
// without an outer make's controls.
func assigned(overrides map[string]string) (set map[string]string, fromEnv map[string]bool, env []string) {
	set, fromEnv = map[string]string{}, map[string]bool{}
	for _, kv := range environ() {
		name, value, _ := strings.Cut(kv, "=")
		switch {
		case slices.Contains(evaluated, name):
			set[name] = value
			fromEnv[name] = true
		case isMakeControl(name), name == "PWD", name == "LC_ALL":
			// Dropped: an outer make's flags (jobserver, its own command-line
			// variables) must not leak into this evaluation.
		default:
			env = append(env, kv)
		}
	}
	for name, value := range overrides {
		set[name] = value
		delete(fromEnv, name)
	}
	return set, fromEnv, env
}

// makeAssignments turns overrides and the relevant environment variables
// into make command-line assignments, which beat every assignment in the
// makefiles (plain environment variables would not). It also returns the
// environment make runs with.
func makeAssignments(overrides map[string]string) (cli []string, fromEnv map[string]bool, env []string) {
	set, fromEnv, env := assigned(overrides)
	for _, n := range slices.Sorted(maps.Keys(set)) {
		// $$ keeps a literal $ in a path from being expanded by make.
		cli = append(cli, n+"="+strings.ReplaceAll(set[n], "$", "$$"))
	}
	return cli, fromEnv, append(env, "LC_ALL=C")
}

func isMakeControl(name string) bool {
	switch name {
	case "MAKEFLAGS", "MFLAGS", "GNUMAKEFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "MAKEFILES", "MAKE_TERMOUT", "MAKE_TERMERR":
		return true
	}
	return false
}

var varNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func validVarName(s string) bool { return varNameRE.MatchString(s) }

// originOf maps make's $(origin) to the names Module.Origin documents.
func originOf(root, name, makeOrigin, where string, overrides map[string]string, fromEnv map[string]bool) string {
	switch makeOrigin {
	case "command line":
		if _, ok := overrides[name]; ok {
			return OriginOverride
		}
		if fromEnv[name] {
			return OriginEnvironment
		}
		return OriginOverride
	case "environment", "environment override":
		return OriginEnvironment
	case "file", "override":
		if where == "" {
			return "Makefile"
		}
		return where[:strings.LastIndexByte(where, ':')]
	}
	return OriginDefault
}

// rank orders origins by rust.ko's precedence, to decide between
// KERNEL_BUILD_PATH and KDIR when both are set.
func rank(origin string) int {
	switch origin {
	case OriginOverride:
		return 4
	case OriginEnvironment:
		return 3
	case "Makefile", "Kbuild", OriginDefault, OriginNotEvaluated:
		return 1
	}
	return 2 // config.mk or another included file: it overrides the Makefile
}

// chooseKDIR folds KDIR into KERNEL_BUILD_PATH: whichever was set with the
// higher precedence wins, KERNEL_BUILD_PATH on a tie.
func chooseKDIR(m *Module) {
	kdirOrigin, ok := m.Origin["KDIR"]
	if !ok || m.Raw["KDIR"] == "" {
		return
	}
	kbpOrigin, has := m.Origin["KERNEL_BUILD_PATH"]
	if has && m.Raw["KERNEL_BUILD_PATH"] != "" && rank(kbpOrigin) >= rank(kdirOrigin) {
		return
	}
	m.Raw["KERNEL_BUILD_PATH"] = m.Raw["KDIR"]
	m.Origin["KERNEL_BUILD_PATH"] = kdirOrigin
	if w, ok := m.Where["KDIR"]; ok {
		m.Where["KERNEL_BUILD_PATH"] = w
	} else {
		delete(m.Where, "KERNEL_BUILD_PATH")
	}
}

// varsFrom applies rustko's defaults to unset variables and resolves paths
// against root.
func varsFrom(root string, m *Module) Vars {
	val := func(name, def string) string {
		if v := strings.TrimSpace(m.Raw[name]); v != "" {
			return v
		}
		if def != "" {
			m.Origin[name] = OriginDefault
			delete(m.Where, name)
		}
		return def
	}
	files := func(name, pattern string) []string {
		if _, set := m.Origin[name]; set {
			return absAll(root, strings.Fields(m.Raw[name]))
		}
		m.Origin[name] = OriginDefault
		found, _ := filepath.Glob(filepath.Join(root, pattern))
		sort.Strings(found)
		return found
	}
	v := Vars{
		RustRoot:        absPath(root, val("RUST_ROOT", "/usr")),
		KernelBuildPath: absPath(root, strings.TrimSpace(m.Raw["KERNEL_BUILD_PATH"])),
		KernelModule:    moduleName(root, m),
		KernelInclude:   words(m.Raw["KERNEL_INCLUDE"]),
		KernelHelpers:   words(m.Raw["KERNEL_HELPERS"]),
		BuildDirectory:  absPath(root, val("BUILD_DIRECTORY", "build")),
		CFiles:          files("C_FILES", "src/*.c"),
		RustFiles:       files("RUST_FILES", "src/*.rs"),
		CargoFlags:      strings.TrimSpace(m.Raw["CARGOFLAGS"]),
		RCFlags:         strings.TrimSpace(m.Raw["RCFLAGS"]),
		// rust.ko tests `ifeq ($(RELEASE),1)`: only "1" means release.
		Release:  strings.TrimSpace(m.Raw["RELEASE"]) == "1",
		Verbose:  verbose(m.Raw["V"]),
		Bindings: absPath(root, val("BINDINGS", "src/bindings.rs")),
	}
	m.Target = chooseTarget(root, m.Raw, loadArch(v.KernelBuildPath))
	v.Target = m.Target.Path
	for _, name := range VarNames {
		if _, set := m.Origin[name]; !set {
			m.Origin[name] = OriginDefault // empty, or rustko's own default (TARGET: the embedded spec)
		}
	}
	return v
}

// words splits a list variable as rust.ko's build.rs did (ShellWords).
func words(s string) []string {
	w, _ := ShellWords(s)
	return w
}

// verbose follows kbuild, where V=1 and V=2 both mean verbose.
func verbose(s string) bool {
	s = strings.TrimSpace(s)
	n, err := strconv.Atoi(s)
	return err == nil && n > 0
}

func absPath(root, p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(root, p)
}

func absAll(root string, ps []string) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, absPath(root, p))
	}
	return out
}

// moduleName is KERNEL_MODULE when set, else the name kbuild gives the .ko:
// obj-m's first object in Kbuild (which kbuild reads instead of the
// Makefile) or in the Makefile, else the Cargo package name or the folder
// name. Origin and Where then point at the obj-m assignment.
func moduleName(root string, m *Module) string {
	if v := strings.TrimSpace(m.Raw["KERNEL_MODULE"]); v != "" {
		return v
	}
	type source struct{ value, where string }
	var sources []source
	if v, where, ok := literalAssignment(root, "Kbuild", "obj-m"); ok {
		sources = append(sources, source{v, where})
	}
	if v, ok := m.Raw["obj-m"]; ok {
		sources = append(sources, source{v, m.Where["obj-m"]})
	} else if v, where, ok := literalAssignment(root, "Makefile", "obj-m"); ok {
		sources = append(sources, source{v, where})
	}
	m.Origin["KERNEL_MODULE"] = OriginDefault
	delete(m.Where, "KERNEL_MODULE")
	for _, s := range sources {
		if name := objName(s.value); name != "" {
			if s.where != "" {
				m.Origin["KERNEL_MODULE"] = strings.SplitN(s.where, ":", 2)[0]
				m.Where["KERNEL_MODULE"] = s.where
			}
			return name
		}
	}
	return defaultModuleName(root)
}

// objName is the module an obj-m value builds: its first foo.o, as foo.
// A value that make could not expand fully (an unset KERNEL_MODULE leaves
// ".o") names nothing.
func objName(v string) string {
	for _, w := range strings.Fields(v) {
		if name, ok := strings.CutSuffix(w, ".o"); ok && name != "" && !strings.ContainsAny(name, "$/(){}") {
			return name
		}
	}
	return ""
}

// defaultModuleName is the Cargo package name, else the folder name: the
// same name rust.ko's hello example uses for both. A Cargo.toml that does not
// parse names nothing here; the crate walk reports it.
func defaultModuleName(root string) string {
	if m, _ := ReadManifest(filepath.Join(root, "Cargo.toml")); m.Name() != "" {
		return m.Name()
	}
	return filepath.Base(root)
}

var errNoMake = errors.New("GNU make is needed to read the rust.ko variables")
