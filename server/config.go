package server

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Settings are the editor's knobs, from initializationOptions and
// workspace/didChangeConfiguration. They become make variable overrides, the
// highest precedence rust.ko knows (above config.mk and the environment).
type Settings struct {
	KernelDir    string   `json:"kernelDir,omitempty"`    // KERNEL_BUILD_PATH
	RustRoot     string   `json:"rustRoot,omitempty"`     // RUST_ROOT
	BuildOnSave  *bool    `json:"buildOnSave,omitempty"`  // default true
	Helpers      []string `json:"helpers,omitempty"`      // added to KERNEL_HELPERS
	ExtraHeaders []string `json:"extraHeaders,omitempty"` // added to KERNEL_INCLUDE
	// Trusted is the editor's workspace trust (VS Code's Restricted Mode),
	// default true. An untrusted module is read without running its
	// makefiles and is never built: see LoadOptions.Untrusted.
	Trusted *bool `json:"trusted,omitempty"`
}

// knownSettings are the keys Settings reads.
var knownSettings = []string{"kernelDir", "rustRoot", "buildOnSave", "helpers", "extraHeaders", "trusted"}

// parseSettings accepts the settings object either bare or under a "rustko"
// key (VS Code and Neovim users write it both ways). null or absent means
// "no settings". A known key with a value of the wrong type is an error (the
// settings are not applied); unknown keys are returned so the caller can
// log them, and the known ones still apply: a newer client must not lose
// every setting to one key this server does not know.
func parseSettings(raw []byte) (s Settings, unknown []string, err error) {
	trimmed := strings.TrimSpace(string(raw))
	if trimmed == "" || trimmed == "null" {
		return s, nil, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return s, nil, fmt.Errorf("settings must be a JSON object such as {\"rustko\": {\"kernelDir\": \"...\"}}: %w", err)
	}
	if inner, ok := obj["rustko"]; ok {
		obj = nil
		if err := json.Unmarshal(inner, &obj); err != nil {
			return s, nil, fmt.Errorf("settings.rustko must be a JSON object with the keys %s: %w", strings.Join(knownSettings, ", "), err)
		}
	}
	for k := range obj {
		if !slices.Contains(knownSettings, k) {
			unknown = append(unknown, k)
		}
	}
	slices.Sort(unknown)
	b, _ := json.Marshal(obj)
	if err := json.Unmarshal(b, &s); err != nil {
		return Settings{}, unknown, fmt.Errorf("rustko settings: %w (kernelDir and rustRoot are strings, buildOnSave and trusted booleans, helpers and extraHeaders lists of strings)", err)
	}
	return s, unknown, nil
}

// buildOnSave is off in an untrusted workspace whatever the setting says:
// a build runs the module's Makefile.
func (s Settings) buildOnSave() bool {
	return s.trusted() && (s.BuildOnSave == nil || *s.BuildOnSave)
}

func (s Settings) trusted() bool { return s.Trusted == nil || *s.Trusted }

// loadOptions are what Backend.Load needs from the settings. The list
// settings add to what the module configures rather than replace it (a make
// command-line assignment could only replace the whole list).
func (s Settings) loadOptions() LoadOptions {
	return LoadOptions{Overrides: s.overrides(), Untrusted: !s.trusted(), ExtraHelpers: slices.Clone(s.Helpers), ExtraHeaders: slices.Clone(s.ExtraHeaders)}
}

// overrides turns the scalar settings into make variable assignments.
func (s Settings) overrides() map[string]string {
	o := map[string]string{}
	if s.KernelDir != "" {
		o["KERNEL_BUILD_PATH"] = s.KernelDir
	}
	if s.RustRoot != "" {
		o["RUST_ROOT"] = s.RustRoot
	}
	return o
}

func (s Settings) equal(o Settings) bool {
	return s.KernelDir == o.KernelDir && s.RustRoot == o.RustRoot && s.buildOnSave() == o.buildOnSave() && s.trusted() == o.trusted() &&
		slices.Equal(s.Helpers, o.Helpers) && slices.Equal(s.ExtraHeaders, o.ExtraHeaders)
}
