/* Records, typedefs, enums, functions and variables. */
#ifndef BASIC_H
#define BASIC_H

typedef unsigned int u32;
typedef unsigned long size_t;
typedef _Bool bool;

struct list_head {
	struct list_head *next, *prev;
};

struct point {
	int x;
	int y;
};

typedef struct point point_t;
typedef struct list_head list_head;

typedef struct {
	u32 id;
	const char *name;
} anon_t;

enum color { RED, GREEN = 5, BLUE };
enum { NEGATIVE = -2, POSITIVE = 2 };
typedef enum { MODE_A, MODE_B } mode_t;

struct file_ops;

struct device {
	struct list_head node;
	const char *name;
	unsigned long flags[2][3];
	int (*open)(struct device *dev, unsigned int flags);
	void (*log)(const char *fmt, ...);
	union {
		u32 raw;
		struct {
			unsigned short lo;
			unsigned short hi;
		};
	};
	struct {
		int refs;
		bool dead;
	} state;
	enum color color;
	mode_t mode;
	const struct file_ops *ops;
	int type;
	long match;
	char data[];
};

struct quals {
	const char *const *argv;
	char *const fixed;
	const unsigned char *tables[2];
	const struct point *const *pts;
	volatile int *counter;
};

extern int printk(const char *fmt, ...);
extern void *kmalloc_array(size_t n, size_t size, unsigned int flags);
extern struct device *device_find(const char *name, int (*match)(struct device *, void *), void *data);
extern void device_put(struct device *);
extern unsigned long jiffies;
extern const char linux_banner[];
extern const struct point origin;

static inline int device_refs(const struct device *d) { return d->state.refs; }
static int helper_count;

#endif
