package module

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/internal/testkernel"
)

func TestParseKernelConfig(t *testing.T) {
	text := `#
# Automatically generated file; DO NOT EDIT.
#
CONFIG_CC_VERSION_TEXT="x86_64-linux-gnu-gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0"
CONFIG_X86_64=y
# CONFIG_X86_KERNEL_IBT is not set
CONFIG_MITIGATION_RETHUNK=y
CONFIG_FUNCTION_PADDING_BYTES=16
CONFIG_PHYSICAL_START=0x1000000
CONFIG_EXT4_FS=m
CONFIG_ESCAPED="a \"b\" c\\d"
CONFIG_EMPTY=""
  CONFIG_INDENTED=y
garbage line
CONFIG_=y
CONFIG_BAD-NAME=y
# CONFIG_ is not set
# a comment mentioning CONFIG_FOO=y
`
	c, err := ParseKernelConfig(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	values := []struct{ name, want string }{
		{"CC_VERSION_TEXT", "x86_64-linux-gnu-gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0"},
		{"CONFIG_X86_64", "y"},
		{"X86_64", "y"},
		{"X86_KERNEL_IBT", "n"},
		{"MITIGATION_RETHUNK", "y"},
		{"RETHUNK", ""},
		{"EXT4_FS", "m"},
		{"ESCAPED", `a "b" c\d`},
		{"EMPTY", ""},
		{"INDENTED", "y"},
		{"BAD-NAME", ""},
		{"FOO", ""},
		{"", ""},
	}
	for _, v := range values {
		if got := c.Value(v.name); got != v.want {
			t.Errorf("Value(%q) = %q, want %q", v.name, got, v.want)
		}
	}
	enabled := []struct {
		names []string
		want  bool
	}{
		{[]string{"MITIGATION_RETHUNK"}, true},
		{[]string{"RETHUNK", "MITIGATION_RETHUNK"}, true},
		{[]string{"RETHUNK"}, false},
		{[]string{"X86_KERNEL_IBT"}, false},
		{[]string{"EXT4_FS"}, false}, // a module, not built in
		{nil, false},
	}
	for _, e := range enabled {
		if got := c.Enabled(e.names...); got != e.want {
			t.Errorf("Enabled(%q) = %v, want %v", e.names, got, e.want)
		}
	}
	ints := []struct {
		name string
		want int64
		ok   bool
	}{
		{"FUNCTION_PADDING_BYTES", 16, true},
		{"PHYSICAL_START", 0x1000000, true},
		{"X86_64", 0, false},
		{"X86_KERNEL_IBT", 0, false},
		{"MISSING", 0, false},
	}
	for _, i := range ints {
		if got, ok := c.Int(i.name); got != i.want || ok != i.ok {
			t.Errorf("Int(%q) = %d, %v, want %d, %v", i.name, got, ok, i.want, i.ok)
		}
	}
	var nilConfig *KernelConfig
	if nilConfig.Enabled("X86_64") || nilConfig.Value("X86_64") != "" {
		t.Error("a nil configuration must enable nothing")
	}
}

func TestReadKernelConfigMissing(t *testing.T) {
	p := filepath.Join(t.TempDir(), ".config")
	if _, err := ReadKernelConfig(p); err == nil || !strings.Contains(err.Error(), p) {
		t.Errorf("ReadKernelConfig(%s) = %v, want an error naming the file", p, err)
	}
}

// codegenFacts are the code-generation options of Debian's trees as
// docs/KERNELS.md records them (RETHUNK was renamed MITIGATION_RETHUNK in 6.9).
var codegenFacts = []struct {
	tree *regexp.Regexp
	want map[string]string
}{
	{regexp.MustCompile(`^linux-headers-6\.1\.\d+-\d+-(rt-)?amd64$`),
		map[string]string{"X86_KERNEL_IBT": "n", "RETHUNK": "y", "RETPOLINE": "y", "SLS": "y"}},
	{regexp.MustCompile(`^linux-headers-(6\.12|7)\.[\d.]+\+deb1[23]-(rt-)?amd64$`),
		map[string]string{"X86_KERNEL_IBT": "y", "MITIGATION_RETHUNK": "y", "MITIGATION_RETPOLINE": "y", "MITIGATION_SLS": "y"}},
}

// TestReadKernelConfigTrees reads every test tree's .config and checks it
// against a line count done independently: each CONFIG_ line and each "is
// not set" comment is one option. Debian's trees must have the
// code-generation options codegenFacts records.
func TestReadKernelConfigTrees(t *testing.T) {
	setRE := regexp.MustCompile(`^CONFIG_[A-Za-z0-9_]+=`)
	unsetRE := regexp.MustCompile(`^# CONFIG_[A-Za-z0-9_]+ is not set$`)
	for _, dir := range testkernel.All(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			p := filepath.Join(dir, ".config")
			c, err := ReadKernelConfig(p)
			if err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			want := 0
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				if setRE.MatchString(sc.Text()) || unsetRE.MatchString(sc.Text()) {
					want++
				}
			}
			if len(c.values) != want {
				t.Errorf("%d options read, the file has %d", len(c.values), want)
			}
			if c.Value("X86_64") != "y" || c.Path != p {
				t.Errorf("CONFIG_X86_64=%q, Path %q: not the x86_64 tree's configuration", c.Value("X86_64"), c.Path)
			}
			for _, k := range codegenFacts {
				if !k.tree.MatchString(filepath.Base(dir)) {
					continue
				}
				for name, want := range k.want {
					if got := c.Value(name); got != want {
						t.Errorf("CONFIG_%s=%q, want %q", name, got, want)
					}
				}
			}
		})
	}
}
