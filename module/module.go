// Package module owns the rust.ko project model: where a module's root is,
// the rust.ko make variables as GNU make evaluates them, the kernel build tree
// it builds against, the compiler flags kbuild uses for it, and the symbols the
// kernel exports (Module.symvers). It depends on no other rustko package.
package module

// Vars are the rust.ko variables after make has evaluated the Makefile
// defaults, config.mk overrides and environment/CLI/editor overrides, in that
// order of precedence.
type Vars struct {
	RustRoot        string   // RUST_ROOT: folder holding bin/rustc and bin/cargo
	KernelBuildPath string   // KERNEL_BUILD_PATH (or KDIR)
	KernelModule    string   // KERNEL_MODULE: the .ko's base name
	KernelInclude   []string // KERNEL_INCLUDE: headers such as linux/fs.h
	KernelHelpers   []string // KERNEL_HELPERS: static inline functions to wrap
	BuildDirectory  string   // BUILD_DIRECTORY, absolute
	CFiles          []string // C_FILES, absolute
	RustFiles       []string // RUST_FILES, absolute
	CargoFlags      string   // CARGOFLAGS
	RCFlags         string   // RCFLAGS
	Release         bool     // RELEASE=1
	Verbose         bool     // V=1
	// Target is the target JSON path, absolute ("" means the embedded
	// default): what TARGET or LLVM_TARGET_SPEC names, else rust.ko's
	// <arch>-unknown-none-gnu.json at the root (Module.Target says which).
	Target   string
	Bindings string // BINDINGS: generated bindings file, absolute (default src/bindings.rs)
}

// Module is one rust.ko-style module as read from disk.
type Module struct {
	Root string // absolute folder holding Makefile/Kbuild and Cargo.toml/config.mk
	Vars Vars
	// Origin says for each variable name where its value came from:
	// "default" (unset, or rustko's own default), the makefile that last
	// assigned it relative to Root ("Makefile", "config.mk", or another
	// included file), "environment", "override" (the overrides map), or
	// OriginNotEvaluated when LoadWithoutMake did not read the makefiles.
	Origin map[string]string
	// ConfigFile is root/config.mk when present (quick fixes edit it).
	ConfigFile string
	// Where is file:line (relative to Root) of the assignment that last
	// changed each variable, for variables set in a makefile; diagnostics
	// about a value point there.
	Where map[string]string
	// Raw is each variable's value exactly as make expanded it, before
	// defaults and path resolution; KDIR is listed when make saw it.
	Raw map[string]string
	// Target says how Vars.Target was chosen: which variable named it (its
	// Origin and Where then say where that was set), or rust.ko's file-name
	// convention, and whether the file exists.
	Target TargetChoice
	// Untrusted is set by LoadWithoutMake: the workspace is not trusted, so
	// its makefiles were not evaluated (Vars are rustko's defaults plus the
	// environment and overrides), and nothing may run the module's build,
	// whose Makefile can run any command.
	Untrusted bool
}
