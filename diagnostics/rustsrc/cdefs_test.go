package rustsrc

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// The functions a C shim defines with external linkage, as the build's
// link check counts them: static ones, declarations, commented-out code
// and definitions inside #if blocks' text are told apart by the C grammar.
func TestCDefinitions(t *testing.T) {
	src := `#include <linux/slab.h>
static int helper(void) { return 0; }
int rust_helper_spin_lock(spinlock_t *lock)
{
	spin_lock(lock);
	return 0;
}
void *rust_helper_kmalloc(size_t size,
			  gfp_t flags)
{
	return kmalloc(size, flags);
}
/* int commented_out(void) { } */
void declared_only(void);
static inline void inline_one(void) {}
int __init shim_init(void) { return 0; }
const char * __cold name_of(int x) { return "x"; }
`
	p := filepath.Join(t.TempDir(), "shim.c")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	got := CDefinitions([]string{p, filepath.Join(t.TempDir(), "missing.c")})
	want := []string{"rust_helper_spin_lock", "rust_helper_kmalloc", "shim_init", "name_of"}
	if !slices.Equal(got, want) {
		t.Errorf("CDefinitions = %q, want %q", got, want)
	}
}
