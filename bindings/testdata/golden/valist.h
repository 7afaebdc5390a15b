/* gcc's va_list on x86-64 is an array of one 24-byte record: a record holding
 * one is 32 bytes here, and a parameter is a pointer to the record. */
typedef __builtin_va_list va_list;

struct with_va {
	int n;
	va_list ap;
};

struct va_format {
	const char *fmt;
	va_list *va;
};

int vformat(char *buf, unsigned long size, const char *fmt, va_list args);
