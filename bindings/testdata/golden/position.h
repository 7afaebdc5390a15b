/* Macros whose value depends on where they are used. The front end's table
 * holds __FILE__, __LINE__ and __COUNTER__ with their value at the last use
 * in the headers, so a binding must not turn them into constants (6.12's
 * linux/stringify.h FILE_LINE came out as "…/rtnetlink.h:146"). */
#define __stringify_1(x...) #x
#define __stringify(x...) __stringify_1(x)
#define FILE_LINE __FILE__ ":" __stringify(__LINE__)
#define HERE_LINE (__LINE__ + 0)
#define COUNTED (__COUNTER__ + 1)
#define NESTED (HERE_LINE * 2)
#define PLAIN __stringify(42)
#define STILL_A_CONSTANT (7 + 1)

_Static_assert(sizeof(FILE_LINE) > 1, "uses __FILE__ and __LINE__");
extern int line_use[HERE_LINE];
extern int counter_use[COUNTED];
