// SPDX-License-Identifier: GPL-2.0
#include <linux/module.h>
#include <linux/printk.h>

void rust_main(void);
void rust_exit(void);

static int __init fixture_init(void)
{
	pr_info("fixture: init\n");
	rust_main();
	return 0;
}

static void __exit fixture_exit(void)
{
	rust_exit();
	pr_info("fixture: exit\n");
}

module_init(fixture_init);
module_exit(fixture_exit);

MODULE_LICENSE("MIT");
