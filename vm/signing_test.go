package vm

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeRoot writes files (path relative to the root: content) into a new
// root folder.
func fakeRoot(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, c := range files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestHostSigning(t *testing.T) {
	const rel = "proc/sys/kernel/osrelease"
	for _, tc := range []struct {
		name    string
		files   map[string]string
		mokutil string // script output; "" for no mokutil on PATH
		reasons []string
		hash    string
	}{
		{"nothing", map[string]string{}, "", nil, "sha256"},
		{"all off", map[string]string{
			"sys/kernel/security/lockdown":             "[none] integrity confidentiality\n",
			"sys/module/module/parameters/sig_enforce": "N\n",
			efiSecureBoot: "\x06\x00\x00\x00\x00",
		}, "SecureBoot enabled", nil, "sha256"},
		{"lockdown integrity", map[string]string{
			"sys/kernel/security/lockdown": "none [integrity] confidentiality\n",
		}, "", []string{"kernel lockdown is integrity"}, "sha256"},
		{"sig_enforce", map[string]string{
			"sys/module/module/parameters/sig_enforce": "Y\n",
			rel: "6.1.0-57-amd64\n",
			"lib/modules/6.1.0-57-amd64/build/.config": "CONFIG_MODULE_SIG=y\nCONFIG_MODULE_SIG_HASH=\"sha512\"\n",
		}, "", []string{"module.sig_enforce is on"}, "sha512"},
		{"secure boot from efivars", map[string]string{
			efiSecureBoot:                  "\x06\x00\x00\x00\x01",
			"sys/kernel/security/lockdown": "none [integrity] confidentiality\n",
		}, "SecureBoot disabled", []string{"Secure Boot is enabled", "kernel lockdown is integrity"}, "sha256"},
		// efivarfs not mounted: mokutil asked.
		{"secure boot from mokutil", map[string]string{}, "SecureBoot enabled", []string{"Secure Boot is enabled"}, "sha256"},
		{"mokutil says disabled", map[string]string{}, "SecureBoot disabled", nil, "sha256"},
		{"mokutil without EFI", map[string]string{}, "EFI variables are not supported on this system", nil, "sha256"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bin := t.TempDir()
			if tc.mokutil != "" {
				script := "#!/bin/sh\n[ \"$1\" = --sb-state ] || exit 9\necho '" + tc.mokutil + "'\n"
				if err := os.WriteFile(filepath.Join(bin, "mokutil"), []byte(script), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			t.Setenv("PATH", bin)
			root := fakeRoot(t, tc.files)
			s := HostSigning(t.Context(), root)
			if strings.Join(s.Reasons, "; ") != strings.Join(tc.reasons, "; ") {
				t.Errorf("reasons %q, want %q", s.Reasons, tc.reasons)
			}
			if s.Enforced() != (len(tc.reasons) > 0) {
				t.Errorf("Enforced() = %v with reasons %q", s.Enforced(), s.Reasons)
			}
			if s.Hash != tc.hash {
				t.Errorf("hash %q, want %q", s.Hash, tc.hash)
			}
			if r, ok := tc.files[rel]; ok && s.Tree != "/lib/modules/"+strings.TrimSpace(r)+"/build" {
				t.Errorf("tree %q, want the running release's build folder", s.Tree)
			}
		})
	}
}

func TestSigningAdvice(t *testing.T) {
	dir := t.TempDir()
	unsigned := filepath.Join(dir, "hello.ko")
	signed := filepath.Join(dir, "signed.ko")
	if err := os.WriteFile(unsigned, []byte("\x7fELF..."), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(signed, []byte("\x7fELF...sig"+sigTrailer), 0o644); err != nil {
		t.Fatal(err)
	}
	on := Signing{Reasons: []string{"Secure Boot is enabled"}, Tree: "/lib/modules/6.1.0-57-amd64/build", Hash: "sha256"}
	for _, tc := range []struct {
		name string
		s    Signing
		ko   string
		want []string // empty: no advice
	}{
		{"not enforced", Signing{Tree: on.Tree, Hash: "sha256"}, unsigned, nil},
		{"signed already", on, signed, nil},
		{"unsigned", on, unsigned, []string{
			"enforces module signatures (Secure Boot is enabled)",
			"an unsigned hello.ko will not load here",
			"mokutil --import /var/lib/dkms/mok.pub",
			"/lib/modules/6.1.0-57-amd64/build/scripts/sign-file sha256 /var/lib/dkms/mok.key /var/lib/dkms/mok.pub " + unsigned,
		}},
		{"not built yet", on, filepath.Join(dir, "MODULE.ko"), []string{"an unsigned MODULE.ko will not load"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.s.Advice(tc.ko)
			if (got == "") != (len(tc.want) == 0) {
				t.Fatalf("advice %q, want %d parts", got, len(tc.want))
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("advice lacks %q:\n%s", w, got)
				}
			}
		})
	}
}
