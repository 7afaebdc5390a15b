package bindings

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"

	"modernc.org/cc/v4"

	"github.com/rustko/rustko-lsp/internal/filecache"
	"github.com/rustko/rustko-lsp/module"
)

// headersSource names the synthetic sources that #include the configured
// headers (suffixed #N: cc/v4 wants unique source names).
const headersSource = "<rustko-headers>"

// frontEnd is one configured run of the C front end over the headers.
type frontEnd struct {
	cfg     *cc.Config
	sources []cc.Source
	fs      *recordingFS
	headers []string // configured headers, absolute
	ast     *cc.AST
}

// ccArch maps kbuild's UTS_MACHINE to the GOARCH name cc/v4's ABI tables use.
func ccArch(k *module.Kernel) (string, error) {
	arch := ""
	if k != nil {
		arch = k.Arch
		if arch == "" {
			arch = k.SrcArch
		}
	}
	switch arch {
	case "":
		return runtime.GOARCH, nil
	case "x86_64", "x86", "amd64":
		return "amd64", nil
	case "arm64", "aarch64":
		return "arm64", nil
	}
	return "", fmt.Errorf("kernel architecture %q is not supported by the bindings generator (x86_64 and arm64 are)", arch)
}

// vaList is gcc's __builtin_va_list for an architecture, defined before
// cc/v4's builtins, which make it a void pointer everywhere. On x86-64 it
// is an array of one record: 24 bytes inside a record (a void pointer was
// 8) and, as a parameter, a pointer to the record.
var vaList = map[string]string{
	"amd64": `#define __builtin_va_list __builtin_va_list
typedef struct __va_list_tag {
	unsigned int gp_offset;
	unsigned int fp_offset;
	void *overflow_arg_area;
	void *reg_save_area;
} __builtin_va_list[1];
`,
}

// newFrontEnd configures cc/v4 the way kbuild configures gcc for a module
// object: same include search, the forced includes as the first sources in
// kbuild's order (as -include options cc/v4 would keep only their macros),
// the compiler's predefined macros under the kbuild target flags, and gcc's
// layout rules.
func newFrontEnd(ctx context.Context, k *module.Kernel, f *module.Flags, headers []string) (*frontEnd, error) {
	if f == nil {
		return nil, errors.New("no kbuild flags: capture them with module.CaptureFlags first")
	}
	arch, err := ccArch(k)
	if err != nil {
		return nil, err
	}
	abi, err := cc.NewABI("linux", arch)
	if err != nil {
		return nil, fmt.Errorf("C front end: %w", err)
	}
	resolved, err := resolveHeaders(headers, f.IncludeDirs)
	if err != nil {
		return nil, err
	}
	predefined, err := cachedPredefined(ctx, f)
	if err != nil {
		return nil, err
	}
	// cc/v4's ABI table knows only the architecture's default, and kbuild
	// passes -funsigned-char since 6.2: gcc's own answer is in its macros.
	abi.SignedChar = !predefines(predefined, "__CHAR_UNSIGNED__")
	rfs := newRecordingFS(ctx)
	cfg := &cc.Config{
		ABI:             abi,
		Predefined:      predefined,
		IncludePaths:    append([]string{""}, f.IncludeDirs...),
		SysIncludePaths: slices.Clone(f.IncludeDirs),
		FS:              rfs,
		ABILayout:       true,
		UnsignedEnums:   true,
		// Nothing generated depends on the bodies of the ~3,000 static
		// inline functions: skip them unexpanded (most of the front end's
		// work), and never type check what is left.
		Header:             true,
		SkipFunctionBodies: true,
	}
	std := f.Std
	if std == "" {
		std = "gnu11"
	}
	if err := cfg.ApplyOptions("-std=" + std); err != nil {
		return nil, fmt.Errorf("C front end: %w", err)
	}
	srcs := []cc.Source{{Name: "<predefined>", Value: predefined}}
	if v := vaList[arch]; v != "" {
		srcs = append(srcs, cc.Source{Name: "<va_list>", Value: v})
	}
	srcs = append(srcs, cc.Source{Name: "<builtin>", Value: cc.Builtin})
	for _, inc := range f.ForcedIncludes {
		srcs = append(srcs, cc.Source{Name: inc})
	}
	// A header named as #include names it is included that way, so the
	// search (and #include_next inside it) works as in kbuild; one given
	// by absolute path is a source of its own.
	var paths []string
	for _, h := range resolved {
		paths = append(paths, h.path)
		if filepath.IsAbs(h.name) {
			srcs = append(srcs, cc.Source{Name: h.path})
			continue
		}
		srcs = append(srcs, cc.Source{Name: fmt.Sprintf("%s#%d", headersSource, len(srcs)), Value: "#include <" + h.name + ">\n"})
	}
	return &frontEnd{cfg: cfg, sources: srcs, fs: rfs, headers: paths}, nil
}

// predefines reports whether gcc's -dM output defines name.
func predefines(macros, name string) bool {
	for line := range strings.Lines(macros) {
		if rest, ok := strings.CutPrefix(line, "#define "+name); ok && (rest == "" || rest[0] == ' ' || rest[0] == '\n') {
			return true
		}
	}
	return false
}

// resolveHeaders finds each header the way #include <h> does, so a missing
// one is reported before the front end runs, with the directories searched.
type header struct{ name, path string }

