// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The kernel-side half of the rustko crate. rustko-lsp build compiles it
 * into every module that depends on the crate, with the kernel's own flags
 * and headers, so that what differs between kernels is settled by the C
 * compiler rather than guessed in Rust: kmalloc and krealloc are macros or
 * static inlines over symbols renamed across releases (__kmalloc on 6.1,
 * __kmalloc_noprof from 6.10), GFP_KERNEL's value moves with the gfp bits,
 * BUG() is an architecture macro, current a per-CPU read, KBUILD_MODNAME a
 * kbuild define.
 */
#include <linux/bug.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/sched.h>
#include <linux/slab.h>

/* Declared in the crate's src/kalloc.rs and src/panic.rs. */
void *rustko_rt_alloc(size_t size, size_t align, bool zero);
void *rustko_rt_realloc(void *p, size_t new_size, size_t align);
void rustko_rt_free(void *p);
const char *rustko_rt_prefix(void);
const void *rustko_rt_current(void);
void __noreturn rustko_rt_bug(void);
void __noreturn rustko_rt_panic(void);

/*
 * The size to ask kmalloc for, or 0 when it cannot serve the request.
 * kmalloc aligns every object to ARCH_KMALLOC_MINALIGN, and a power-of-two
 * size to that size (a documented guarantee since 5.4, which holds for the
 * page allocator's larger blocks too), so a stricter alignment is met by
 * rounding the size up to a power of two at least as large as it.
 */
static size_t rustko_rt_size(size_t size, size_t align)
{
	/* Rust never asks for 0 bytes; were it to, a real object is safer than ZERO_SIZE_PTR. */
	if (size == 0)
		size = 1;
	/* kmalloc would WARN before failing; Rust reports the failure itself. */
	if (size > KMALLOC_MAX_SIZE || align > KMALLOC_MAX_SIZE)
		return 0;
	if (align <= ARCH_KMALLOC_MINALIGN)
		return size;
	if (size < align)
		size = align;
	return roundup_pow_of_two(size);
}

void *rustko_rt_alloc(size_t size, size_t align, bool zero)
{
	size_t n = rustko_rt_size(size, align);

	if (!n)
		return NULL;
	return kmalloc(n, zero ? GFP_KERNEL | __GFP_ZERO : GFP_KERNEL);
}

/*
 * krealloc keeps the object when the new size fits it (then it is aligned
 * already) and otherwise kmallocs the padded size, which is aligned again.
 * On failure the old object is left as it was, as Rust's realloc expects.
 */
void *rustko_rt_realloc(void *p, size_t new_size, size_t align)
{
	size_t n = rustko_rt_size(new_size, align);

	if (!n)
		return NULL;
	return krealloc(p, n, GFP_KERNEL);
}

void rustko_rt_free(void *p)
{
	kfree(p);
}

/* What the panic message starts with: the module's name, as pr_fmt would put it. */
const char *rustko_rt_prefix(void)
{
	return KBUILD_MODNAME ": ";
}

/* The running task, to tell a panic inside the panic handler from another task's panic. */
const void *rustko_rt_current(void)
{
	return current;
}

/* The default: an oops that kills the panicking task, as BUG_ON() in C does. */
void __noreturn rustko_rt_bug(void)
{
	BUG();
}

/* The panic-halts feature: stop the machine. */
void __noreturn rustko_rt_panic(void)
{
	panic("%s: Rust panic\n", KBUILD_MODNAME);
}
