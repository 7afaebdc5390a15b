// SPDX-License-Identifier: GPL-2.0
/*
 * The C side of hello: kbuild compiles it with the kernel's own flags.
 * It registers the module and hands over to the Rust side (src/lib.rs).
 */
#include <linux/init.h>
#include <linux/module.h>
#include <linux/printk.h>

/* Defined in src/lib.rs as #[no_mangle] pub extern "C" fn. */
void rust_main(void);
void rust_exit(void);

static int __init hello_init(void)
{
	pr_info("hello: init\n");
	rust_main();
	return 0;
}

static void __exit hello_exit(void)
{
	rust_exit();
	pr_info("hello: exit\n");
}

module_init(hello_init);
module_exit(hello_exit);

/* GPL: the kernel refuses GPL-only symbols to other licences, and taints. */
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hello: a kernel module written in Rust");
