package module

import (
	"cmp"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// argWithValue lists options whose value is the next argument. They are
// kept as pairs so the value is never mistaken for a source file; the ones
// naming a folder or file are made absolute: kbuild ran the compiler in a
// folder of its own (see parseCompileCommand).
var argWithValue = map[string]bool{
	"-x": true, "--param": true, "-imacros": true, "-idirafter": true, "-iquote": true,
	"-iprefix": true, "-iwithprefix": true, "-iwithprefixbefore": true, "-isysroot": true,
	"-Xassembler": true, "-Xpreprocessor": true, "-Xlinker": true, "-aux-info": true,
}

var pathValued = map[string]bool{"-imacros": true, "-idirafter": true, "-iquote": true, "-isysroot": true}

// dropped are options that belong to one compilation (its output and
// dependency files), not to how kbuild compiles C in general.
var droppedWithValue = map[string]bool{"-o": true, "-MF": true, "-MT": true, "-MQ": true}

// ownValue are the options Flags keeps in fields of their own, written
// here with the value as the next argument.
var ownValue = map[string]bool{"-I": true, "-isystem": true, "-include": true, "-D": true, "-U": true}

// targetFFlags are -f options that change the ABI or predefined macros
// (__pie__, __WCHAR_TYPE__, __CHAR_UNSIGNED__, __SSP_STRONG__, __CET__ ...),
// which a C front end that is not gcc must reproduce.
var targetFFlags = []string{
	"-fshort-wchar", "-fno-short-wchar", "-fpie", "-fPIE", "-fno-pie", "-fno-PIE", "-fpic", "-fPIC",
	"-fno-pic", "-fno-PIC", "-fsigned-char", "-funsigned-char", "-fcf-protection", "-fstack-protector",
	"-fno-stack-protector", "-fsanitize", "-fshort-enums", "-fpack-struct", "-ffreestanding", "-fno-builtin",
}

func isTargetFlag(a string) bool {
	if strings.HasPrefix(a, "-m") || strings.HasPrefix(a, "-O") {
		return true
	}
	for _, p := range targetFFlags {
		if a == p || strings.HasPrefix(a, p+"=") || strings.HasPrefix(a, p+"-") {
			return true
		}
	}
	return false
}

// parseCompileCommand turns a compiler argv kbuild printed for source into
// Flags. Relative paths are resolved against dir, the folder kbuild ran the
// compiler in (the kernel tree before 6.13, the module's folder since), so
// the flags work from anywhere.
func parseCompileCommand(argv []string, dir, source string) (*Flags, error) {
	// Launchers such as ccache wrap the compiler (Debian's CC may add ccache).
	start := 0
	for start < len(argv)-1 && isLauncher(argv[start]) {
		start++
	}
	if start >= len(argv) {
		return nil, fmt.Errorf("empty compiler command")
	}
	f := &Flags{Compiler: argv[start], Raw: append([]string(nil), argv...), Dir: dir}
	abs := func(p string) string { return absPath(dir, p) }
	args := argv[start+1:]
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == source || (source != "" && abs(a) == source) {
			continue
		}
		var v string
		if droppedWithValue[a] || argWithValue[a] || ownValue[a] {
			if i+1 >= len(args) {
				return nil, fmt.Errorf("compiler command ends after %s, which needs a value", a)
			}
			i++
			v = args[i]
		}
		switch {
		case a == "-c", a == "-MD", a == "-MMD", a == "-MP":
			// per-compilation: output mode and dependency tracking
		case droppedWithValue[a]:
		case strings.HasPrefix(a, "-Wp,-MD,"), strings.HasPrefix(a, "-Wp,-MMD,"), strings.HasPrefix(a, "-o") && len(a) > 2:
		case a == "-I", a == "-isystem":
			f.addInclude(abs(v), a == "-isystem")
		case strings.HasPrefix(a, "-isystem"):
			f.addInclude(abs(a[len("-isystem"):]), true)
		case strings.HasPrefix(a, "-I"):
			f.addInclude(abs(a[2:]), false)
		case a == "-include":
			f.ForcedIncludes = append(f.ForcedIncludes, abs(v))
		case a == "-D", a == "-U":
			f.define(a[1], v)
		case strings.HasPrefix(a, "-D"), strings.HasPrefix(a, "-U"):
			f.define(a[1], a[2:])
		case strings.HasPrefix(a, "-std="):
			f.Std = strings.TrimPrefix(a, "-std=")
		case argWithValue[a]:
			if pathValued[a] {
				v = abs(v)
			}
			f.Other = append(f.Other, a, v)
		case isTargetFlag(a):
			f.TargetFlags = append(f.TargetFlags, a)
		default:
			f.Other = append(f.Other, a)
		}
	}
	return f, nil
}

