package objcheck

import (
	"context"
	"debug/elf"
	"fmt"
	"log/slog"
	"maps"
	"path/filepath"
	"slices"
	"sort"

	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/module"
)

// Options says what Check checks the object against.
type Options struct {
	// Symvers is the kernel's exported symbols (module.ReadSymvers). Nil
	// means nothing is exported: every undefined symbol not in Defined is
	// reported.
	Symvers *module.Symvers
	// Defined lists the symbols the rest of the module (the C shim and
	// helpers) defines, which the Rust object may leave undefined.
	Defined []string
	// Sources is the module root: relative DWARF paths are resolved
	// against it, and lines inside it are preferred over core's when code
	// was inlined.
	Sources string
	// Crate is the crate root file (src/lib.rs) that findings without a
	// line (no DWARF, a reference from data) point at; "" means the object.
	Crate string
	// License is the module's MODULE_LICENSE; when set and not
	// GPL-compatible, GPL-only symbols are reported as modpost would.
	License string

	// The mitigations the kernel was built with and rustc was asked to
	// generate code for (build derives them from .config); the checks
	// verify the object has them.
	//
	// IBT (CONFIG_X86_KERNEL_IBT): every function that can be called
	// indirectly starts with endbr64.
	IBT bool
	// ReturnThunk (CONFIG_MITIGATION_RETHUNK): no bare ret; returns jump
	// to __x86_return_thunk.
	ReturnThunk bool
	// Retpoline (CONFIG_MITIGATION_RETPOLINE): no indirect call or jmp;
	// they go through __x86_indirect_thunk_*.
	Retpoline bool
}

// Finding codes Check reports.
const (
	CodeFloat          = diagnostics.CodeFloatInstruction
	CodeGOT            = diagnostics.CodeGOTRelocation
	CodeRelocation     = diagnostics.CodeUnsupportedRelocation
	CodeRedZone        = diagnostics.CodeRedZone
	CodeUndefined      = diagnostics.CodeUndefinedSymbol
	CodeGPLOnly        = diagnostics.CodeGPLOnlySymbol
	CodeEndbr          = diagnostics.CodeMissingEndbr
	CodeBareReturn     = diagnostics.CodeBareReturn
	CodeIndirectBranch = diagnostics.CodeIndirectBranch
	maxFindingsByCode  = 50
)

// Check inspects the x86_64 relocatable obj, the Rust object before kbuild
// links it, for what the kernel cannot run or load, and returns findings
// mapped to Rust source lines where the object's line tables allow. The
// error is for an object that cannot be read at all.
func Check(ctx context.Context, obj string, o Options) ([]diagnostics.Finding, error) {
	ob, err := openObject(obj)
	if err != nil {
		return nil, fmt.Errorf("checking the Rust object: %w", err)
	}
	fs, err := checkObject(ctx, ob, o)
	if err != nil {
		return nil, fmt.Errorf("checking the Rust object: %w", err)
	}
	return fs, nil
}

func checkObject(ctx context.Context, ob *object, o Options) ([]diagnostics.Finding, error) {
	c, err := newChecker(ob, o)
	if err != nil {
		return nil, err
	}
	for _, step := range []func(){c.code, c.endbr, c.relocations, c.undefined, c.reportPrecompiled} {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		step()
	}
	return c.result(), nil
}

// checker holds one object's indexes while the checks run.
type checker struct {
	o      *object
	opts   Options
	lay    *layout
	lines  *lineInfo
	funcs  funcIndex
	roots  sourceRoots
	found  []diagnostics.Finding
	counts map[string]int
	// precompiled holds the mitigation findings about the toolchain's
	// precompiled code, reported together at the end.
	precompiled precompiledHits
}

func newChecker(ob *object, o Options) (*checker, error) {
	lay, err := newLayout(ob.f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ob.path, err)
	}
	c := &checker{o: ob, opts: o, lay: lay, funcs: newFuncIndex(ob), counts: map[string]int{}}
	if o.Sources != "" {
		if abs, err := filepath.Abs(o.Sources); err == nil {
			c.roots.root = filepath.Clean(abs)
		}
	}
	// Broken or unusual DWARF costs line numbers, not the checks.
	c.lines, err = loadLineInfo(ob, lay)
	if err != nil {
		slog.Warn("objcheck: no source lines for findings", "object", ob.path, "err", err)
		c.lines = &lineInfo{}
	}
	return c, nil
}

func (c *checker) add(f diagnostics.Finding) {
	c.counts[f.Code]++
	if c.counts[f.Code] > maxFindingsByCode {
		return
	}
	f.Source = diagnostics.SourceObject
	if f.Severity == 0 {
		f.Severity = diagnostics.Error
	}
	c.found = append(c.found, f)
}

// result sorts findings by place and says how many were left out.
func (c *checker) result() []diagnostics.Finding {
	sort.SliceStable(c.found, func(i, j int) bool {
		a, b := c.found[i], c.found[j]
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Range.Start.Line < b.Range.Start.Line
	})
	for _, code := range slices.Sorted(maps.Keys(c.counts)) {
		if n := c.counts[code]; n > maxFindingsByCode {
			file, rg := c.fallback()
			c.found = append(c.found, diagnostics.Finding{
				File: file, Range: rg, Severity: diagnostics.Info, Code: code, Source: diagnostics.SourceObject,
				Message: fmt.Sprintf("%d more %s findings not shown", n-maxFindingsByCode, code),
			})
		}
	}
	return c.found
}

// codeSections are the executable sections with bytes, with their indexes.
func (c *checker) codeSections() []int {
	var out []int
	for i, s := range c.o.f.Sections {
		if s.Type == elf.SHT_PROGBITS && s.Flags&elf.SHF_EXECINSTR != 0 && s.Flags&elf.SHF_ALLOC != 0 {
			out = append(out, i)
		}
	}
	return out
}

// funcName is a function's demangled name for messages.
func (c *checker) funcName(sec int, off uint64) string {
	if n := c.funcs.at(sec, off); n != "" {
		return Demangle(n)
	}
	return "code in section " + c.o.f.Sections[sec].Name
}

// exported looks name up in Module.symvers.
func (c *checker) exported(name string) (exported, gplOnly bool) {
	if c.opts.Symvers == nil {
		return false, false
	}
	e, ok := c.opts.Symvers.Lookup(name)
	return ok, ok && e.GPLOnly()
}
