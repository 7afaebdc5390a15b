/* Name clashes and Rust keywords. */
struct stat { long size; };
extern int stat(const char *path, struct stat *buf);

struct clash { int a; };
typedef long clash;

typedef int c_int;

enum { FOO = 1, BAR = 2 };
#define FOO FOO
#define BAR 3

struct keywords {
	int type;
	int self;
	int match;
	int fn;
	int crate;
	int _;
};

struct anon_names {
	union {
		int first;
		long second;
	};
	union {
		char other;
	};
	struct {
		struct {
			int deep;
		};
	} named;
};

extern int loop(int move, int ref, int self);