func resolveHeaders(headers, dirs []string) ([]header, error) {
	if len(headers) == 0 {
		return nil, errors.New("no headers to generate bindings for")
	}
	var out []header
	seen := map[string]bool{}
	for _, h := range headers {
		h = strings.TrimSpace(h)
		h = strings.TrimSuffix(strings.TrimPrefix(h, "<"), ">")
		if h == "" {
			continue
		}
		p, err := findHeader(h, dirs)
		if err != nil {
			return nil, err
		}
		if !seen[p] {
			seen[p] = true
			out = append(out, header{h, p})
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no headers to generate bindings for")
	}
	return out, nil
}

func findHeader(h string, dirs []string) (string, error) {
	if filepath.IsAbs(h) {
		if isRegular(h) {
			return filepath.Clean(h), nil
		}
		return "", fmt.Errorf("header %s does not exist", h)
	}
	for _, d := range dirs {
		p := filepath.Join(d, h)
		if isRegular(p) {
			return p, nil
		}
	}
	return "", &HeaderNotFoundError{Header: h, Dirs: dirs}
}

// HeaderNotFoundError is a header (KERNEL_INCLUDE's, usually) that is in no
// include directory of the kernel tree: the module's own mistake, which
// callers report where the module names the header, unlike a header that
// is there but does not parse.
type HeaderNotFoundError struct {
	Header string
	Dirs   []string // searched, in order
}

func (e *HeaderNotFoundError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "header %s not found in the kernel include path; searched:", e.Header)
	for _, d := range e.Dirs {
		fmt.Fprintf(&b, "\n  %s", d)
	}
	if len(e.Dirs) == 0 {
		b.WriteString(" (no include directories: the kbuild flags were not captured)")
	}
	b.WriteString("\ncheck its spelling (headers are named as in #include, e.g. linux/fs.h) or the KERNEL_INCLUDE variable")
	return b.String()
}

func isRegular(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// cachedPredefined returns predefinedMacros, kept in the cache folder keyed
// by the compiler binary (path, size, mtime) and its arguments: running
// gcc costs a tenth of a cold generation and its answer only changes when
// the compiler or the flags do.
func cachedPredefined(ctx context.Context, f *module.Flags) (string, error) {
	cache, err := filecache.Default()
	if err != nil {
		return predefinedMacros(ctx, f)
	}
	bin := compilerPath(f.Compiler)
	st, err := os.Stat(bin)
	if bin == "" || err != nil {
		return predefinedMacros(ctx, f)
	}
	parts := []string{"predefined v1", bin, fmt.Sprint(st.Size()), fmt.Sprint(st.ModTime().UnixNano())}
	key := filecache.KeyOf(append(parts, f.CompilerArgs()...)...)
	if b, err := cache.Get(predefinedKind, key); err == nil {
		return string(b), nil
	}
	s, err := predefinedMacros(ctx, f)
	if err != nil {
		return "", err
	}
	if err := cache.Set(predefinedKind, key, []byte(s)); err != nil {
		slog.Debug("predefined macros not cached", "err", err)
	}
	return s, nil
}

// predefinedKind is the cache kind of a compiler's predefined macros.
const predefinedKind = "predefined-macros"

// predefinedMacros asks the kernel's compiler for its predefined macros
// under kbuild's flags (target flags, -std, -O2 ... change them), with the
// -D and -U options applied, without the forced includes.
func predefinedMacros(ctx context.Context, f *module.Flags) (string, error) {
	compiler := f.Compiler
	if compiler == "" {
		compiler = "gcc"
	}
	var args []string
	all := f.CompilerArgs()
	for i := 0; i < len(all); i++ {
		a := all[i]
		switch {
		case a == "-include" || a == "-isystem" || a == "-MF" || a == "-MT" || a == "-MQ":
			i++
		case strings.HasPrefix(a, "-I"), strings.HasPrefix(a, "-Wp,"), strings.HasPrefix(a, "-M"):
		default:
			args = append(args, a)
		}
	}
	args = append(args, "-nostdinc", "-dM", "-E", "-x", "c", "-")
	out, err := runTool(ctx, []byte{}, compiler, args...)
	if err != nil {
		return "", fmt.Errorf("reading the predefined macros of %s with the kbuild flags: %w", compiler, err)
	}
	return string(out), nil
}

// translate runs the front end. cc/v4 must not take the process down on a
// header it cannot handle, so a panic becomes an error naming the headers.
func (fe *frontEnd) translate(ctx context.Context) (ast *cc.AST, err error) {
	defer func() {
		if r := recover(); r != nil {
			slog.Debug("C front end panic", "value", r, "stack", string(debug.Stack()))
			err = fmt.Errorf("the C front end failed on %s: %v (a front-end bug: please report it with this header list)",
				strings.Join(fe.headers, " "), r)
		}
	}()
	ast, err = cc.Translate(fe.cfg, fe.sources)
	if ctx.Err() != nil {
		return nil, fmt.Errorf("parsing the kernel headers: %w", context.Cause(ctx))
	}
	if err != nil {
		return nil, frontEndError(err)
	}
	fe.ast = ast
	return ast, nil
}

var frontEndOrigin = regexp.MustCompile(`\s*\([a-z0-9_]+\.go:\d+:[^)]*\)\s*$`)

// frontEndError keeps the first few diagnostics; they have the form
// file:line:col: message already.
func frontEndError(err error) error {
	lines := strings.Split(strings.TrimSpace(err.Error()), "\n")
	for i, l := range lines {
		// cc/v4 appends where in its own source it noticed the problem
		// ("(check.go:347:checkScope:)"): of no use to the header's author.
		lines[i] = strings.TrimSpace(frontEndOrigin.ReplaceAllString(l, ""))
	}
	total := len(lines)
	const keep = 10
	more := ""
	if total > keep {
		more = fmt.Sprintf("\n  ... and %d more", len(lines)-keep)
		lines = lines[:keep]
	}
	return fmt.Errorf("the kernel headers do not parse (%d problem(s)):\n  %s%s", total, strings.Join(lines, "\n  "), more)
}
