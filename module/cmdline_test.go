package module

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/internal/proc"
	"mvdan.cc/sh/v3/syntax"
)

func TestSplitShell(t *testing.T) {
	tests := []struct {
		line string
		want [][]string
		err  string
	}{
		{"gcc -c x.c", [][]string{{"gcc", "-c", "x.c"}}, ""},
		{`  gcc -DKBUILD_MODNAME='"x"' -c x.c`, [][]string{{"gcc", `-DKBUILD_MODNAME="x"`, "-c", "x.c"}}, ""},
		{`gcc -D"KBUILD_BASENAME=KBUILD_STR(x)" x.c`, [][]string{{"gcc", "-DKBUILD_BASENAME=KBUILD_STR(x)", "x.c"}}, ""},
		{`gcc -D"S=\"a b\"" -DQ=a\ b`, [][]string{{"gcc", `-DS="a b"`, "-DQ=a b"}}, ""},
		{`gcc "a\b" 'c\d'`, [][]string{{"gcc", `a\b`, `c\d`}}, ""},
		{"gcc x.c   ; ./objtool --module x.o", [][]string{{"gcc", "x.c"}, {"./objtool", "--module", "x.o"}}, ""},
		{"set -e; a && b || c | d & e", [][]string{{"set", "-e"}, {"a"}, {"b"}, {"c"}, {"d"}, {"e"}}, ""},
		// kbuild's genksyms and .cmd lines: the commands sh runs, without
		// the keywords, braces and redirections (2> is fd 2's, not an argument).
		{"if nm x.o 2>/dev/null | grep -q k; then y >> f.cmd; fi", [][]string{{"nm", "x.o"}, {"grep", "-q", "k"}, {"y"}}, ""},
		{"{ echo ; echo 'x: y' ; } >> f", [][]string{{"echo"}, {"echo", "x: y"}}, ""},
		{"if [ -e x ]; then gcc -c x.c; else (cd y && cc -c y.c); fi", [][]string{{"[", "-e", "x", "]"}, {"gcc", "-c", "x.c"}, {"cd", "y"}, {"cc", "-c", "y.c"}}, ""},
		{"for f in a b; do gcc -c $f.c; done", [][]string{{"gcc", "-c", "$f.c"}}, ""},
		// A command's environment is not its argv; a quoted word is no assignment.
		{"LC_ALL=C CC=gcc ccache gcc -c x.c", [][]string{{"ccache", "gcc", "-c", "x.c"}}, ""},
		{"'A=b' c", [][]string{{"A=b", "c"}}, ""},
		{"A=b", nil, ""},
		// Expansions are kept as written, never performed; the commands of a
		// $(...) are not listed.
		{"gcc -DX=$(Y) \"$Z/i\" ${W} `v` $((1+2)) '$Q' \\$R", [][]string{{"gcc", "-DX=$(Y)", "$Z/i", "${W}", "`v`", "$((1+2))", "$Q", "$R"}}, ""},
		{"echo $(gcc -c x.c; cc -c y.c)", [][]string{{"echo", "$(gcc -c x.c; cc -c y.c)"}}, ""},
		{"gcc ~/x.c *.c", [][]string{{"gcc", "~/x.c", "*.c"}}, ""},
		// A backslash-newline joins lines, in and out of quotes.
		{"gcc \\\n-c \"a\\\nb\"", [][]string{{"gcc", "-c", "ab"}}, ""},
		{"gcc a\\", [][]string{{"gcc", `a\`}}, ""},
		{"gcc\tx.c\ny.c", [][]string{{"gcc", "x.c"}, {"y.c"}}, ""},
		{"gcc a#b # a comment", [][]string{{"gcc", "a#b"}}, ""},
		{`gcc ''`, [][]string{{"gcc", ""}}, ""},
		{"", nil, ""},
		{`gcc 'open`, nil, "unterminated single quote"},
		{`gcc "open`, nil, "unterminated double quote"},
		{`gcc -D'a b' "open`, nil, "unterminated double quote at byte 13"},
		{"gcc $(x", nil, "not a shell command line"},
		{"gcc )", nil, "not a shell command line"},
		{"then gcc -c x.c", nil, "not a shell command line"},
	}
	for _, tt := range tests {
		got, err := splitShell(tt.line)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("splitShell(%q) err = %v, want %q", tt.line, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("splitShell(%q): %v", tt.line, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("splitShell(%q) =\n %q, want\n %q", tt.line, got, tt.want)
		}
	}
}

// kbuildLine has the shape of what `make V=1` prints for a module object:
// relative -I folders (kbuild runs in KDIR), forced includes, defines quoted
// for the shell, a dependency file and the objtool command after `;`.
const kbuildLine = `  gcc-12 -Wp,-MMD,/tmp/p/.probe.o.d -nostdinc -I/src/common/arch/x86/include -I./arch/x86/include/generated -I./include -isystem /usr/lib/gcc/include ` +
	`-include /src/common/include/linux/compiler-version.h -include ./include/linux/kconfig.h -include /src/common/include/linux/compiler_types.h ` +
	`-D__KERNEL__ -fmacro-prefix-map=/src/common/= -Wall -Wundef -fno-strict-aliasing -fshort-wchar -fno-PIE -std=gnu11 -mno-sse -m64 -mno-red-zone -mcmodel=kernel ` +
	`-O2 -fstack-protector-strong -fcf-protection=none -DCC_USING_FENTRY -UCC_USING_FENTRY -DMODULE -DKBUILD_BASENAME='"probe"' -D"KBUILD_STR(s)=#s" ` +
	`-DKBUILD_MODNAME='"probe"' -D __KBUILD_MODNAME=kmod_probe -imacros ./include/extra.h --param asan-globals=0 -c -o /tmp/p/probe.o /tmp/p/probe.c   ; ./tools/objtool/objtool --module /tmp/p/probe.o`

func TestParseCompileCommand(t *testing.T) {
	cmds, err := splitShell(kbuildLine)
	if err != nil {
		t.Fatal(err)
	}
	f, err := parseCompileCommand(cmds[0], "/kdir", "/tmp/p/probe.c")
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "Compiler", f.Compiler, "gcc-12")
	eq(t, "IncludeDirs", f.IncludeDirs, []string{"/src/common/arch/x86/include", "/kdir/arch/x86/include/generated", "/kdir/include", "/usr/lib/gcc/include"})
	eq(t, "SystemIncludeDirs", f.SystemIncludeDirs, []string{"/usr/lib/gcc/include"})
	eq(t, "ForcedIncludes", f.ForcedIncludes, []string{"/src/common/include/linux/compiler-version.h", "/kdir/include/linux/kconfig.h", "/src/common/include/linux/compiler_types.h"})
	eq(t, "Defines", f.Defines, []Define{
		{"__KERNEL__", "", false}, {"MODULE", "", false}, {"KBUILD_BASENAME", `"probe"`, true},
		{"KBUILD_STR(s)", "#s", true}, {"KBUILD_MODNAME", `"probe"`, true}, {"__KBUILD_MODNAME", "kmod_probe", true},
	})
	eq(t, "Undefines", f.Undefines, []string{"CC_USING_FENTRY"})
	eq(t, "Std", f.Std, "gnu11")
	eq(t, "TargetFlags", f.TargetFlags, []string{"-fshort-wchar", "-fno-PIE", "-mno-sse", "-m64", "-mno-red-zone", "-mcmodel=kernel", "-O2", "-fstack-protector-strong", "-fcf-protection=none"})
	eq(t, "Other", f.Other, []string{"-nostdinc", "-fmacro-prefix-map=/src/common/=", "-Wall", "-Wundef", "-fno-strict-aliasing", "-imacros", "/kdir/include/extra.h", "--param", "asan-globals=0"})
	eq(t, "Raw", f.Raw, cmds[0])

	args := f.CompilerArgs()
	for _, gone := range []string{"-c", "-o", "/tmp/p/probe.c", "/tmp/p/probe.o", "-Wp,-MMD,/tmp/p/.probe.o.d"} {
		for _, a := range args {
			if a == gone {
				t.Errorf("CompilerArgs keeps the per-compilation %q", gone)
			}
		}
	}
	again, err := parseCompileCommand(append([]string{f.Compiler}, args...), "/elsewhere", "")
	if err != nil {
		t.Fatal(err)
	}
	again.Raw, again.Dir = f.Raw, f.Dir
	eq(t, "reparsed CompilerArgs", again, f)

	sum := f.Summary()
	for _, w := range []string{"gcc-12", "4 include dirs", "compiler-version.h kconfig.h compiler_types.h", "6 defines", "-std=gnu11", "-mno-sse -m64 -mno-red-zone -mcmodel=kernel"} {
		if !strings.Contains(sum, w) {
			t.Errorf("Summary %q lacks %q", sum, w)
		}
	}
}

func TestParseCompileCommandErrors(t *testing.T) {
	tests := []struct {
		argv []string
		want string
	}{
		{[]string{}, "empty compiler command"},
		{[]string{"gcc", "-I"}, "ends after -I"},
		{[]string{"gcc", "-include"}, "ends after -include"},
		{[]string{"gcc", "-D"}, "ends after -D"},
		{[]string{"gcc", "-o"}, "ends after -o"},
		{[]string{"gcc", "-x"}, "ends after -x"},
	}
	for _, tt := range tests {
		_, err := parseCompileCommand(tt.argv, "/k", "x.c")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: err = %v, want %q", tt.argv, err, tt.want)
		}
	}
}

func TestFindCompileCommand(t *testing.T) {
	out := "make: Entering directory '/kdir'\n" +
		"  gcc-12 -E -D__GENKSYMS__ -nostdinc /tmp/p/probe.c | scripts/genksyms/genksyms -r /dev/null >> /tmp/p/.probe.o.cmd\n" +
		"echo 'it's /tmp/p/probe.c\n" +
		"  ccache gcc-12 -nostdinc -c -o /tmp/p/probe.o /tmp/p/probe.c ; ./tools/objtool/objtool --module /tmp/p/probe.o\n"
	cmd, err := findCompileCommand([]byte(out), "/tmp/p/probe.c", "/kdir")
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "argv", cmd.argv, []string{"ccache", "gcc-12", "-nostdinc", "-c", "-o", "/tmp/p/probe.o", "/tmp/p/probe.c"})
	eq(t, "dir", cmd.dir, "/kdir")
	f, err := parseCompileCommand(cmd.argv, cmd.dir, "/tmp/p/probe.c")
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "Compiler behind ccache", f.Compiler, "gcc-12")

	if _, err := findCompileCommand([]byte("make: Nothing to be done\n"), "/tmp/p/probe.c", "/kdir"); err == nil || !strings.Contains(err.Error(), "no compiler command") {
		t.Errorf("err = %v, want no compiler command", err)
	}
}

