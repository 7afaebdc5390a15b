package module

import (
	"cmp"
	"fmt"
	"strings"
	"text/tabwriter"
)

// Summary says, for people, which kernel tree was found, where, how, and
// where its release and architecture were read.
func (k *Kernel) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "kernel %s (%s, SRCARCH %s) at %s\n", cmp.Or(k.Release, "unknown"), cmp.Or(k.Arch, "unknown"), cmp.Or(k.SrcArch, "unknown"), k.Dir)
	fmt.Fprintf(&b, "  found by: %s; release from %s; arch from %s\n", k.FoundBy, k.ReleaseFrom, k.ArchFrom)
	if k.Symvers == "" {
		b.WriteString("  no Module.symvers: exported symbols cannot be checked\n")
	}
	for _, s := range k.Skipped {
		fmt.Fprintf(&b, "  skipped %s\n", s)
	}
	return b.String()
}

// Summary lists the module's configuration: each rust.ko variable's value
// (after defaults, paths shown relative to the root) and where it came from
// (file:line, "default", "environment" or "override").
func (m *Module) Summary() string {
	var b strings.Builder
	cfg := "no config.mk"
	if m.ConfigFile != "" {
		cfg = "config " + relTo(m.Root, m.ConfigFile)
	}
	fmt.Fprintf(&b, "module %s at %s (%s)\n", m.Vars.KernelModule, m.Root, cfg)
	tw := tabwriter.NewWriter(&b, 0, 8, 2, ' ', 0)
	for _, name := range VarNames {
		src := name
		if name == "TARGET" && m.Target.Var != "" {
			src = m.Target.Var // LLVM_TARGET_SPEC named the spec
		}
		from := cmp.Or(m.Where[src], m.Origin[src], "unset")
		if name == "TARGET" && m.Target.Convention() {
			from = "rust.ko's kbuild.mk: --target=${UTS_MACHINE}-unknown-none-gnu"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", name, cmp.Or(m.display(name), "(empty)"), from)
	}
	tw.Flush()
	return b.String()
}

// display renders one variable's resolved value.
func (m *Module) display(name string) string {
	v := m.Vars
	rels := func(ps []string) string {
		out := make([]string, len(ps))
		for i, p := range ps {
			out[i] = relTo(m.Root, p)
		}
		return strings.Join(out, " ")
	}
	switch name {
	case "KERNEL_MODULE":
		return v.KernelModule
	case "KERNEL_BUILD_PATH":
		if v.KernelBuildPath == "" {
			return "(search: /lib/modules/$(uname -r)/build, then /usr/src/linux-headers-*)"
		}
		return v.KernelBuildPath
	case "KERNEL_INCLUDE":
		return strings.Join(v.KernelInclude, " ")
	case "KERNEL_HELPERS":
		return strings.Join(v.KernelHelpers, " ")
	case "RUST_ROOT":
		return v.RustRoot
	case "BUILD_DIRECTORY":
		return relTo(m.Root, v.BuildDirectory)
	case "C_FILES":
		return rels(v.CFiles)
	case "RUST_FILES":
		return rels(v.RustFiles)
	case "BINDINGS":
		return relTo(m.Root, v.Bindings)
	case "TARGET":
		switch {
		case v.Target == "":
			return "(embedded default for the kernel's architecture)"
		case !m.Target.Found:
			return fmt.Sprintf("%s (%s = %s: no such file)", relTo(m.Root, v.Target), m.Target.Var, m.Target.Value)
		case m.Target.Var == "LLVM_TARGET_SPEC":
			return relTo(m.Root, v.Target) + " (LLVM_TARGET_SPEC)"
		}
		return relTo(m.Root, v.Target)
	case "CARGOFLAGS":
		return v.CargoFlags
	case "RCFLAGS":
		return v.RCFlags
	case "RELEASE":
		return fmt.Sprint(v.Release)
	case "V":
		return fmt.Sprint(v.Verbose)
	}
	return m.Raw[name]
}
