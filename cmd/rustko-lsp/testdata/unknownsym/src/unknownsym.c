// SPDX-License-Identifier: GPL-2.0
/* The C side of unknownsym: a call into another module (libcrc32c). */
#include <linux/crc32c.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/printk.h>

void rust_main(void);

static int __init unknownsym_init(void)
{
	static const char data[] = "rustko";

	rust_main();
	pr_info("unknownsym: crc32c %08x\n", crc32c(0, data, sizeof(data) - 1)); /* UNKNOWN-SYMBOL */
	return 0;
}

static void __exit unknownsym_exit(void)
{
	pr_info("unknownsym: exit\n");
}

module_init(unknownsym_init);
module_exit(unknownsym_exit);
MODULE_LICENSE("GPL");
