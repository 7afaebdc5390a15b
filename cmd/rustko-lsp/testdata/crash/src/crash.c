// SPDX-License-Identifier: GPL-2.0
/* The C side of crash: "how" picks the misbehaviour (see the Makefile). */
#include <linux/delay.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/printk.h>

static int how;
module_param(how, int, 0444);
MODULE_PARM_DESC(how, "0 behave, 1 Rust null write, 2 C null write, 3 hang");

void rust_main(int how);
void rust_exit(void);

static noinline void c_null_write(void)
{
	*(volatile int *)16 = 1; /* C-NULL-WRITE */
}

static int __init crash_init(void)
{
	pr_info("crash: init how=%d\n", how);
	rust_main(how);
	if (how == 2)
		c_null_write();
	while (how == 3)
		msleep(1000);
	return 0;
}

static void __exit crash_exit(void)
{
	rust_exit();
	pr_info("crash: exit\n");
}

module_init(crash_init);
module_exit(crash_exit);
MODULE_LICENSE("GPL");
