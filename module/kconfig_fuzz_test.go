package module

import (
	"bufio"
	"errors"
	"strings"
	"testing"
)

// FuzzParseKernelConfig: a .config is outside input (a hand-edited tree, a
// vendor kernel). Whatever it holds, parsing neither fails nor panics, and
// a well-formed line appended last is read back, with kconfig's escapes
// undone, as Kbuild would read it.
func FuzzParseKernelConfig(f *testing.F) {
	f.Add("CONFIG_X86_KERNEL_IBT=y\n# CONFIG_RETPOLINE is not set\nCONFIG_LOCALVERSION=\"-rt\"\n", "MITIGATION_RETHUNK", "y")
	f.Add("CONFIG_=\nCONFIG_A B=1\n\"\n# CONFIG_ is not set", "CC_VERSION_TEXT", `"gcc (Debian 14.2.0-19) 14.2.0"`)
	f.Add("CONFIG_S=\"a\\\"b\\\\c\"", "S", `"a\"b\\c"`)
	f.Fuzz(func(t *testing.T, text, name, value string) {
		if _, err := ParseKernelConfig(strings.NewReader(text)); err != nil && !errors.Is(err, bufio.ErrTooLong) {
			t.Fatalf("ParseKernelConfig: %v", err)
		}
		// Value takes the name with or without CONFIG_; a symbol itself
		// named CONFIG_... is not one kconfig makes.
		if !validSymbol(name) || strings.HasPrefix(name, "CONFIG_") || strings.ContainsAny(value, "\r\n") || value != strings.TrimSpace(value) {
			return
		}
		c, err := ParseKernelConfig(strings.NewReader(text + "\nCONFIG_" + name + "=" + value + "\n"))
		if err != nil {
			return // a line over the scanner's limit: said, not guessed
		}
		want := value
		if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
			want = unescape(value[1:len(value)-1], false)
		}
		if got := c.Value(name); got != want {
			t.Fatalf("CONFIG_%s=%s read back as %q, want %q", name, value, got, want)
		}
	})
}
