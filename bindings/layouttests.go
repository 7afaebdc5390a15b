package bindings

import (
	"fmt"
	"strings"
)

// layoutTests writes compile-time assertions of every emitted record's
// size, alignment and member offsets. They must hold on rustc 1.63, which
// has no offset_of! and cannot subtract pointers in const code, so offsets
// are read through the place of the member: a probe array whose byte i
// holds the bits of i is viewed as the record, and the bytes under the
// member's address spell its offset. Reading a u8 through a raw pointer and
// addr_of! on a place behind one are both allowed in const since 1.58. The
// probes are built once, as large as the largest record, because const
// evaluation is slow: per record they would cost minutes on big headers.
func (w *rustWriter) layoutTests() {
	var records []*Record
	maxSize := int64(0)
	for _, it := range w.ordered() {
		if r, ok := it.(*Record); ok && r.Complete {
			records = append(records, r)
			maxSize = max(maxSize, r.Size)
		}
	}
	if len(records) == 0 {
		return
	}
	n := maxSize + 1
	w.p("// Layout assertions: the build fails if rustc lays out a record differently from the C compiler.")
	w.p("const fn _rk_probe<const N: usize>(shift: u32) -> [c_uchar; N] {")
	w.p("    let mut b = [0; N];")
	w.p("    let mut i = 0;")
	w.p("    while i < N {")
	w.p("        b[i] = (i >> shift) as c_uchar;")
	w.p("        i += 1;")
	w.p("    }")
	w.p("    b")
	w.p("}")
	w.p("const _RK_N: usize = %d;", n)
	probes := []string{"_RK_P0"}
	w.p("const _RK_P0: [c_uchar; _RK_N] = _rk_probe::<_RK_N>(0);")
	if n > 1<<8 {
		probes = append(probes, "_RK_P1")
		w.p("const _RK_P1: [c_uchar; _RK_N] = _rk_probe::<_RK_N>(8);")
	}
	if n > 1<<16 {
		probes = append(probes, "_RK_P2")
		w.p("const _RK_P2: [c_uchar; _RK_N] = _rk_probe::<_RK_N>(16);")
	}
	w.p("macro_rules! _rk_offset {")
	w.p("    ($t:ty, $f:ident) => {")
	w.p("        unsafe {")
	for i, p := range probes {
		sep := "| "
		if i == 0 {
			sep = ""
		}
		shift := ""
		if i > 0 {
			shift = fmt.Sprintf(" << %d", 8*i)
		}
		w.p("            %s((*(::core::ptr::addr_of!((*(&%s as *const [c_uchar; _RK_N] as *const $t)).$f) as *const c_uchar)) as usize)%s", sep, p, shift)
	}
	w.p("        }")
	w.p("    };")
	w.p("}")
	for _, r := range records {
		w.p("const _: () = {")
		w.assert(fmt.Sprintf("::core::mem::size_of::<%s>()", r.Name), r.Size, fmt.Sprintf("size of %s", r.cName()))
		w.assert(fmt.Sprintf("::core::mem::align_of::<%s>()", r.Name), r.Align, fmt.Sprintf("alignment of %s", r.cName()))
		if r.Opaque == "" {
			for _, m := range r.Members {
				if m.Kind == MPad {
					continue
				}
				w.assert(fmt.Sprintf("_rk_offset!(%s, %s)", r.Name, m.Name), m.Offset,
					fmt.Sprintf("offset of %s.%s", r.cName(), strings.TrimPrefix(m.Name, "r#")))
			}
		}
		w.p("};")
	}
	w.p("")
}

func (w *rustWriter) assert(expr string, want int64, what string) {
	w.p("    if %s != %d {", expr, want)
	w.p("        panic!(%q);", fmt.Sprintf("layout mismatch: %s is not %d as in C; regenerate the bindings", what, want))
	w.p("    }")
}
