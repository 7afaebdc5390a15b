package module

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/rustko/rustko-lsp/internal/filecache"
	"github.com/rustko/rustko-lsp/internal/proc"
)

const probeName = "rustko_probe"

// probeSource includes linux/module.h so kbuild compiles it with every flag
// a real module's C file gets.
const probeSource = "#include <linux/module.h>\nMODULE_LICENSE(\"GPL\");\n"

// probeTimeout bounds the probe build when the caller set no deadline. The
// build takes about 2 s of CPU, but on a loaded machine the wall time is
// several times that.
var probeTimeout = 3 * time.Minute

// probe is probeFlags; tests wrap it to count the builds the cache saves.
var probe = probeFlags

// CaptureFlags returns the C compiler flags kbuild uses for a module's C
// files in kernel tree k, captured from kbuild itself by building a
// throw-away probe object. The result is cached on disk keyed by the tree
// and the contents of its .config and Makefile, so only the first call for a
// tree pays for the build.
func CaptureFlags(ctx context.Context, k *Kernel) (*Flags, error) {
	if k == nil || k.Dir == "" {
		return nil, errors.New("capturing kbuild flags: no kernel tree given; call FindKernel first")
	}
	key, err := flagsCacheKey(k.Dir)
	if err != nil {
		return nil, fmt.Errorf("capturing kbuild flags for %s: %w", k.Dir, err)
	}
	c, err := filecache.Default()
	if err != nil {
		slog.Warn("kbuild flags will not be cached", "err", err)
		return probe(ctx, k)
	}
	return cachedFlags(ctx, c, key, k)
}

// probeFlags builds the probe object with V=1 and parses the compiler
// command kbuild printed for it. Only the object is built (kbuild's
// single-target form `make M=DIR file.o`): the flags are all we need, and
// modpost would add time without changing them.
func probeFlags(ctx context.Context, k *Kernel) (*Flags, error) {
	tmp, err := os.MkdirTemp("", "rustko-probe-")
	if err != nil {
		return nil, fmt.Errorf("capturing kbuild flags: creating the probe folder: %w", err)
	}
	defer os.RemoveAll(tmp)
	src := filepath.Join(tmp, probeName+".c")
	if err := os.WriteFile(filepath.Join(tmp, "Kbuild"), []byte("obj-m := "+probeName+".o\n"), 0o644); err != nil {
		return nil, fmt.Errorf("capturing kbuild flags: writing the probe module: %w", err)
	}
	if err := os.WriteFile(src, []byte(probeSource), 0o644); err != nil {
		return nil, fmt.Errorf("capturing kbuild flags: writing the probe module: %w", err)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, probeTimeout)
		defer cancel()
	}
	env := []string{"LC_ALL=C"}
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !isMakeControl(name) && name != "LC_ALL" {
			env = append(env, kv)
		}
	}
	res, err := proc.Run(ctx, proc.Cmd{Name: "make", Args: []string{"-C", k.Dir, "M=" + tmp, "V=1", probeName + ".o"}, Dir: tmp, Env: env})
	out := append(append([]byte(nil), res.Stdout...), res.Stderr...)
	if err != nil {
		return nil, fmt.Errorf("capturing kbuild flags: building a probe module against %s failed: %w\n%s%s",
			k.Dir, err, proc.Tail(out, 15), compilerHint(k, out))
	}
	slog.Info("captured kbuild flags", "kdir", k.Dir, "elapsed", res.Elapsed.Round(time.Millisecond))
	cmd, err := findCompileCommand(res.Stdout, src, k.Dir)
	if err != nil {
		return nil, fmt.Errorf("capturing kbuild flags from %s: %w\n%s", k.Dir, err, proc.Tail(out, 15))
	}
	f, err := parseCompileCommand(cmd.argv, cmd.dir, src)
	if err != nil {
		return nil, fmt.Errorf("capturing kbuild flags from %s: reading kbuild's compiler command: %w", k.Dir, err)
	}
	return f, nil
}

// compileCommand is the compiler command kbuild printed for a source file
// and the folder it ran in, which its relative paths are relative to.
type compileCommand struct {
	argv []string
	dir  string
}

// enteringRE matches GNU make's directory messages (LC_ALL=C): `make[1]:
// Entering directory '/x'`; make before 4.3 opened the quote with a backtick.
var enteringRE = regexp.MustCompile("^\\S*make\\S*: (Entering|Leaving) directory [`']([^']*)'$")

