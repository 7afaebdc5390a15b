package targets

import (
	"embed"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/rustko/rustko-lsp/internal/safewrite"
)

//go:embed specs/*.json
var specFS embed.FS

// Names lists the embedded specs by target name (the file stem), sorted.
func Names() []string {
	entries, err := specFS.ReadDir("specs")
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".json"))
	}
	sort.Strings(names)
	return names
}

// Data returns the embedded spec in its canonical form, the one current rustc
// reads; Render adapts it to an older rustc. The name may carry ".json".
// It returns nil for an unknown name.
func Data(name string) []byte {
	b, err := specFS.ReadFile("specs/" + strings.TrimSuffix(name, ".json") + ".json")
	if err != nil {
		return nil
	}
	return b
}

var parsedSpecs = sync.OnceValue(func() map[string]Spec {
	m := map[string]Spec{}
	for _, n := range Names() {
		if s, err := Parse(Data(n)); err == nil {
			m[n] = *s
		}
	}
	return m
})

// Lookup returns the parsed embedded spec called name.
func Lookup(name string) (Spec, bool) {
	s, ok := parsedSpecs()[strings.TrimSuffix(name, ".json")]
	return s, ok
}

// archSpecs maps every spelling of an architecture that uname -m or the
// kernel's SRCARCH/UTS_MACHINE use to the embedded spec for it.
var archSpecs = map[string]string{
	"x86_64":  "x86_64-unknown-none-gnu",
	"amd64":   "x86_64-unknown-none-gnu",
	"x86":     "x86_64-unknown-none-gnu", // SRCARCH for both 32- and 64-bit; only 64-bit is supported
	"aarch64": "aarch64-unknown-none-gnu",
	"arm64":   "aarch64-unknown-none-gnu",
	"arm":     "armv7-unknown-none-gnueabi",
	"armv7l":  "armv7-unknown-none-gnueabi",
	"armv7":   "armv7-unknown-none-gnueabi",
	"armhf":   "armv7-unknown-none-gnueabi",
	"riscv64": "riscv64-unknown-none-gnu",
	"riscv":   "riscv64-unknown-none-gnu", // SRCARCH; 32-bit riscv kernels are not supported
}

// ForArch names the embedded spec for an architecture as `uname -m`, the
// kernel's SRCARCH, UTS_MACHINE or Debian's architecture spell it.
func ForArch(arch string) (name string, ok bool) {
	name, ok = archSpecs[strings.ToLower(strings.TrimSpace(arch))]
	return name, ok
}

// WriteFor writes the spec rendered for tc (see Render) to dir/NAME.json.
func WriteFor(dir, name string, tc Toolchain) (string, error) {
	data, err := Render(name, tc)
	if err != nil {
		return "", err
	}
	return writeSpec(dir, name, data)
}

func writeSpec(dir, name string, data []byte) (string, error) {
	path := filepath.Join(dir, strings.TrimSuffix(name, ".json")+".json")
	// Rewriting an identical file would bump its mtime and make cargo and
	// kbuild rebuild everything that depends on the target.
	if old, err := os.ReadFile(path); err == nil && string(old) == string(data) {
		return path, nil
	}
	if err := safewrite.Atomic(path, data, 0o644); err != nil {
		return "", fmt.Errorf("writing target spec %s: %w", path, err)
	}
	return path, nil
}

func unknownSpec(name string) error {
	return fmt.Errorf("no embedded target spec %q (embedded: %s)", name, strings.Join(Names(), ", "))
}