// TestFindCompileCommandShapes covers the shapes of make's output the real
// captures below do not: where the compiler ran is followed through make's
// messages (both quote styles), the -C of printed make commands, and a
// relative source name, which settles it.
func TestFindCompileCommandShapes(t *testing.T) {
	const src = "/tmp/p/probe.c"
	tests := []struct {
		name, out      string
		wantCC, wantIn string
		wantInclude    string // the first include dir, resolved
		wantErr        string
	}{
		{
			name:   "pre-6.13: absolute source, tree-relative -I, run in the tree",
			out:    "make: Entering directory '/kdir'\n  gcc-12 -I./include -c -o /tmp/p/probe.o /tmp/p/probe.c\n",
			wantCC: "gcc-12", wantIn: "/kdir", wantInclude: "/kdir/include",
		},
		{
			name:   "make before 4.3 opens the quote with a backtick",
			out:    "make[1]: Entering directory `/kdir'\n  gcc -I./include -c -o /tmp/p/probe.o /tmp/p/probe.c\nmake[1]: Leaving directory `/kdir'\n",
			wantCC: "gcc", wantIn: "/kdir", wantInclude: "/kdir/include",
		},
		{
			name:   "no directory messages: the tree make -C was given",
			out:    "  gcc -I./include -c -o /tmp/p/probe.o /tmp/p/probe.c\n",
			wantCC: "gcc", wantIn: "/given", wantInclude: "/given/include",
		},
		{
			name: "6.13+: a quiet inner make -C the module folder, relative names",
			out: "make: Entering directory '/kdir'\nmake --no-print-directory -C /tmp/p \\\n-f /src/Makefile probe.o\n" +
				"  x86_64-linux-gnu-gcc-14 -Wp,-MMD,./.probe.o.d -I./inc -I/kdir/include -c -o probe.o probe.c\n",
			wantCC: "x86_64-linux-gnu-gcc-14", wantIn: "/tmp/p", wantInclude: "/tmp/p/inc",
		},
		{
			name:   "a relative source name settles the folder when make's messages are missing",
			out:    "  x86_64-linux-gnu-gcc-12 -I./inc -c -o probe.o ./probe.c\n",
			wantCC: "x86_64-linux-gnu-gcc-12", wantIn: "/tmp/p", wantInclude: "/tmp/p/inc",
		},
		{
			name:   "a relative -C is relative to the folder make was in",
			out:    "make: Entering directory '/tmp'\nmake -C p -f /src/Makefile probe.o\n  cc -Isub -c -o probe.o probe.c\n",
			wantCC: "cc", wantIn: "/tmp/p", wantInclude: "/tmp/p/sub",
		},
		{
			name:    "another file of the same name elsewhere is not the probe",
			out:     "make: Entering directory '/kdir'\n  gcc -c -o x/probe.o x/probe.c\n  gcc -c -o probe.o ../probe.c\n",
			wantErr: "no compiler command for probe.c",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd, err := findCompileCommand([]byte(tt.out), src, "/given")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v (dir %q, argv %q), want %q", err, cmd.dir, cmd.argv, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "dir", cmd.dir, tt.wantIn)
			f, err := parseCompileCommand(cmd.argv, cmd.dir, src)
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "Compiler", f.Compiler, tt.wantCC)
			eq(t, "Dir", f.Dir, tt.wantIn)
			if len(f.IncludeDirs) == 0 {
				t.Fatal("no include dirs")
			}
			eq(t, "first include dir", f.IncludeDirs[0], tt.wantInclude)
			for _, a := range append(f.Other, f.TargetFlags...) {
				if strings.Contains(a, "probe.") {
					t.Errorf("a per-compilation argument %q was kept", a)
				}
			}
		})
	}
}

