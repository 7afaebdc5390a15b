// SPDX-License-Identifier: GPL-2.0
#include <linux/module.h>
#include <linux/printk.h>

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
MODULE_LICENSE("GPL");
