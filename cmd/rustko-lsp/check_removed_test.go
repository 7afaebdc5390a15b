package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// A name a newer kernel removed is reported as such by check, not as a
// typo: strlcpy left the kernel in 6.8, so checking a module that calls it
// against Debian's 6.12 tree, with 6.1 installed beside it (scripts/kernels.sh
// installs both), says where it went.
func TestCheckNameRemovedFromThisKernel(t *testing.T) {
	const tree612 = "/usr/src/linux-headers-6.12.118+deb12-amd64"
	files := treeFiles(t, filepath.Join("..", "..", "examples", "hello"))
	delete(files, "src/bindings.rs")
	files["src/lib.rs"] = strings.Replace(files["src/lib.rs"], `rustko::pr_info!("hello from rust");`,
		`rustko::pr_info!("hello from rust");
    let mut buf = [0u8; 8];
    unsafe { bindings::strlcpy(buf.as_mut_ptr() as *mut _, b"hi\0".as_ptr() as *const _, 8) };`, 1)
	dir := checkModuleDir(t, "removed-name", files)
	code, diags, out := checkJSON(t, checkOptions{dir: dir, kdir: tree612})
	if code != exitFindings {
		t.Fatalf("exit %d, want %d (is %s installed? scripts/kernels.sh 6.12)\n%s", code, exitFindings, tree612, out)
	}
	for _, d := range diags {
		if d.Code == "not-declared" {
			if !strings.Contains(d.Message, "`strlcpy` is not in this kernel (6.12.118+deb12-amd64): removed after 6.1.0-57-amd64") {
				t.Errorf("message %q does not say strlcpy was removed after 6.1", d.Message)
			}
			return
		}
	}
	t.Errorf("no not-declared finding for strlcpy:\n%s", out)
}
