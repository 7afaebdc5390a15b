package build

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/rustko/rustko-lsp/build/objcheck"
	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/internal/proc"
	"github.com/rustko/rustko-lsp/module"
)

// hostFlags are the kernel's code-generation rules for a host-target build:
// no FP/SIMD registers (soft-float keeps f32/f64 code out of them), the
// kernel code model, no red zone (interrupts write below the stack pointer),
// no unwind tables. Fat LTO then compiles the precompiled core's bitcode
// with these flags too. Linker-only options (relro) are left out: rustc
// links nothing here, and 1.63 does not know -C relro-level. MMX and 3DNow! are not listed: current rustc
// rejects them as unknown features, and LLVM never generates them unasked.
var hostFlags = []string{
	"-C", "panic=abort",
	"-C", "target-feature=-sse,-sse2,-sse3,-ssse3,-sse4.1,-sse4.2,-avx,-avx2,+soft-float",
	"-C", "code-model=kernel",
	"-C", "relocation-model=static",
	"-C", "no-redzone=yes",
	"-C", "force-unwind-tables=no",
}

// rustCommand is the cargo invocation that compiles the crate into the
// object kbuild links. The same command, rendered for a shell, is the
// kbuild rule's, so Go and kbuild never disagree about what is current.
func (b *builder) rustCommand() proc.Cmd {
	args := []string{"rustc", "--lib", "--message-format=json",
		"--manifest-path", filepath.Join(b.m.Root, "Cargo.toml"), "--target", b.cargoTarget}
	if b.m.Vars.Release {
		args = append(args, "--release")
	}
	if b.verbose {
		args = append(args, "-v")
	}
	args = append(args, splitWords(b.m.Vars.CargoFlags)...)
	args = append(args, "--", "--emit", "obj="+b.rustObj)
	args = append(args, splitWords(b.m.Vars.RCFlags)...)

	var rustflags []string
	if b.mode == ModeRustSrc {
		rustflags = []string{"--sysroot", b.sysroot.Dir}
	} else {
		rustflags = append(rustflags, hostFlags...)
	}
	rustflags = append(rustflags, b.codegen.Flags...)
	set := map[string]string{
		"CARGO_TARGET_DIR": b.cargoDir,
		// cargo would otherwise run the first rustc on PATH, which is
		// rustup's when ~/.cargo/bin comes first, not RUST_ROOT's.
		"RUSTC": b.tc.Path,
		// Plain RUSTFLAGS (not the encoded form) because kbuild's rule
		// repeats it in a shell command; the sysroot path is checked for
		// blanks instead.
		"RUSTFLAGS":                strings.Join(rustflags, " "),
		"CARGO_TERM_PROGRESS_WHEN": "never",
		"CARGO_TERM_COLOR":         "never",
	}
	set["RUSTC_BOOTSTRAP"] = b.bootstrap()
	env := environ(set, "CARGO_ENCODED_RUSTFLAGS", "RUSTC_WRAPPER", "RUSTC_WORKSPACE_WRAPPER", "CARGO_BUILD_TARGET", "CARGO_BUILD_RUSTFLAGS")
	return proc.Cmd{Dir: b.m.Root, Env: env, Name: b.tc.Cargo, Args: args}
}

// bootstrap is RUSTC_BOOTSTRAP for cargo: 1 when a -Z flag is among the
// code-generation flags (a stable rustc takes them only so, as in kbuild),
// else the rustko crate's name alone, which lets that crate (and no other)
// use the #![feature]s rustc before 1.81 requires for its panic message and,
// before 1.68, its allocation-error handler.
func (b *builder) bootstrap() string {
	if b.codegen.Bootstrap {
		return "1"
	}
	return "rustko"
}

// rustOutcome is what the rust step learnt.
type rustOutcome struct {
	Findings []diagnostics.Finding
	Failed   bool
	Fresh    bool     // cargo found the crate up to date and ran no rustc
	Deps     []string // the source files cargo says the object depends on
	Runtime  string   // the rustko crate's C half, when the crate is a dependency
}

