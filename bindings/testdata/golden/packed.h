/* Packing and alignment: what Rust can express exactly, and what becomes opaque. */
struct pk {
	char c;
	int i;
	short s;
} __attribute__((packed));

struct pk2 {
	char c;
	long l;
} __attribute__((packed, aligned(2)));

struct over_aligned {
	char c;
} __attribute__((aligned(16)));

struct member_aligned {
	char c;
	int x __attribute__((aligned(8)));
	char d;
};

struct packed_and_aligned {
	char c;
	short s;
} __attribute__((packed, aligned(8)));

struct contains_aligned {
	char c;
	struct over_aligned o;
} __attribute__((packed));

#pragma pack(push, 2)
struct pragma_packed {
	char c;
	int i;
	long l;
};
#pragma pack(pop)

struct empty { };

struct with_empty {
	int a;
	struct empty e[3];
	int b;
};

union u {
	char c;
	long l;
	struct pk p;
};

struct holder {
	struct pk p;
	struct over_aligned oa;
	__int128 big;
};
