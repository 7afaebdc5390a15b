package verdict

import (
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/bindings/cmacro"
	"github.com/rustko/rustko-lsp/bindings/index"
)

// fixture holds definitions copied from the Debian 6.1 headers (with this
// kernel's configuration: no PRINTK_INDEX, no DEBUG_SPINLOCK, no LOCKDEP),
// so the expansion logic is pinned without the C front end. The same
// verdicts are checked on the generated index in the integration test.
func fixture() *index.Index {
	def := func(text string) *index.Item {
		d := cmacro.Parse(text)
		k := index.Macro
		if d.FuncLike {
			k = index.FunctionMacro
		}
		return &index.Item{Name: d.Name, Kind: k, Decl: text}
	}
	return &index.Index{Items: []*index.Item{
		def(`#define printk(fmt, ...) printk_index_wrap(_printk, fmt, ##__VA_ARGS__)`),
		def(`#define printk_index_wrap(_p_func, _fmt, ...) ({ __printk_index_emit(_fmt, NULL, NULL); _p_func(_fmt, ##__VA_ARGS__); })`),
		def(`#define __printk_index_emit(...) do {} while (0)`),
		def(`#define NULL ((void *)0)`),
		{Name: "_printk", Kind: index.Function, Variadic: true, Export: index.Exported},
		def(`#define pr_info(fmt, ...) printk(KERN_INFO pr_fmt(fmt), ##__VA_ARGS__)`),
		def(`#define pr_fmt(fmt) fmt`),
		def(`#define KERN_SOH "\001"`),
		def(`#define KERN_INFO KERN_SOH "6"`),
		def(`#define container_of(ptr, type, member) ({ void *__mptr = (void *)(ptr); static_assert(__same_type(*(ptr), ((type *)0)->member) || __same_type(*(ptr), void), "pointer type mismatch in container_of()"); ((type *)(__mptr - offsetof(type, member))); })`),
		def(`#define spin_lock_init(_lock) do { spinlock_check(_lock); *(_lock) = __SPIN_LOCK_UNLOCKED(_lock); } while (0)`),
		{Name: "spinlock_check", Kind: index.InlineFunction},
		def(`#define mutex_init(mutex) do { static struct lock_class_key __key; __mutex_init((mutex), #mutex, &__key); } while (0)`),
		{Name: "__mutex_init", Kind: index.Function, Export: index.Exported},
		def(`#define INIT_WORK(_work, _func) __INIT_WORK((_work), (_func), 0)`),
		def(`#define __INIT_WORK(_work, _func, _onstack) do { static __maybe_unused struct lock_class_key __key; __INIT_WORK_KEY(_work, _func, _onstack, &__key); } while (0)`),
		def(`#define __INIT_WORK_KEY(_work, _func, _onstack, _key) do { __init_work((_work), _onstack); (_work)->data = (atomic_long_t) WORK_DATA_INIT(); INIT_LIST_HEAD(&(_work)->entry); (_work)->func = (_func); } while (0)`),
		def(`#define module_init(initfn) static inline initcall_t __maybe_unused __inittest(void) { return initfn; } int init_module(void) __copy(initfn) __attribute__((alias(#initfn))); ___ADDRESSABLE(init_module, __initdata);`),
		def(`#define __maybe_unused __attribute__((__unused__))`),
		def(`#define DEFINE_MUTEX(mutexname) struct mutex mutexname = __MUTEX_INITIALIZER(mutexname)`),
		def(`#define DEFINE_RWLOCK_X(name) rwlock_t name = __RW_LOCK_UNLOCKED(name)`),
		{Name: "rwlock_t", Kind: index.Typedef},
		{Name: "GFP_KERNEL", Kind: index.Macro, Decl: `#define GFP_KERNEL (__GFP_RECLAIM | __GFP_IO | __GFP_FS)`, Value: "0xcc0", ValueType: "gfp_t"},
		def(`#define current get_current()`),
		{Name: "get_current", Kind: index.InlineFunction},
		def(`#define kmalloc_track_caller(size, flags) __kmalloc_track_caller(size, flags, _RET_IP_)`),
		{Name: "__kmalloc_track_caller", Kind: index.Function, Export: index.Exported},
		def(`#define kzalloc_x(size, flags) kmalloc(size, (flags) | __GFP_ZERO)`),
		{Name: "kmalloc", Kind: index.InlineFunction},
		def(`#define smp_mb() asm volatile("lock; addl $0,-4(%%rsp)" ::: "memory", "cc")`),
		def(`#define set_bit_x(nr, addr) do { *(addr) |= 1UL << (nr); } while (0)`),
		def(`#define loop_a loop_b`),
		def(`#define loop_b loop_a`),
		def(`#define self_ref(x) self_ref(x)`),
		{Name: "THIS_MODULE", Kind: index.Macro, Decl: `#define THIS_MODULE (&__this_module)`, Why: "runtime address of __this_module"},
		def(`#define __unused_empty`),
		// The index writes GNU's named variadic "X..." as "X" and sets
		// Variadic (7.3's mk_vma_flags counts its flags this way).
		{Name: "COUNT_ARGS", Kind: index.FunctionMacro, Variadic: true, Decl: `#define COUNT_ARGS(X) __COUNT_ARGS(, ##X, 3, 2, 1, 0)`},
		{Name: "__COUNT_ARGS", Kind: index.FunctionMacro, Variadic: true, Decl: `#define __COUNT_ARGS(_0, _1, _2, _3, _n, X) _n`},
		def(`#define mk_flags(...) __mk_flags(COUNT_ARGS(__VA_ARGS__), __VA_ARGS__)`),
		{Name: "__mk_flags", Kind: index.InlineFunction},
		{Name: "TWO_FLAGS", Kind: index.Macro, Decl: `#define TWO_FLAGS mk_flags(A, B)`},
	}}
}

