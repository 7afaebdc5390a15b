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
}

// parseSettings accepts the settings object either bare or under a "rustko"
// key (VS Code and Neovim users write it both ways). null or absent means
// "no settings"; anything else that does not fit is an error for the log.
func parseSettings(raw []byte) (Settings, error) {
	var s Settings
	trimmed := strings.TrimSpace(string(raw))
	if trimmed == "" || trimmed == "null" {
		return s, nil
	}
	var wrapper map[string]json.RawMessage
	if err := json.Unmarshal(raw, &wrapper); err != nil {
		return s, fmt.Errorf("settings must be a JSON object such as {\"rustko\": {\"kernelDir\": \"...\"}}: %w", err)
	}
	if inner, ok := wrapper["rustko"]; ok {
		raw = inner
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return Settings{}, fmt.Errorf("rustko settings: %w (known keys: kernelDir, rustRoot, buildOnSave, helpers, extraHeaders)", err)
	}
	return s, nil
}

func (s Settings) buildOnSave() bool { return s.BuildOnSave == nil || *s.BuildOnSave }

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

// extraLists are the list settings, which add to what the module configures
// rather than replace it, so the server appends them to the loaded variables
// (a make command-line assignment could only replace the whole list).
func (s Settings) extraLists() (helpers, headers []string) {
	return slices.Clone(s.Helpers), slices.Clone(s.ExtraHeaders)
}

func (s Settings) equal(o Settings) bool {
	return s.KernelDir == o.KernelDir && s.RustRoot == o.RustRoot && s.buildOnSave() == o.buildOnSave() &&
		slices.Equal(s.Helpers, o.Helpers) && slices.Equal(s.ExtraHeaders, o.ExtraHeaders)
}
