package rustsrc

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/module"

	"github.com/rustko/rustko-lsp/internal/testtree"
)

// editPool is text an editing session types: calls that make findings
// (inline-function, float, printk), imports and extern blocks that change
// how every other line resolves, and broken syntax.
var editPool = []string{
	"    let _p = unsafe { bindings::kmalloc(8, bindings::GFP_KERNEL) };\n",
	"    let x = 1.5f32;\n",
	"use bindings::*;\n",
	"use crate::bindings as b;\n",
	"use bindings::{kfree, kmalloc};\n",
	"extern \"C\" {\n    fn kmalloc(size: usize, flags: u32) -> *mut u8;\n}\n",
	"#[cfg(test)]\n",
	"#[no_mangle]\n",
	"fn helper() { unsafe { b::kfree(core::ptr::null()); } }\n",
	"const GFP_KERNEL: u32 = 0xcc0;\n",
	"    unsafe { _printk(b\"%d\\n\\0\".as_ptr() as *const i8, 1u64) };\n",
	"mod kernel { pub fn x() {} }\n",
	"fn broken( {\n",
	"}\n",
	"/*",
	"*/\n",
	"\"",
	"é",
}

// randomEdit changes src the way a keystroke, a paste or a line deletion
// does, at a random place.
func randomEdit(r *rand.Rand, src string) string {
	at := 0
	if len(src) > 0 {
		at = r.IntN(len(src) + 1)
	}
	switch r.IntN(5) {
	case 0, 1: // paste a line of the pool at the start of a line
		lineStart := strings.LastIndexByte(src[:at], '\n') + 1
		return src[:lineStart] + editPool[r.IntN(len(editPool))] + src[lineStart:]
	case 2: // delete the line at
		s := strings.LastIndexByte(src[:at], '\n') + 1
		e := strings.IndexByte(src[at:], '\n')
		if e < 0 {
			return src[:s]
		}
		return src[:s] + src[at+e+1:]
	case 3: // type or delete one byte
		if r.IntN(2) == 0 || at == len(src) {
			return src[:at] + string("a;{}( :\n"[r.IntN(8)]) + src[at:]
		}
		return src[:at] + src[at+1:]
	default: // replace a span of up to 40 bytes
		end := min(len(src), at+r.IntN(40))
		return src[:at] + editPool[r.IntN(len(editPool))] + src[end:]
	}
}

// TestIncrementalMatchesFresh: a chain of edits, each reparsed from the
// previous version as the server does on every keystroke, analyses to the
// same findings and references as a fresh parse of the same text.
func TestIncrementalMatchesFresh(t *testing.T) {
	dir := t.TempDir()
	m := &module.Module{Root: dir, ConfigFile: filepath.Join(dir, "config.mk")}
	m.Vars.CFiles = []string{filepath.Join(dir, "module.c")}
	if err := os.WriteFile(m.Vars.CFiles[0], []byte("int rust_helper(int x) { return x; }\nvoid f(void) { rust_main(); }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := &Env{Index: fixtureIndex(t), Module: m}
	texts := map[string]string{"big.rs": string(bigFile(300))}
	cases, err := filepath.Glob(filepath.Join("testdata", "corpus", "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		for name, text := range testtree.Txtar(t, c) {
			if strings.HasSuffix(name, ".rs") {
				texts[filepath.Base(c)+"/"+name] = text
			}
		}
	}
	names := make([]string, 0, len(texts))
	for n := range texts {
		names = append(names, n)
	}
	sort.Strings(names)
	edits := 60
	if testing.Short() {
		edits = 15
	}
	path := filepath.Join(dir, "src", "lib.rs")
	for i, name := range names {
		t.Run(name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(i), 13))
			src := texts[name]
			f, err := ParseWith(path, []byte(src), env)
			if err != nil {
				t.Fatal(err)
			}
			findings := 0
			for e := range edits {
				src = randomEdit(r, src)
				inc, err := f.Reparse([]byte(src), env)
				if err != nil {
					t.Fatal(err)
				}
				fresh, err := ParseWith(path, []byte(src), env)
				if err != nil {
					t.Fatal(err)
				}
				got, want := Analyze(inc, env), Analyze(fresh, env)
				if g, w := fmt.Sprintf("%+v", got), fmt.Sprintf("%+v", want); g != w {
					t.Fatalf("edit %d: incremental findings differ from a fresh analysis\nincremental: %s\nfresh:       %s\ntext:\n%s", e, g, w, src)
				}
				if g, w := refsString(inc.refs), refsString(fresh.refs); g != w {
					t.Fatalf("edit %d: incremental refs differ\nincremental: %s\nfresh:       %s\ntext:\n%s", e, g, w, src)
				}
				findings += len(got)
				f = inc
			}
			if findings == 0 && name == "big.rs" {
				t.Error("no findings in any version of big.rs: the comparison compared nothing")
			}
		})
	}
}

func refsString(rs []cRef) string {
	var b strings.Builder
	for _, r := range rs {
		fmt.Fprintf(&b, "%s@%v/%s/%d/%p;", r.Name, r.Range, r.Via, r.role, r.Item)
	}
	return b.String()
}