func TestClassify(t *testing.T) {
	ix := fixture()
	for _, tc := range []struct {
		name, class, target, advice string
	}{
		{"printk", ClassExportedCall, "_printk", "call `_printk`"},
		{"pr_info", ClassIdiom, "_printk", `"\x016"`},
		{"container_of", ClassIdiom, "", "offset_of!"},
		{"spin_lock_init", ClassHiddenState, "", "C shim"},
		{"mutex_init", ClassHiddenState, "__mutex_init", "call `__mutex_init`"},
		{"INIT_WORK", ClassHiddenState, "", "C shim"},
		{"module_init", ClassDeclares, "", "C shim"},
		{"DEFINE_MUTEX", ClassDeclares, "__mutex_init", "static mut"},
		{"DEFINE_RWLOCK_X", ClassDeclares, "", "rwlock_t"},
		{"current", ClassInline, "get_current", "add `get_current` to KERNEL_HELPERS"},
		{"kmalloc_track_caller", ClassExpression, "", "no function behind it"},
		{"kzalloc_x", ClassInline, "kmalloc", "KERNEL_HELPERS"},
		{"smp_mb", ClassExpression, "", "C shim"},
		{"set_bit_x", ClassStatement, "", "statement macro"},
		{"loop_a", ClassNoValue, "", "no value"},
		{"self_ref", ClassExpression, "", "no function"},
		{"THIS_MODULE", ClassIdiom, "", "__this_module"},
		{"__unused_empty", ClassStatement, "", "expands to nothing"},
		{"TWO_FLAGS", ClassInline, "__mk_flags", "`__mk_flags(2, A, B)`"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			items := ix.Lookup(tc.name)
			if len(items) == 0 {
				t.Fatalf("fixture has no %s", tc.name)
			}
			v := Classify(ix, items[0])
			if v == nil {
				t.Fatalf("no verdict")
			}
			if v.Class != tc.class || v.Target != tc.target || !strings.Contains(v.Advice, tc.advice) {
				t.Errorf("got {%s %q %q}, want class %s target %q advice containing %q", v.Class, v.Target, v.Advice, tc.class, tc.target, tc.advice)
			}
		})
	}
}

func TestClassifyNeedsNoVerdict(t *testing.T) {
	ix := fixture()
	for _, name := range []string{"GFP_KERNEL", "_printk", "get_current"} {
		if v := Classify(ix, ix.Lookup(name)[0]); v != nil {
			t.Errorf("%s: got verdict %+v, want none", name, v)
		}
	}
	if Classify(ix, nil) != nil {
		t.Error("nil item got a verdict")
	}
}

func TestIdiomTable(t *testing.T) {
	rows, err := Idioms()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 20 {
		t.Fatalf("only %d idioms", len(rows))
	}
	for _, bad := range []string{
		"x\tidiom\t-",
		"x\tweird\t-\tadvice",
		"x\tidiom\t-\t",
		"a b\tidiom\t-\tadvice",
		"x\tidiom\t-\tone\nx\tidiom\t-\ttwo",
	} {
		if _, err := parseIdioms(bad); err == nil || !strings.Contains(err.Error(), "idioms.tsv:") {
			t.Errorf("%q: want an error naming idioms.tsv:line, got %v", bad, err)
		}
	}
}

func FuzzClassify(f *testing.F) {
	f.Add("#define F(a, ...) G(a, ##__VA_ARGS__)", "#define G(x, y...) ({ x; y; })")
	f.Add("#define F(a) #a ## a", "#define G do { } while (0)")
	f.Fuzz(func(t *testing.T, a, b string) {
		ix := &index.Index{}
		for _, s := range []string{a, b} {
			if d := cmacro.Parse(s); d != nil {
				k := index.Macro
				if d.FuncLike {
					k = index.FunctionMacro
				}
				ix.Items = append(ix.Items, &index.Item{Name: d.Name, Kind: k, Decl: s})
			}
		}
		for _, it := range ix.Items {
			Classify(ix, it)
		}
	})
}