// TestCaptureKbuildOutput reads what `make -C KDIR M=DIR V=1 rustko_probe.o`
// printed on each kernel (testdata/kbuild/<release>.txt, captured from the
// real trees with the probe in /tmp/rustko-probe-1234): 6.1 (gcc-12, run in
// the tree, -I./include), 6.12 and 6.12-rt (x86_64-linux-gnu-gcc-12, the
// same shape) and 7.3 (x86_64-linux-gnu-gcc-14, run in the module's folder,
// `-c -o rustko_probe.o rustko_probe.c`).
func TestCaptureKbuildOutput(t *testing.T) {
	const probeDir = "/tmp/rustko-probe-1234"
	tests := []struct {
		release, common, compiler, dir string
	}{
		{"6.1.0-57-amd64", "6.1.0-57-common", "gcc-12", ""},
		{"6.12.118+deb12-amd64", "6.12.118+deb12-common", "x86_64-linux-gnu-gcc-12", ""},
		{"6.12.118+deb12-rt-amd64", "6.12.118+deb12-common-rt", "x86_64-linux-gnu-gcc-12", ""},
		{"7.3.4+deb13-amd64", "7.3.4+deb13-common", "x86_64-linux-gnu-gcc-14", probeDir},
	}
	for _, tt := range tests {
		t.Run(tt.release, func(t *testing.T) {
			out, err := os.ReadFile(filepath.Join("testdata", "kbuild", tt.release+".txt"))
			if err != nil {
				t.Fatal(err)
			}
			kdir := "/usr/src/linux-headers-" + tt.release
			common := "/usr/src/linux-headers-" + tt.common
			wantDir := tt.dir
			if wantDir == "" {
				wantDir = kdir
			}
			src := probeDir + "/" + probeName + ".c"
			cmd, err := findCompileCommand(out, src, kdir)
			if err != nil {
				t.Fatal(err)
			}
			f, err := parseCompileCommand(cmd.argv, cmd.dir, src)
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "Compiler", f.Compiler, tt.compiler)
			eq(t, "Dir", f.Dir, wantDir)
			// Debian splits a tree in two: the sources in -common, the
			// configuration's generated headers in the flavour's folder.
			eq(t, "IncludeDirs", f.IncludeDirs, []string{
				common + "/arch/x86/include", kdir + "/arch/x86/include/generated", common + "/include", kdir + "/include",
				common + "/arch/x86/include/uapi", kdir + "/arch/x86/include/generated/uapi", common + "/include/uapi", kdir + "/include/generated/uapi",
			})
			eq(t, "ForcedIncludes", f.ForcedIncludes, []string{
				common + "/include/linux/compiler-version.h", common + "/include/linux/kconfig.h", common + "/include/linux/compiler_types.h",
			})
			defs := map[string]string{}
			for _, d := range f.Defines {
				defs[d.Name] = d.Value
			}
			eq(t, "KBUILD_MODNAME", defs["KBUILD_MODNAME"], `"`+probeName+`"`)
			for _, n := range []string{"__KERNEL__", "MODULE"} {
				if _, ok := defs[n]; !ok {
					t.Errorf("no -D%s", n)
				}
			}
			eq(t, "Std", f.Std, "gnu11")
			for _, a := range f.Other {
				if strings.Contains(a, probeName) || strings.HasPrefix(a, "-Wp,") || a == "-c" {
					t.Errorf("per-compilation argument %q kept in Other", a)
				}
			}
			for _, want := range []string{"-mcmodel=kernel", "-mno-red-zone", "-mno-sse"} {
				if !slices.Contains(f.TargetFlags, want) {
					t.Errorf("TargetFlags lack %s", want)
				}
			}
		})
	}
}

