/* Object-like macros evaluated with C semantics. */
typedef unsigned int gfp_t;
typedef unsigned char u8;
enum { ENUM_SEVEN = 7 }; enum { ENUM_BIG = 0x80000000 };
struct rec { int a; long b; char c[12]; };
extern int some_variable;
extern int some_function(int);

#define __force
#define ___GFP_IO 0x40u
#define ___GFP_FS 0x80u
#define ___GFP_RECLAIM (0x400u | 0x800u)
#define __GFP_IO ((__force gfp_t)___GFP_IO)
#define __GFP_FS ((__force gfp_t)___GFP_FS)
#define __GFP_RECLAIM ((__force gfp_t)___GFP_RECLAIM)
#define GFP_KERNEL (__GFP_RECLAIM | __GFP_IO | __GFP_FS)

#define __AC(X, Y) (X##Y)
#define _AC(X, Y) __AC(X, Y)
#define _UL(x) (_AC(x, UL))
#define UL(x) (_UL(x))
#define BIT(nr) (UL(1) << (nr))
#define PAGE_SHIFT 12
#define PAGE_SIZE (_AC(1, UL) << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))

#define _IOC(dir, type, nr, size) (((dir) << 30) | ((type) << 8) | (nr) | ((size) << 16))
#define _IOR(type, nr, sz) _IOC(2U, (type), (nr), (sizeof(sz)))
#define MY_IOCTL _IOR('k', 3, struct rec)

#define UINT_MAX (~0U)
#define INT_MIN (-2147483647 - 1)
#define SHIFT31 (1 << 31)
#define NOT_MASK (~0xFF000000U)
#define LLONG_MAX_ ((long long)(~0ULL >> 1))
#define CHAR_NEG ((char)0xff)
#define U8_VAL ((u8)0x1ff)
#define PROMOTED ((u8)200 + (u8)100)
#define REC_SIZE sizeof(struct rec)
#define REC_OFF __builtin_offsetof(struct rec, c)
#define ALIGN_LONG _Alignof(long)
#define USES_ENUM (ENUM_SEVEN * 2)
#define ENUM_BIG_COPY ENUM_BIG
#define TERNARY (sizeof(long) == 8 ? 64 : 32)
#define CHARC 'A'
#define ESCAPE '\n'
#define OCTAL 0755
#define HEXL 0x10L
#define BIG_DEC 3000000000
#define HZ 100
#undef HZ
#define HZ 250
#define KERN_SOH "\001"
#define KERN_INFO KERN_SOH "6"
#define GREETING "hi \"there\"\n"
#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)
#define VERSION_STR STRINGIFY(PAGE_SHIFT)
#define LOGICAL (1 && 0 || 2)
#define DIVISION (-7 / 2)
#define MODULO (-7 % 2)
#define UNSIGNED_CMP (-1 < 0U)

#define EMPTY
#define TYPE_ALIAS unsigned long
#define FUNC_ALIAS some_function
#define ATTR __attribute__((aligned(8)))
#define RUNTIME_VAR (some_variable + 1)
#define RUNTIME_CALL some_function(3)
#define BYTES 0x0f, 0x1f
#define DIV_ZERO (1 / 0)
#define SELF SELF
#define UNDECLARED (undeclared_thing + 1)
#define NULL_PTR ((void *)0)
#define STATEMENT do { } while (0)
#define FUNC_LIKE(x) ((x) + 1)
