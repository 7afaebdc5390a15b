// SPDX-License-Identifier: GPL-2.0
/*
 * The C side of {{.Name}}: kbuild compiles it with the kernel's own flags.
 * It registers the module and hands over to the Rust side (src/lib.rs).
 */
#include <linux/init.h>
#include <linux/module.h>
#include <linux/printk.h>

/* Defined in src/lib.rs as #[no_mangle] pub extern "C" fn. */
void rust_main(void);
void rust_exit(void);

static int __init {{.Name}}_init(void)
{
	pr_info("{{.Name}}: init\n");
	rust_main();
	return 0;
}

static void __exit {{.Name}}_exit(void)
{
	rust_exit();
	pr_info("{{.Name}}: exit\n");
}

module_init({{.Name}}_init);
module_exit({{.Name}}_exit);

/* GPL: the kernel refuses GPL-only symbols to other licences, and taints. */
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("{{.Name}}: a kernel module written in Rust");
