package module

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// KernelConfig is a kernel tree's .config: the options the kernel was built
// with. Some of them (IBT, return thunks, retpolines) decide how a module's
// code must be generated for the kernel to run it safely.
type KernelConfig struct {
	Path   string
	values map[string]string // without the CONFIG_ prefix; "n" for "is not set"
}

// ReadKernelConfig reads the .config at path (Kernel.Config).
func ReadKernelConfig(path string) (*KernelConfig, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading the kernel configuration: %w", err)
	}
	defer f.Close()
	c, err := ParseKernelConfig(f)
	if err != nil {
		return nil, fmt.Errorf("reading the kernel configuration %s: %w", path, err)
	}
	c.Path = path
	return c, nil
}

// ParseKernelConfig reads .config text as kconfig writes it: CONFIG_X=value
// lines, "# CONFIG_X is not set" for disabled booleans, other comments and
// blank lines. A quoted string value is unquoted with kconfig's escapes (\"
// and \\). Lines that are none of these are ignored rather than refused: a
// hand-edited .config still builds the kernel, so it must not stop a module
// build either.
func ParseKernelConfig(r io.Reader) (*KernelConfig, error) {
	c := &KernelConfig{values: map[string]string{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if rest, ok := strings.CutPrefix(line, "# CONFIG_"); ok {
			if name, ok := strings.CutSuffix(rest, " is not set"); ok && validSymbol(name) {
				c.values[name] = "n"
			}
			continue
		}
		rest, ok := strings.CutPrefix(line, "CONFIG_")
		if !ok {
			continue
		}
		name, value, ok := strings.Cut(rest, "=")
		if !ok || !validSymbol(name) {
			continue
		}
		if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
			// kconfig escapes \" and \\ with a backslash that keeps
			// the next character, as sh does outside quotes.
			value = unescape(value[1:len(value)-1], false)
		}
		c.values[name] = value
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return c, nil
}

// validSymbol accepts kconfig symbol names (after CONFIG_).
func validSymbol(s string) bool {
	return s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}) < 0
}

// Value is the option's value ("y", "m", "16", a string), "n" when .config
// says it is not set, and "" when .config does not mention it (an option
// another option's dependencies hide). name may carry the CONFIG_ prefix.
func (c *KernelConfig) Value(name string) string {
	if c == nil {
		return ""
	}
	return c.values[strings.TrimPrefix(name, "CONFIG_")]
}

// Enabled reports whether any of the options is built in (y). Renamed
// options (RETHUNK became MITIGATION_RETHUNK in 6.9) are asked for by both
// names.
func (c *KernelConfig) Enabled(names ...string) bool {
	for _, n := range names {
		if c.Value(n) == "y" {
			return true
		}
	}
	return false
}

// Int is an int or hex option's value; ok is false when it is unset or not
// a number.
func (c *KernelConfig) Int(name string) (int64, bool) {
	v := c.Value(name)
	if v == "" || v == "n" {
		return 0, false
	}
	n, err := strconv.ParseInt(v, 0, 64)
	return n, err == nil
}