// FuzzSplitShell checks that splitting never panics and that any argument
// it returns, quoted again by the library (syntax.Quote) and by the quoting
// rustko writes kbuild rules with (proc.ShellQuote), splits back unchanged.
func FuzzSplitShell(f *testing.F) {
	f.Add(kbuildLine)
	f.Add(`-DKBUILD_MODNAME='"x"' -D"KBUILD_BASENAME=KBUILD_STR(x)"`)
	f.Add(`a\ b "c\"d" 'e'\''f' g#h # i`)
	f.Add("x >> y 2>&1 | z")
	f.Add("if a; then b $(c) `d` ${e}; fi; { f; } && (g)")
	f.Fuzz(func(t *testing.T, line string) {
		cmds, err := splitShell(line)
		if err != nil {
			return
		}
		for _, argv := range cmds {
			if len(argv) == 0 {
				t.Fatalf("%q gave an empty command", line)
			}
			if all := strings.Join(argv, "|"); strings.Contains(all, "\x00") || strings.Contains(all, "\r\n") {
				// No argv carries a NUL, and no quoting can (the parser drops
				// it); the parser reads CR LF as LF even inside quotes, unlike
				// sh, but kbuild's lines reach splitShell one at a time.
				continue
			}
			quoted := map[string][]string{}
			for _, a := range argv {
				q, err := syntax.Quote(a, syntax.LangPOSIX)
				if err != nil { // POSIX sh has no escape for some bytes: quote as rustko does
					q = proc.ShellQuote(a)
				}
				quoted["syntax.Quote"] = append(quoted["syntax.Quote"], q)
				quoted["proc.ShellQuote"] = append(quoted["proc.ShellQuote"], proc.ShellQuote(a))
			}
			for how, q := range quoted {
				// After a command name: a first word could read as a
				// keyword or an assignment, which quoting does not prevent.
				again, err := splitShell("cmd " + strings.Join(q, " "))
				if err != nil {
					t.Fatalf("%s of %q does not split: %v", how, argv, err)
				}
				if len(again) != 1 || !reflect.DeepEqual(again[0][1:], argv) {
					t.Fatalf("%s round trip of %q gave %q", how, argv, again)
				}
			}
		}
	})
}

