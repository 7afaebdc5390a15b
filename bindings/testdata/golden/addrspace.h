/* The kernel's __percpu on 7.x with gcc 14 is the x86 named address space
 * __seg_gs: a pointer to per-CPU data is an ordinary pointer in Rust, and the
 * oracle spells its C type with the address space. */
struct pcpu_stats {
	unsigned long packets;
	unsigned long bytes;
};

struct netdev_like {
	struct pcpu_stats __seg_gs *stats;
	const char *name;
};

void fetch_stats(struct pcpu_stats *out, const struct pcpu_stats __seg_gs *stats);
void __seg_gs *pcpu_alloc(unsigned long size, unsigned long align);
