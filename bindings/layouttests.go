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
// addr_of! on a place behind one are both allowed in const since 1.58.
func (w *rustWriter) layoutTests() {
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
	w.p("macro_rules! _rk_offset {")
	w.p("    ($t:ty, $n:expr, $p0:expr, $p1:expr, $p2:expr, $f:ident) => {")
	w.p("        unsafe {")
	for i, shift := range []string{"", " << 8", " << 16"} {
		sep := "| "
		if i == 0 {
			sep = ""
		}
		w.p("            %s((*(::core::ptr::addr_of!((*(&$p%d as *const [c_uchar; $n] as *const $t)).$f) as *const c_uchar)) as usize)%s", sep, i, shift)
	}
	w.p("        }")
	w.p("    };")
	w.p("}")
	for _, it := range w.ordered() {
		r, ok := it.(*Record)
		if !ok || !r.Complete {
			continue
		}
		w.p("const _: () = {")
		w.assert(fmt.Sprintf("::core::mem::size_of::<%s>()", r.Name), r.Size, fmt.Sprintf("size of %s", r.cName()))
		w.assert(fmt.Sprintf("::core::mem::align_of::<%s>()", r.Name), r.Align, fmt.Sprintf("alignment of %s", r.cName()))
		var fields []Member
		if r.Opaque == "" {
			for _, m := range r.Members {
				if m.Kind != MPad {
					fields = append(fields, m)
				}
			}
		}
		if len(fields) > 0 {
			w.p("    const N: usize = ::core::mem::size_of::<%s>() + 1;", r.Name)
			w.p("    const P0: [c_uchar; N] = _rk_probe::<N>(0);")
			w.p("    const P1: [c_uchar; N] = _rk_probe::<N>(8);")
			w.p("    const P2: [c_uchar; N] = _rk_probe::<N>(16);")
			for _, m := range fields {
				w.assert(fmt.Sprintf("_rk_offset!(%s, N, P0, P1, P2, %s)", r.Name, m.Name), m.Offset,
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
