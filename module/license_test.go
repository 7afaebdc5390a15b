package module

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/rustko/rustko-lsp/internal/testkernel"
)

func TestGPLCompatible(t *testing.T) {
	tests := map[string]bool{
		"GPL": true, "GPL v2": true, "GPL and additional rights": true,
		"Dual BSD/GPL": true, "Dual MIT/GPL": true, "Dual MPL/GPL": true,
		"MIT": false, "BSD": false, "Proprietary": false, "": false,
		"gpl": false, "GPL ": false, "GPLv2": false, "Dual MIT/GPL ": false,
	}
	for s, want := range tests {
		if got := GPLCompatible(s); got != want {
			t.Errorf("GPLCompatible(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestGPLCompatibleMatchesKernel reads license_is_gpl_compatible() from each
// tested kernel's headers: our list must be the kernel's.
func TestGPLCompatibleMatchesKernel(t *testing.T) {
	for _, kdir := range testkernel.All(t) {
		t.Run(filepath.Base(kdir), func(t *testing.T) {
			file := treeFile(t, kdir, "include/linux/license.h")
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var kernel []string
			for _, m := range regexp.MustCompile(`strcmp\(license, "([^"]*)"\)`).FindAllStringSubmatch(string(b), -1) {
				kernel = append(kernel, m[1])
			}
			eq(t, "kernel list ("+file+")", kernel, GPLCompatibleLicenses())
		})
	}
}
