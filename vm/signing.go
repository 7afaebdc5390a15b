package vm

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/rustko/rustko-lsp/module"
)

// efiSecureBoot is the EFI variable mokutil --sb-state reads: 4 bytes of
// attributes, then 1 when Secure Boot is on.
const efiSecureBoot = "sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c"

// sigTrailer ends a signed module (the kernel's MODULE_SIG_STRING).
const sigTrailer = "~Module signature appended~\n"

// Signing is whether the running kernel loads only signed modules.
type Signing struct {
	// Reasons says what enforces signatures; empty when nothing does.
	Reasons []string
	// Tree is the running kernel's build tree (/lib/modules/<release>/build),
	// whose scripts/sign-file signs by hand.
	Tree string
	// Hash is the tree's CONFIG_MODULE_SIG_HASH (sha256 when unknown).
	Hash string
}

// Enforced reports whether an unsigned module is refused.
func (s Signing) Enforced() bool { return len(s.Reasons) > 0 }

// HostSigning reads the running system under root ("/", or a fake tree in
// tests): lockdown in sys/kernel/security/lockdown (integrity and
// confidentiality both refuse unsigned modules), the module.sig_enforce
// parameter, and Secure Boot from its EFI variable, or from
// `mokutil --sb-state` when the variable cannot be read (efivarfs not
// mounted). Unreadable files mean nothing is known, not enforced.
func HostSigning(ctx context.Context, root string) Signing {
	var s Signing
	read := func(p string) string {
		b, err := os.ReadFile(filepath.Join(root, p))
		if err != nil {
			return ""
		}
		return strings.TrimSpace(string(b))
	}
	if sb, ok := secureBoot(ctx, root); ok && sb {
		s.Reasons = append(s.Reasons, "Secure Boot is enabled")
	}
	if l := lockdownMode(read("sys/kernel/security/lockdown")); l != "" && l != "none" {
		s.Reasons = append(s.Reasons, "kernel lockdown is "+l)
	}
	if read("sys/module/module/parameters/sig_enforce") == "Y" {
		s.Reasons = append(s.Reasons, "module.sig_enforce is on")
	}
	rel := read("proc/sys/kernel/osrelease")
	if rel == "" {
		rel = "$(uname -r)"
	}
	s.Tree = "/lib/modules/" + rel + "/build"
	s.Hash = "sha256"
	if c, err := module.ReadKernelConfig(filepath.Join(root, s.Tree, ".config")); err == nil && c.Value("MODULE_SIG_HASH") != "" {
		s.Hash = c.Value("MODULE_SIG_HASH")
	}
	return s
}

// lockdownMode is the selected mode of "none [integrity] confidentiality".
func lockdownMode(s string) string {
	if i := strings.IndexByte(s, '['); i >= 0 {
		if j := strings.IndexByte(s[i:], ']'); j > 0 {
			return s[i+1 : i+j]
		}
	}
	return ""
}

// secureBoot is Secure Boot's state and whether it is known.
func secureBoot(ctx context.Context, root string) (on, known bool) {
	if b, err := os.ReadFile(filepath.Join(root, efiSecureBoot)); err == nil && len(b) >= 5 {
		return b[4] == 1, true
	}
	mokutil, err := exec.LookPath("mokutil")
	if err != nil {
		return false, false
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	// mokutil exits non-zero on a machine without EFI: its words decide.
	out, _ := exec.CommandContext(ctx, mokutil, "--sb-state").CombinedOutput()
	switch {
	case bytes.Contains(out, []byte("SecureBoot enabled")):
		return true, true
	case bytes.Contains(out, []byte("SecureBoot disabled")):
		return false, true
	}
	return false, false
}

// Signed reports whether the module file carries a signature.
func Signed(ko string) bool {
	f, err := os.Open(ko)
	if err != nil {
		return false
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.Size() < int64(len(sigTrailer)) {
		return false
	}
	buf := make([]byte, len(sigTrailer))
	if _, err := f.ReadAt(buf, st.Size()-int64(len(buf))); err != nil {
		return false
	}
	return string(buf) == sigTrailer
}

// Advice is what to tell a user whose machine enforces signatures about
// the module ko (a path, or a name when it is not built yet): it will not
// load unsigned, and the two ways to sign it. Empty when nothing enforces
// signatures or ko is signed already.
func (s Signing) Advice(ko string) string {
	if !s.Enforced() || Signed(ko) {
		return ""
	}
	name := filepath.Base(ko)
	return fmt.Sprintf(`this machine enforces module signatures (%s): an unsigned %s will not load here (insmod: Key was rejected by service).
  DKMS (see rustko-lsp dkms) signs the modules it builds with its MOK key; enrol the key once with
    sudo mokutil --import /var/lib/dkms/mok.pub   (then reboot and confirm in the MOK manager)
  To sign by hand with an enrolled key and certificate:
    sudo %s/scripts/sign-file %s /var/lib/dkms/mok.key /var/lib/dkms/mok.pub %s`,
		strings.Join(s.Reasons, ", "), name, s.Tree, s.Hash, ko)
}
