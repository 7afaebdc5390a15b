package rustsrc

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/rustko/rustko-lsp/bindings/headerscan"
	"github.com/rustko/rustko-lsp/bindings/index"
	"github.com/rustko/rustko-lsp/bindings/verdict"
	"github.com/rustko/rustko-lsp/module"
)

// Env is what the analysis knows about the module and its kernel. Every
// field may be nil or empty; the checks that need a missing piece are
// skipped rather than guessed. An Env is read-only once in use and may be
// shared by concurrent analyses; it must not be copied after first use.
type Env struct {
	Index   *index.Index   // the configured headers (bindings.Generate / LoadIndex)
	Module  *module.Module // config.mk for quick fixes, C files, KERNEL_HELPERS
	License *module.License
	Symvers *module.Symvers // export status when the index has none
	// Helpers overrides Module.Vars.KernelHelpers (static inline functions
	// that get a C wrapper, so calling them is fine).
	Helpers []string
	// BindingsPaths overrides DefaultBindingsPaths.
	BindingsPaths []string
	// Headers says which other kernel header declares a name; Load it first
	// (the check command does; the server loads it in the background).
	Headers *headerscan.HeaderIndex
	// Elsewhere says which other installed kernel declares a name that no
	// header of this kernel does: a name a newer kernel removed is not a
	// typo. Nil: the finding says to check the spelling.
	Elsewhere *headerscan.Elsewhere
	// CSources holds the text of C files whose editor buffer differs from
	// disk, by absolute path; other C files of the module are read from disk.
	CSources map[string][]byte
	// Sources is the module's files as its build compiles them
	// (ModuleSources); each Rust file's #[cfg] is decided with its crate's
	// features. Nil: ModuleSources(Module) is walked on first need.
	Sources *Sources

	once      sync.Once
	srcOnce   sync.Once
	sources   *Sources
	pathsOnce sync.Once
	paths     []string // bindingsPaths when BindingsPaths is empty
	helpers   map[string]bool
	rustItems map[string]bool                     // items the generated bindings file defines
	consts    map[string]map[uint64][]*index.Item // C type -> value -> macros/enum constants
	shim      *cShim
	model     dataModel
	verdicts  sync.Map // name -> *index.Verdict
	flagTypes sync.Map // C type -> bool
}

func (e *Env) bindingsPaths() []string {
	if e == nil {
		return DefaultBindingsPaths
	}
	if len(e.BindingsPaths) > 0 {
		return e.BindingsPaths
	}
	e.pathsOnce.Do(func() {
		e.paths = DefaultBindingsPaths
		if e.Module != nil && ownKernelModule(e.Module.Root) {
			e.paths = withoutPath(DefaultBindingsPaths, "kernel")
		}
	})
	return e.paths
}

// ownKernelModule says whether the crate has its own module called kernel
// (src/kernel.rs or src/kernel/mod.rs) that is not a re-export of the
// bindings: then kernel::x is the project's x, not the kernel's (a
// character-device project wraps its kernel calls that way).
func ownKernelModule(root string) bool {
	if root == "" {
		return false
	}
	for _, p := range []string{"src/kernel.rs", "src/kernel/mod.rs"} {
		b, err := os.ReadFile(filepath.Join(root, p))
		if err != nil {
			continue
		}
		return !reexportsBindings(string(b))
	}
	return false
}

// reexportsBindings recognises a module that only forwards the bindings
// (`pub use crate::bindings::*;`, `include!(".../bindings.rs")`), which is
// rust.ko's own kernel module.
func reexportsBindings(src string) bool {
	for _, line := range strings.Split(src, "\n") {
		l := strings.Join(strings.Fields(line), " ")
		if strings.HasPrefix(l, "pub use ") && strings.Contains(l, "bindings::*") ||
			strings.HasPrefix(l, "include!(") && strings.Contains(l, "bindings") {
			return true
		}
	}
	return false
}

func withoutPath(paths []string, drop string) []string {
	return slices.DeleteFunc(slices.Clone(paths), func(p string) bool { return p == drop })
}

// prepare computes the tables the checks share, once.
func (e *Env) prepare() {
	e.once.Do(func() {
		helpers := e.Helpers
		if helpers == nil && e.Module != nil {
			helpers = e.Module.Vars.KernelHelpers
		}
		e.helpers = make(map[string]bool, len(helpers))
		for _, h := range helpers {
			e.helpers[h] = true
		}
		e.model = modelFor("")
		if e.Index != nil {
			e.model = modelFor(e.Index.Arch)
			// The tree's build decides plain char, not only the arch:
			// kbuild passes -funsigned-char since 6.2.
			if e.Index.CharUnsigned {
				e.model.charSigned = false
			}
			e.rustItems = readBindingsItems(e.Index.BindingsFile)
			e.consts = typedConstants(e.Index)
		}
		var cfiles []string
		if src := e.sourceSet(); src != nil {
			cfiles = src.C
		} else if e.Module != nil {
			cfiles = e.Module.Vars.CFiles
		}
		e.shim = parseShim(cfiles, e.CSources)
	})
}

func (e *Env) configFile() string {
	if e == nil || e.Module == nil {
		return ""
	}
	if e.Module.ConfigFile != "" {
		return e.Module.ConfigFile
	}
	if e.Module.Root != "" {
		return e.Module.Root + "/config.mk"
	}
	return ""
}

