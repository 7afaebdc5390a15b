package module

import "strings"

// OriginNotEvaluated is the origin LoadWithoutMake gives every variable that
// neither the environment nor the overrides set: the value is rustko's
// default, and the module's own makefiles may say otherwise.
const OriginNotEvaluated = "default (workspace not trusted: Makefile not evaluated)"

// LoadWithoutMake reads a module without running anything from it, for a
// workspace the user has not trusted: evaluating the Makefile or config.mk
// would run whatever their $(shell ...) calls say. The variables are rustko's
// defaults (what Load gives for a Makefile that sets nothing: the module name
// from Cargo.toml or the folder, build/, src/*.c and src/*.rs,
// src/bindings.rs) with the environment and the overrides on top, in Load's
// order of precedence, except KERNEL_INCLUDE and KERNEL_HELPERS, which are
// read from the makefiles when their assignments are plain text (see
// literalAssignment). Module.Untrusted is set so nothing later runs the
// module's build either.
func LoadWithoutMake(root string, overrides map[string]string) (*Module, error) {
	root, err := checkLoadArgs(root, overrides)
	if err != nil {
		return nil, err
	}
	m := newModule(root)
	m.Untrusted = true
	set, fromEnv, _ := assigned(overrides)
	for _, name := range evaluated {
		v, ok := set[name]
		if !ok {
			continue
		}
		m.Raw[name] = v
		if fromEnv[name] {
			m.Origin[name] = OriginEnvironment
		} else {
			m.Origin[name] = OriginOverride
		}
	}
	for _, name := range literalLists {
		if _, ok := set[name]; ok {
			continue
		}
		if v, where, ok := literalAssignment(root, "Makefile", name); ok {
			m.Raw[name] = v
			m.Origin[name] = strings.SplitN(where, ":", 2)[0]
			m.Where[name] = where
		}
	}
	chooseKDIR(m)
	m.Vars = varsFrom(root, m)
	for name, origin := range m.Origin {
		if origin == OriginDefault {
			m.Origin[name] = OriginNotEvaluated
		}
	}
	return m, nil
}
