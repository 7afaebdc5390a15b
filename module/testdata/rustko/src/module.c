#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>

extern void rust_main(void);

static int __init hello_init(void)
{
	pr_info("hello: init\n");
	rust_main();
	return 0;
}

static void __exit hello_exit(void)
{
	pr_info("hello: exit\n");
}

module_init(hello_init);
module_exit(hello_exit);

MODULE_LICENSE("GPL");