// findCompileCommand picks, from make's V=1 output, the command that
// compiles source to an object: it names source, has -c, and is not the
// genksyms preprocessing pass (-E) kbuild runs on the same file.
//
// It also says which folder the compiler ran in. Before 6.13 kbuild runs in
// the kernel tree (make -C kdir) and names an external module's files by
// absolute paths, with tree-relative -I folders (-I./include). Since 6.13 it
// changes to the module's folder (make -C M) and names the file relatively
// (-c -o p.o p.c). The folder is followed through make's "Entering
// directory" messages and the -C of the make commands it prints (kbuild's
// inner makes run with --no-print-directory); a relative source name then
// settles it, since it must name source from there.
func findCompileCommand(out []byte, source, kdir string) (compileCommand, error) {
	dirs := []string{kdir} // make -C kdir: where the outermost make runs
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64*1024), 4*1024*1024)
	var pending string // a line ending in a backslash continues on the next
	for sc.Scan() {
		line := pending + sc.Text()
		pending = ""
		if strings.HasSuffix(line, "\\") && !strings.HasSuffix(line, "\\\\") {
			pending = strings.TrimSuffix(line, "\\")
			continue
		}
		if m := enteringRE.FindStringSubmatch(strings.TrimSpace(line)); m != nil {
			switch {
			case m[1] == "Entering":
				dirs = append(dirs, absPath(dirs[len(dirs)-1], m[2]))
			case len(dirs) > 1:
				dirs = dirs[:len(dirs)-1]
			}
			continue
		}
		base := filepath.Base(source)
		isMake := strings.Contains(line, "make")
		if !strings.Contains(line, base) && !isMake {
			continue
		}
		cmds, err := splitShell(line)
		if err != nil {
			continue // not a command line, e.g. a message quoting the file
		}
		for _, argv := range cmds { // never empty; a command's NAME=value environment is not in it
			if filepath.Base(argv[0]) == "make" {
				if c := makeDashC(argv); c != "" {
					dirs[len(dirs)-1] = absPath(dirs[len(dirs)-1], c)
				}
				continue
			}
			if !slices.Contains(argv, "-c") || slices.Contains(argv, "-E") {
				continue
			}
			cwd := dirs[len(dirs)-1]
			for _, a := range argv[1:] {
				if a == source {
					return compileCommand{argv: argv, dir: cwd}, nil
				}
				if rel := filepath.Clean(a); !filepath.IsAbs(a) && filepath.Base(rel) == base && !strings.HasPrefix(rel, "..") &&
					strings.HasSuffix(source, string(filepath.Separator)+rel) {
					// The relative name is the surest witness of the folder.
					dir := strings.TrimSuffix(source, string(filepath.Separator)+rel)
					if dir != cwd {
						slog.Debug("kbuild's compiler folder differs from make's messages; the source name decides", "make", cwd, "source", dir)
					}
					return compileCommand{argv: argv, dir: dir}, nil
				}
			}
		}
	}
	return compileCommand{}, fmt.Errorf("kbuild printed no compiler command for %s (make ran, but its V=1 output had no `-c` line naming %s or %s relative to the folder make ran in)",
		filepath.Base(source), source, filepath.Base(source))
}

// makeDashC returns the folder of a make command's -C option, or "".
func makeDashC(argv []string) string {
	dir := ""
	for i := 1; i < len(argv); i++ {
		switch a := argv[i]; {
		case a == "-C" && i+1 < len(argv):
			i++
			dir = absPath(dir, argv[i]) // repeated -C options are relative to the previous one
		case strings.HasPrefix(a, "-C") && len(a) > 2:
			dir = absPath(dir, a[2:])
		case strings.HasPrefix(a, "--directory="):
			dir = absPath(dir, strings.TrimPrefix(a, "--directory="))
		}
	}
	return dir
}

// compilerHint names the compiler the kernel was configured with when the
// probe failed because it is missing.
func compilerHint(k *Kernel, out []byte) string {
	if !bytes.Contains(out, []byte("not found")) && !bytes.Contains(out, []byte("No such file or directory")) {
		return ""
	}
	cfg, err := ReadKernelConfig(k.Config)
	if err != nil {
		return ""
	}
	if cc := cfg.Value("CC_VERSION_TEXT"); strings.TrimSpace(cc) != "" {
		return fmt.Sprintf("\nThis kernel was built with %s; install that compiler (on Debian: apt-get install %s make)",
			cc, strings.Fields(cc)[0])
	}
	return "\nInstall gcc and make (apt-get install gcc make)"
}
