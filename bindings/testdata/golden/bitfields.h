/* Bit-fields: signed, unsigned, _Bool, enum, spanning units, zero-width, unnamed, packed, in unions. */
typedef _Bool bool;
enum level { LOW, MID, HIGH };

struct flags {
	unsigned int a : 1;
	unsigned int b : 3;
	int s : 5;
	bool on : 1;
	enum level lvl : 2;
	unsigned int : 0;
	unsigned int after_zero : 7;
	unsigned int : 4;
	unsigned long long wide : 40;
	char c;
	unsigned short tail : 9;
};

struct mixed {
	char c;
	int x : 3;
	int y : 29;
	long z;
};

struct packed_bits {
	unsigned char tag;
	unsigned int v : 20;
	unsigned int w : 12;
} __attribute__((packed));

union ubits {
	unsigned int all;
	unsigned int low : 4;
	unsigned int high : 28;
};
