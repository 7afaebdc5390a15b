// SPDX-License-Identifier: GPL-2.0
#include <linux/module.h>
#include <linux/spinlock.h>

static DEFINE_SPINLOCK(rk_lock);
int rust_helpers_selftest(spinlock_t *lock, long long *left);

static int __init rk_init(void)
{
	long long left = -1;
	int r = rust_helpers_selftest(&rk_lock, &left);

	pr_info("rkhelpers: selftest %d, copy_to_user left %lld\n", r, left);
	return 0;
}

static void __exit rk_exit(void)
{
	pr_info("rkhelpers: exit\n");
}

module_init(rk_init);
module_exit(rk_exit);
MODULE_LICENSE("GPL");