// compileRust runs cargo and, in host mode, relaxes the object's GOT
// relocations. cargo decides freshness by its own fingerprints, which know
// nothing of the object we asked for with --emit: when kbuild's clean has
// deleted it, the fingerprint goes too so that cargo compiles again.
func (b *builder) compileRust(ctx context.Context) (*rustOutcome, error) {
	// An object from another mode, profile or flag set (RELEASE=1 last
	// time) is not this build's, whatever cargo's fingerprint for this
	// profile says: start over.
	stamp := filepath.Join(b.kbuildDir, "."+filepath.Base(b.rustObj)+".rustko")
	want := b.cargoShell()
	if old, err := os.ReadFile(stamp); err != nil || string(old) != want {
		if err := os.Remove(b.rustObj); err != nil && !os.IsNotExist(err) {
			return nil, fmt.Errorf("removing the stale Rust object: %w", err)
		}
	}
	if !isFile(b.rustObj) {
		if err := b.forgetFingerprints(); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(b.kbuildDir, 0o755); err != nil {
		return nil, fmt.Errorf("creating the kbuild folder: %w", err)
	}
	cmd := b.rustCommand()
	res, err := b.r.run(ctx, cmd)
	if err != nil {
		return nil, fmt.Errorf("compiling the Rust crate: %w", err)
	}
	msgs := parseCargoMessages(res.Stdout, b.m.Root, b.mode == ModeHost)
	out := &rustOutcome{Findings: msgs.Findings, Fresh: msgs.Fresh}
	if res.ExitCode != 0 || !msgs.Success {
		out.Failed = true
		if !diagnostics.HasErrors(out.Findings) {
			// Not a compile error: a broken manifest, a missing target, a
			// cargo that cannot run. cargo said why on stderr.
			out.Findings = append(out.Findings, cargoFailure(b.m.Root, res.Stderr))
		}
		return out, nil
	}
	if !isFile(b.rustObj) {
		return nil, fmt.Errorf("cargo reported success but wrote no %s; its output:\n%s", b.rustObj, proc.Tail(res.Stderr, 20))
	}
	if b.mode == ModeHost {
		if err := objcheck.RelaxGOT(b.rustObj); err != nil {
			return nil, fmt.Errorf("preparing the host-mode object for the kernel's module loader: %w", err)
		}
		if err := b.dropUnwindTables(ctx); err != nil {
			return nil, err
		}
	}
	if err := writeIfChanged(stamp, []byte(want)); err != nil {
		return nil, err
	}
	out.Deps = b.rustDeps(msgs.Artifacts)
	if msgs.Runtime != "" {
		if !isFile(msgs.Runtime) {
			return nil, fmt.Errorf("the rustko crate was built but its C half %s is missing; restore the crate's c/ folder", msgs.Runtime)
		}
		out.Runtime = msgs.Runtime
	}
	// cargo vouched for the object: make sure kbuild, which only compares
	// times, agrees, even when a dependency was touched without changing.
	if err := touchIfOlder(b.rustObj, out.Deps); err != nil {
		return nil, err
	}
	return out, nil
}

// forgetFingerprints deletes cargo's fingerprints for the kernel target
// (build scripts' host fingerprints stay) so that the next cargo run
// compiles the crate, and writes our object, again.
func (b *builder) forgetFingerprints() error {
	dirs, _ := filepath.Glob(filepath.Join(b.cargoDir, "*", "*", ".fingerprint"))
	for _, d := range dirs {
		if err := os.RemoveAll(d); err != nil {
			return fmt.Errorf("resetting cargo's fingerprints in %s: %w", d, err)
		}
	}
	return nil
}

// rustDeps lists what the Rust object depends on: the manifest, the target
// specification, the rust.ko variables' files, and every source file cargo's
// dep-info names. kbuild's rule lists them as prerequisites.
func (b *builder) rustDeps(artifacts []string) []string {
	set := map[string]bool{filepath.Join(b.m.Root, "Cargo.toml"): true}
	if b.targetJSON != "" {
		set[b.targetJSON] = true
	}
	for _, f := range b.m.Vars.RustFiles {
		set[f] = true
	}
	if b.m.Vars.Bindings != "" {
		set[b.m.Vars.Bindings] = true
	}
	for _, a := range artifacts {
		d := strings.TrimSuffix(a, filepath.Ext(a)) + ".d"
		if data, err := os.ReadFile(d); err == nil {
			for _, dep := range parseDepInfo(string(data)) {
				set[dep] = true
			}
		}
	}
	return slices.DeleteFunc(slices.Sorted(maps.Keys(set)), func(f string) bool { return !isFile(f) })
}

// parseDepInfo reads a make-style dependency file as rustc writes it:
// "target: dep dep ...", spaces in names escaped with a backslash.
func parseDepInfo(s string) []string {
	var deps []string
	for _, line := range strings.Split(s, "\n") {
		_, rest, ok := strings.Cut(line, ": ")
		if !ok {
			continue
		}
		var cur strings.Builder
		flush := func() {
			if cur.Len() > 0 {
				deps = append(deps, cur.String())
				cur.Reset()
			}
		}
		for i := 0; i < len(rest); i++ {
			switch c := rest[i]; {
			case c == '\\' && i+1 < len(rest) && rest[i+1] == ' ':
				cur.WriteByte(' ')
				i++
			case c == ' ' || c == '\t':
				flush()
			default:
				cur.WriteByte(c)
			}
		}
		flush()
		break // the first rule lists everything; later ones are phony
	}
	return deps
}

// touchIfOlder sets obj's time to now when any dep is newer.
func touchIfOlder(obj string, deps []string) error {
	st, err := os.Stat(obj)
	if err != nil {
		return fmt.Errorf("checking the Rust object: %w", err)
	}
	for _, d := range deps {
		if ds, err := os.Stat(d); err == nil && ds.ModTime().After(st.ModTime()) {
			now := time.Now()
			if err := os.Chtimes(obj, now, now); err != nil {
				return fmt.Errorf("updating the time of %s: %w", obj, err)
			}
			return nil
		}
	}
	return nil
}

// splitWords splits a CARGOFLAGS/RCFLAGS value into cargo's arguments.
// rust.ko's recipe is `$(CARGO) build ${CARGOFLAGS} ... -- ${RCFLAGS}`: make
// pastes the value into the command line and /bin/sh reads it, removing
// quotes and backslashes, and expanding $NAME from make's environment (the
// Makefile's exported variables included), running $(...) and globbing
// unquoted * ? [ in the module's folder. rustko runs cargo without a shell
// (and quotes each argument in the kbuild rule), so it removes the quotes
// the same way (module.ShellWords) but passes any expansion or pattern as
// written, for cargo and rustc to see: it cannot see make's environment, and
// running commands from a variable's value is not its to do. An operator
// (; | & < > parentheses), which would end or redirect rust.ko's command,
// and an unterminated quote make the rest of the value one argument.
func splitWords(s string) []string {
	w, _ := module.ShellWords(s)
	return w
}
