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

/* Unnamed padding bit-fields between named ones, the last named one sharing a
 * byte with the run before the padding (x86's struct fred_ss on 6.12+). */
struct padded_bits {
	unsigned long long ss : 16, sti : 1, : 15, vector : 8, : 8, type : 4, : 4, enclave : 1, lm : 1, : 2, insnlen : 4;
};