// verdict returns the item's verdict: the one the index carries, else the
// bridge's classification (cached, since the same macro recurs).
func (e *Env) verdict(it *index.Item) *index.Verdict {
	if it.Verdict != nil {
		return it.Verdict
	}
	if v, ok := e.verdicts.Load(it.Name); ok {
		return v.(*index.Verdict)
	}
	v := verdict.Classify(e.Index, it)
	e.verdicts.Store(it.Name, v)
	return v
}

// readBindingsItems lists the top-level Rust items of the generated
// bindings file (c_int and other aliases the generator adds are not C names,
// but they are declared). The file is generated code in a fixed shape, so a
// line scan is enough.
func readBindingsItems(path string) map[string]bool {
	out := map[string]bool{}
	if path == "" {
		return out
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return out
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		rest, ok := strings.CutPrefix(line, "pub ")
		if !ok {
			continue
		}
		rest = strings.TrimPrefix(rest, "unsafe ")
		kw, rest, _ := strings.Cut(rest, " ")
		switch kw {
		case "fn", "struct", "union", "enum", "type", "const", "static", "mod", "trait", "use":
		default:
			continue
		}
		rest = strings.TrimPrefix(rest, "mut ")
		n := 0
		for n < len(rest) && isIdentByte(rest[n]) {
			n++
		}
		if n > 0 {
			out[rest[:n]] = true
		}
	}
	return out
}

// typedConstants groups the macros and enum constants that have a value by
// their C type, so a number passed where a gfp_t goes can be matched with
// GFP_KERNEL.
func typedConstants(ix *index.Index) map[string]map[uint64][]*index.Item {
	out := map[string]map[uint64][]*index.Item{}
	for _, it := range ix.Items {
		if (it.Kind != index.Macro && it.Kind != index.EnumConstant) || it.Value == "" || it.ValueType == "" {
			continue
		}
		v, ok := parseIntLiteral(it.Value)
		if !ok {
			continue
		}
		t := normalizeCType(it.ValueType)
		if out[t] == nil {
			out[t] = map[uint64][]*index.Item{}
		}
		out[t][v] = append(out[t][v], it)
	}
	return out
}

// parseIntLiteral reads a C or Rust integer literal: 0x90, 3264, 0o17,
// 0b101, 1UL, 0x90u32, 1_000, -1 (as two's complement), (u32)5 is not one.
func parseIntLiteral(s string) (uint64, bool) {
	s, neg := strings.CutPrefix(strings.TrimSpace(s), "-")
	s = strings.ReplaceAll(strings.TrimSpace(s), "_", "")
	base := 10
	switch {
	case strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X"):
		base, s = 16, s[2:]
	case strings.HasPrefix(s, "0o"):
		base, s = 8, s[2:]
	case strings.HasPrefix(s, "0b") || strings.HasPrefix(s, "0B"):
		base, s = 2, s[2:]
	case len(s) > 1 && s[0] == '0':
		base, s = 8, s[1:]
	}
	// Drop a type suffix: u32, i64, usize, UL, ULL, u ...
	end := len(s)
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		digit := c >= '0' && c <= '9' || base == 16 && c >= 'a' && c <= 'f'
		if !digit {
			end = i
			break
		}
	}
	suffix := strings.ToLower(s[end:])
	switch suffix {
	case "", "u", "l", "ul", "lu", "ll", "ull", "llu", "u8", "u16", "u32", "u64", "u128", "usize",
		"i8", "i16", "i32", "i64", "i128", "isize":
	default:
		return 0, false
	}
	if end == 0 {
		return 0, false
	}
	v, err := strconv.ParseUint(s[:end], base, 64)
	if err != nil {
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}

// isFlagType says whether a C type is one whose values should be named
// constants: an enum, or a typedef the kernel marks __bitwise (gfp_t,
// fmode_t, slab_flags_t) so that sparse rejects plain numbers for it. Plain
// renames such as size_t also have constants (SIZE_MAX), but a number is
// the normal thing to pass there.
func (e *Env) isFlagType(t string) bool {
	if strings.HasPrefix(t, "enum ") {
		return true
	}
	if v, ok := e.flagTypes.Load(t); ok {
		return v.(bool)
	}
	flag := false
	for _, it := range e.Index.Lookup(t) {
		if it.Kind != index.Typedef {
			continue
		}
		if strings.Contains(it.Decl, "__bitwise") || declLineHas(it.Pos, "__bitwise") {
			flag = true
		}
		break
	}
	e.flagTypes.Store(t, flag)
	return flag
}

// declLineHas reads the header line an item is declared on: the C front
// end expands __bitwise away, the source still says it.
func declLineHas(p index.Pos, word string) bool {
	if p.File == "" || p.Line < 1 {
		return false
	}
	f, err := os.Open(p.File)
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		if n == p.Line {
			return strings.Contains(sc.Text(), word)
		}
	}
	return false
}

// sourceSet is Sources, or the module's walked once; nil without a module
// or when its Cargo.toml cannot be read (its Cfg is then nil: only
// #[cfg(test)] is decided).
func (e *Env) sourceSet() *Sources {
	if e == nil {
		return nil
	}
	if e.Sources != nil {
		return e.Sources
	}
	if e.Module == nil {
		return nil
	}
	e.srcOnce.Do(func() {
		e.sources, _ = ModuleSources(e.Module)
	})
	return e.sources
}