func isLauncher(a string) bool {
	switch filepath.Base(a) {
	case "ccache", "distcc", "sccache", "icecc":
		return true
	}
	return false
}

func (f *Flags) addInclude(dir string, system bool) {
	if dir == "" {
		return // gcc ignores an empty folder name; keeping it would break CompilerArgs
	}
	f.IncludeDirs = append(f.IncludeDirs, dir)
	if system {
		f.SystemIncludeDirs = append(f.SystemIncludeDirs, dir)
	}
}

// define applies -D (op 'D') or -U (op 'U') in command-line order, the way
// cpp does: a later -U cancels an earlier -D and the reverse.
func (f *Flags) define(op byte, arg string) {
	name, value, has := arg, "", false
	if op == 'D' { // -U takes a bare name
		name, value, has = strings.Cut(arg, "=")
	}
	f.Defines = slices.DeleteFunc(f.Defines, func(d Define) bool { return d.Name == name })
	f.Undefines = slices.DeleteFunc(f.Undefines, func(u string) bool { return u == name })
	if op == 'D' {
		f.Defines = append(f.Defines, Define{Name: name, Value: value, HasValue: has})
	} else {
		f.Undefines = append(f.Undefines, name)
	}
}

// CompilerArgs are the arguments (without the compiler itself, and without
// -c, -o or a source file) that compile a C file the way kbuild compiles a
// module's C files: append "-c -o x.o x.c" or "-fsyntax-only x.c".
// cpp applies every -D/-U before any -include, so grouping them keeps
// kbuild's meaning.
func (f *Flags) CompilerArgs() []string {
	args := append([]string(nil), f.Other...)
	args = append(args, f.TargetFlags...)
	if f.Std != "" {
		args = append(args, "-std="+f.Std)
	}
	// A folder may be named by both -I and -isystem: count, so the
	// arguments name it as a system folder as many times as the flags do.
	system := map[string]int{}
	for _, d := range f.SystemIncludeDirs {
		system[d]++
	}
	for _, d := range f.IncludeDirs {
		if system[d] > 0 {
			system[d]--
			args = append(args, "-isystem", d)
		} else {
			args = append(args, "-I"+d)
		}
	}
	for _, u := range f.Undefines {
		if u == "" {
			args = append(args, "-U", "") // "-U" alone would take the next argument
			continue
		}
		args = append(args, "-U"+u)
	}
	for _, d := range f.Defines {
		switch {
		case d.Name == "" && !d.HasValue:
			args = append(args, "-D", "")
		case d.HasValue:
			args = append(args, "-D"+d.Name+"="+d.Value)
		default:
			args = append(args, "-D"+d.Name)
		}
	}
	for _, inc := range f.ForcedIncludes {
		args = append(args, "-include", inc)
	}
	return args
}

// keyTargetFlags are the target flags a person checks first: word size,
// code model, and the FPU/SIMD and red-zone bans kernel code lives under.
var keyTargetFlags = []string{
	"-m64", "-m32", "-mcmodel=", "-mno-red-zone", "-mno-sse", "-mno-mmx", "-mno-80387", "-mgeneral-regs-only",
	"-march=", "-mabi=", "-msoft-float", "-mfloat-abi=", "-mno-fp-ret-in-387",
}

// Summary is one line for people: compiler, include dirs, forced includes,
// defines and the key target flags.
func (f *Flags) Summary() string {
	var forced []string
	for _, inc := range f.ForcedIncludes {
		forced = append(forced, filepath.Base(inc))
	}
	var key []string
	for _, t := range f.TargetFlags {
		if slices.ContainsFunc(keyTargetFlags, func(k string) bool { return t == k || (strings.HasSuffix(k, "=") && strings.HasPrefix(t, k)) }) {
			key = append(key, t)
		}
	}
	return fmt.Sprintf("%s, %d include dirs, forced includes %s, %d defines, -std=%s, target %s (%d target flags, %d others)",
		f.Compiler, len(f.IncludeDirs), cmp.Or(strings.Join(forced, " "), "none"), len(f.Defines),
		cmp.Or(f.Std, "compiler default"), cmp.Or(strings.Join(key, " "), "none"), len(f.TargetFlags), len(f.Other))
}