// FuzzParseCompileCommand checks that any command line parses without a
// panic and that CompilerArgs reproduces the same structured flags.
func FuzzParseCompileCommand(f *testing.F) {
	f.Add(kbuildLine)
	f.Add("gcc -I -D -U -include")
	f.Add("cc -DA -UA -UB -DB=1 -isystem x -Iy -x c -std=gnu89 -mno-sse -O2 src.c")
	f.Add("ccache ccache")
	f.Fuzz(func(t *testing.T, line string) {
		cmds, err := splitShell(line)
		if err != nil {
			return
		}
		for _, argv := range cmds {
			fl, err := parseCompileCommand(argv, "/kdir", "/tmp/p/probe.c")
			if err != nil {
				continue
			}
			again, err := parseCompileCommand(append([]string{fl.Compiler}, fl.CompilerArgs()...), "/kdir", "/tmp/p/probe.c")
			if err != nil {
				t.Fatalf("CompilerArgs of %q do not parse: %v", argv, err)
			}
			again.Raw = fl.Raw
			if !reflect.DeepEqual(norm(again), norm(fl)) {
				t.Fatalf("argv %q\nparsed   %+v\nreparsed %+v", argv, fl, again)
			}
			_ = fl.Summary()
		}
	})
}

// norm makes nil and empty slices compare equal.
func norm(f *Flags) Flags {
	n := *f
	for _, s := range []*[]string{&n.IncludeDirs, &n.SystemIncludeDirs, &n.ForcedIncludes, &n.Undefines, &n.TargetFlags, &n.Other} {
		if len(*s) == 0 {
			*s = nil
		}
	}
	if len(n.Defines) == 0 {
		n.Defines = nil
	}
	return n
}
