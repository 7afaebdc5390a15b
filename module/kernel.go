package module

// Kernel is a kernel build tree a module can be built against.
type Kernel struct {
	Dir string // KDIR: the tree holding Makefile, .config, Module.symvers
	// Release is what vermagic and /lib/modules use, e.g. 6.1.0-56-amd64.
	// Read from UTS_RELEASE first: Debian's include/config/kernel.release
	// holds the upstream version (6.1.192) instead.
	Release string
	Arch    string // UTS_MACHINE, e.g. x86_64
	SrcArch string // SRCARCH, e.g. x86
	FoundBy string // how Dir was chosen: "configured", "running kernel, /lib/modules/$(uname -r)/build", "/usr/src scan"
	Symvers string // Dir/Module.symvers ("" when the tree has none)
	Config  string // Dir/.config

	ReleaseFrom string // where Release was read, e.g. include/generated/utsrelease.h
	ArchFrom    string // where Arch and SrcArch were read, e.g. .config (CONFIG_X86_64=y)
	// Skipped lists the places tried before Dir, each with why it was not
	// used, then the scanned trees passed over after it (an older release, a
	// variant flavour such as -rt-amd64, a tree without .config). rust.ko's
	// default (/lib/modules/$(uname -r)/build) shows up here when it is
	// missing, since it is wrong on machines whose running kernel is not the
	// one the headers are for; any other configured tree that is not usable
	// is an error instead.
	Skipped []string
}

// Define is one -D option; Value is "" for -DNAME (which means 1 to cpp).
type Define struct {
	Name     string
	Value    string
	HasValue bool
}

// Flags is the C compiler command kbuild runs for a module object, parsed.
// It is captured from kbuild itself (never hard-coded) and cached on disk.
type Flags struct {
	Compiler    string   // e.g. gcc or x86_64-linux-gnu-gcc-12
	IncludeDirs []string // -I and -isystem, absolute, in order
	// SystemIncludeDirs are the IncludeDirs that came from -isystem (searched
	// after the -I ones, warnings silenced); CompilerArgs keeps them so.
	SystemIncludeDirs []string
	ForcedIncludes    []string // -include files, absolute, in kbuild's order
	Defines           []Define // -D, in order (-U removes earlier ones)
	Undefines         []string // -U
	Std               string   // gnu11
	TargetFlags       []string // -m*, -f* flags that change predefined macros or ABI
	Other             []string // everything else, verbatim
	Raw               []string // the whole argv kbuild printed, for reproduction
	// Dir is the folder kbuild ran the compiler in, which Raw's relative paths
	// (-I./include before 6.13, the source file since) are relative to; the
	// parsed fields above are absolute already.
	Dir string
}
