// Struct and union definitions with packed attributes and #pragma pack for
// TestABILayout, partly hand-written, partly random. See the comment of
// TestABILayout.

enum E0 { E0a = 1 }; enum E1 { E1a = -1 }; enum E2 { E2a = 200 };
union T0 { int : 0; int : 0; char c; int : 0; int : 0; int : 0; int : 0; };
struct T1 { char c; int : 0; int : 0; int : 0; };
union T2 { char c; int : 0; };
union T3 { int : 0; char c; };
struct T4 { int : 0; char c; };
struct T5 { char c; int : 0; char d; };
union T6 { char c; long : 0; };
struct T7 { char c; long : 0; };
struct T8 { char c; int : 3; };
union T9 { char c; int : 3; };
struct T10 { char c; long long : 0; char d; };
struct T11 { char c; int x : 3; };
struct T12 { char c; int : 3; char d; };
struct T13 { char c; int x : 3; char d; };
union T14 { char c; int x : 3; };
struct T15 { char a, b, c; int x : 9; };
struct T16 { char c; long long : 5; };
struct T17 { short s; int : 20; };
struct T18 { char c; int : 0; char d; int : 0; };
union T19 { int : 0; };
struct T20 { int : 0; };
struct T21 { char c; long long x : 5; };
struct T22 { unsigned x : 12; unsigned char y : 7; unsigned z : 28; unsigned a : 4; unsigned b : 5; };
struct T23 { int x : 12; char y : 6; };
struct T24 { long l; const signed : 0; };
struct T25 { char c; int x : 12; };
struct T26 { char c; short s : 9; };
struct T27 { char c; int x : 24; char d; };
struct T28 { int a; long long x : 40; };
struct T29 { char c; long long x : 40; };
struct T30 { char c; long long x : 60; };
struct T31 { unsigned char a : 4; unsigned short b : 4; unsigned c : 4; };
struct T32 { unsigned char a : 4; unsigned b : 4; unsigned char c : 4; };
struct T33 { int a : 3; int : 0; int b : 3; };
struct T34 { char a : 3; int : 0; char b : 3; };
struct T35 { char a; int : 0; };
struct T36 { _Bool a : 1; _Bool b : 1; int c : 3; };
struct T37 { long long a : 3; char b; };
struct T38 { char a; long long b : 3; char c; };
union T39 { long long a : 3; char b; };
union T40 { char a; long long : 3; };
struct T41 { short a; char b : 3; };
struct T42 { char a[3]; int b : 9; };
struct T43 { char a[3]; int b : 8; };
struct T44 { int a : 31; int b : 2; };
struct T45 { unsigned a : 1; unsigned long long b : 63; };
struct T46 { unsigned a : 1; unsigned long long b : 64; };
struct T47 { char a; unsigned long long b : 57; };
struct T48 { short a : 1; char : 0; short b : 1; };
struct T49 { int a : 1; char : 0; int b : 1; };
struct T50 { int a : 1; short : 0; char b; };
struct T51 { char a; char : 0; char b; };
struct T52 { int a; char : 0; };
struct T53 { char a : 1; int : 0; };
struct T54 { char a; short : 0; };
struct T55 { unsigned char m0 : 5; unsigned long m1 : 1; short : 5; unsigned char m3; };
struct T56 { signed char m0; enum E0 m1 : 6; struct T55 m2; short m3[1]; };
struct T57 { enum E0 m0 : 4; _Bool m1; char : 0; unsigned char m3 : 2; };
struct T58 { long long m0; _Bool m1 : 1; unsigned long long m2 : 18; unsigned m3 : 25; unsigned short m4; char m5[3]; long long m6; };
struct T59 { unsigned m0 : 2; unsigned char m1 : 3; unsigned m2; long long : 0; unsigned short : 0; short m5; unsigned short m6 : 4; unsigned long : 31; };
union __attribute__((packed)) T60 { unsigned long long : 0; char m1; };
struct T61 { struct T59 m0; unsigned long m1 : 2; unsigned long : 0; struct T57 m3; long long m4; char : 8; char m6 __attribute__((packed)); };
struct T62 { struct T58 m0; struct { char a1 : 3; char b1; }; struct T55 m2; } __attribute__((packed));
union T63 { enum E0 m0 : 2; _Bool m1 : 1; unsigned char m2 : 7; long m3 : 18; long long m4[2]; union T60 m5; unsigned short m6; } __attribute__((packed));
#pragma pack(2)
struct T64 { int m0 : 27; };
#pragma pack()
#pragma pack(push, 16)
union T65 { struct { short a0 : 8; char b0; }; struct T56 m1; unsigned long long m2 : 47; enum E2 m3 : 7; enum E2 m4 : 5; unsigned short m5; };
#pragma pack(pop)
#pragma pack(push, 1)
struct T66 { long m0 : 6; unsigned long m1 : 14; unsigned char m2 : 8; long m3; enum E1 m4 : 7; int m5[1]; };
#pragma pack(pop)
struct __attribute__((packed)) T67 { int m0 : 24 __attribute__((packed)); short m1 __attribute__((packed)); };
struct __attribute__((packed)) T68 { short m0 : 16; int m1 : 20; unsigned char m2 __attribute__((packed)); unsigned m3 : 21; enum E0 m4 : 1; unsigned long m5; char : 7; signed char m7; };
struct __attribute__((packed)) T69 { short m0 : 13; short m1; unsigned m2; unsigned long long m3 : 37; };
struct T70 { unsigned short : 15; unsigned : 2; signed char m2; unsigned long long m3 : 30; int m4 : 5; long long m5 : 1 __attribute__((packed)); signed char m6; };
union __attribute__((packed)) T71 { signed char m0 : 4 __attribute__((packed)); unsigned long long m1 : 25 __attribute__((packed)); };
struct T72 { struct T67 m0; } __attribute__((packed));
#pragma pack(2)
struct T73 { unsigned short m0 : 15 __attribute__((packed)); int m1; long : 27; int m3 : 17; char m4 : 8; long long m5 : 12; };
#pragma pack()
#pragma pack(push, 2)
struct T74 { union T63 m0; unsigned char m1 : 5; };
#pragma pack(pop)
struct T75 { long long : 0; _Bool m1; unsigned m2 : 18; char : 1; unsigned short : 7; long long m5 : 6; } __attribute__((packed));
struct __attribute__((packed)) T76 { unsigned m0; int m1 : 6; unsigned short m2 : 1; unsigned : 29; };
struct T77 { struct T75 m0; unsigned long long m1 : 17; short m2 : 7; unsigned m3; signed char m4 : 7; int m5; signed char m6 : 4; };
struct T78 { unsigned long long m0; struct T68 m1; short m2 : 9; unsigned long m3 : 31; };
struct T79 { unsigned long long m0; int m1 __attribute__((packed)); long m2 : 25; long : 0; unsigned char m4 : 3; };
struct T80 { long m0; unsigned long long : 27; unsigned long m2 : 25; char m3[3]; unsigned short m4 : 3; _Alignas(16) short m5; };
struct T81 { signed char : 3; long long m1 __attribute__((packed)); _Bool m2 : 1; } __attribute__((packed));
struct T82 { struct T74 m0; long long m1 : 33; unsigned long m2; long m3 : 28; struct T55 m4; long long m5; short m6 : 3; int m7 : 9; };
struct T83 { unsigned short m0 : 7; unsigned long long : 0; long m2; long m3 : 6 __attribute__((packed)); char m4 : 4 __attribute__((packed)); unsigned char m5 : 5 __attribute__((packed)); long m6 : 25 __attribute__((packed)); unsigned m7 : 8 __attribute__((packed)); } __attribute__((packed));
#pragma pack(push, 16)
struct T84 { _Bool m0 : 1; long m1 : 6; signed char m2; char m3 : 6 __attribute__((packed)); struct T58 m4; };
#pragma pack(pop)
struct T85 { char : 3; char m1 : 2; };
struct T86 { short m0 __attribute__((packed)); long long m1 : 49; unsigned char m2 : 3 __attribute__((packed)); _Bool m3 : 1 __attribute__((packed)); unsigned m4; unsigned m5 : 4 __attribute__((packed)); };
#pragma pack(16)
struct T87 { union { char a0 : 4; char b0; }; unsigned long long m1 : 8; unsigned m2 : 18 __attribute__((packed)); };
#pragma pack()
struct T88 { _Bool m0 : 1 __attribute__((packed)); unsigned long long m1; } __attribute__((packed));
#pragma pack(push, 2)
struct T89 { unsigned short : 6; unsigned char : 3; unsigned char m2 : 2 __attribute__((packed)); struct { int a3 : 1; char b3; }; unsigned short m4; };
#pragma pack(pop)
#pragma pack(push, 2)
struct T90 { unsigned short m0 : 10; };
#pragma pack(pop)
#pragma pack(2)
struct T91 { struct T82 m0; unsigned long m1 __attribute__((packed)); long m2 __attribute__((packed)); union T71 m3; char fam[]; };
#pragma pack()
struct T92 { enum E0 m0 : 7; signed char m1; } __attribute__((packed));
struct T93 { short m0 : 3; unsigned m1; unsigned short : 6; union { short a3 : 2; char b3; }; union T71 m4; unsigned m5; };
struct __attribute__((aligned(1))) T94 { unsigned long m0 : 27; long m1 : 16; unsigned short m2; unsigned long m3 : 14 __attribute__((packed)); unsigned m4; unsigned char m5; };
struct __attribute__((packed)) T95 { unsigned m0; _Bool : 1; unsigned m2; unsigned long m3 : 18; };
struct T96 { union { short a0 : 8; char b0; }; long m1 : 32; unsigned char : 2; unsigned short m3; };
struct T97 { long long m0 : 38 __attribute__((packed)); };
struct T98 { short m0 : 10; char m1 : 1; unsigned long long m2 : 13; signed char m3 : 1; signed char m4 : 4; union { short a5 : 3; char b5; }; };
struct T99 { char m0 : 5; };
struct T100 { long m0 : 3; struct T81 m1; short m2; char fam[]; };
#pragma pack(2)
struct T101 { unsigned char m0 : 5; char m1; long m2 : 24; union T63 m3; };
#pragma pack()
#pragma pack(4)
struct T102 { unsigned long m0 __attribute__((packed)); unsigned char m1 : 7; _Bool m2 : 1; int m3; unsigned : 22; struct T82 m5; unsigned long m6 : 7; };
#pragma pack()
struct T103 { unsigned char m0 __attribute__((packed)); struct T99 m1; short : 12; signed char m3; char m4 : 4; };
#pragma pack(push, 16)
struct T104 { unsigned short m0 : 6; unsigned short m1 : 6; signed char m2; long m3 __attribute__((packed)); unsigned long long m4 : 3; short m5; union T71 m6; unsigned short m7 : 16; };
#pragma pack(pop)
struct T105 { long long : 45; signed char m1 : 1; unsigned m2 : 7; char : 0; } __attribute__((packed));
struct T106 { unsigned char m0 : 4 __attribute__((packed)); long long m1 __attribute__((packed)); int m2 : 1; struct T103 m3; unsigned char m4 : 1 __attribute__((packed)); int m5; unsigned short m6; } __attribute__((packed));
struct T107 { unsigned char m0 : 8; union { int a1 : 7; char b1; }; int m2 : 11; signed char m3 : 2; };
#pragma pack(2)
union T108 { signed char m0; short m1 : 11; _Bool m2 : 1; _Bool : 1; _Alignas(16) char m4; struct T58 m5; };
#pragma pack()
#pragma pack(16)
struct __attribute__((packed)) T109 { unsigned long m0 : 26; };
#pragma pack()
struct T110 { struct T77 m0; signed char m1; enum E0 m2 : 4; long long m3 __attribute__((packed)); char m4; unsigned long : 0; signed char m6 : 4; unsigned short m7 : 11; };
struct T111 { short : 0; long long m1 : 32 __attribute__((packed)); _Alignas(16) short m2; unsigned short m3[1]; short m4; };
union __attribute__((packed)) T112 { _Bool m0 __attribute__((packed)); enum E0 m1 : 6; enum E0 m2 : 4; };
struct __attribute__((packed)) T113 { char m0 : 7; _Alignas(16) int m1; int m2 : 31; _Bool m3; };
struct __attribute__((packed)) T114 { unsigned : 11; unsigned long m1[3]; _Alignas(16) short m2; unsigned long long m3 : 35; unsigned long long m4; _Bool m5; };
struct T115 { _Alignas(16) unsigned long m0; unsigned long long : 0; short : 0; struct T79 m3; long long m4 : 54 __attribute__((packed)); };
struct T116 { long m0; int m1 : 23; } __attribute__((packed));
struct T117 { unsigned long long m0 __attribute__((packed)); int m1 : 5; unsigned long m2 : 11; int m3 : 15; } __attribute__((packed));
struct T118 { int : 13; _Bool m1 : 1; short : 4; };
struct T119 { unsigned m0 __attribute__((packed)); };
struct __attribute__((packed)) T120 { long long m0 : 17; unsigned short m1 : 11; _Bool m2 : 1; };
union __attribute__((packed)) T121 { signed char m0 : 2; };
#pragma pack(push, 16)
struct T122 { char m0 : 1; } __attribute__((packed));
#pragma pack(pop)
struct T123 { int m0; int m1 : 16 __attribute__((packed)); unsigned char m2; struct T66 m3; long m4; long long m5; struct { char a6 : 7; char b6; }; struct T114 m7; };
#pragma pack(8)
struct T124 { union { char a0 : 2; char b0; }; _Bool m1 : 1; unsigned long long m2 : 37; char m3 : 7 __attribute__((packed)); };
#pragma pack()
#pragma pack(push, 4)
union __attribute__((packed)) T125 { int m0 : 8; unsigned long long m1[3]; union { short a2 : 4; char b2; }; long m3 : 12; };
#pragma pack(pop)
struct __attribute__((aligned(4))) T126 { int m0; signed char m1 : 4 __attribute__((packed)); unsigned m2 : 14; int m3 : 1 __attribute__((packed)); unsigned char : 0; long m5; } __attribute__((packed));
#pragma pack(push, 8)
struct T127 { _Alignas(16) signed char m0; long long m1 : 7; signed char m2 __attribute__((packed)); };
#pragma pack(pop)
#pragma pack(2)
union T128 { short m0 : 8; unsigned char : 0; short m2 : 8; enum E2 m3 : 7; struct { int a4 : 1; char b4; }; long m5; _Bool m6 : 1; unsigned long m7 : 12; };
#pragma pack()
#pragma pack(push, 4)
struct T129 { struct T98 m0; long m1 : 7 __attribute__((packed)); };
#pragma pack(pop)
struct T130 { unsigned long long m0 : 21; };
struct __attribute__((packed)) T131 { short m0 : 14; unsigned long m1; signed char m2[3]; };
struct __attribute__((aligned(16))) T132 { long : 28; unsigned long m1 : 6; unsigned char m2; int : 9; };
struct T133 { unsigned long m0 : 27; int m1 : 17; long m2 : 24; unsigned m3 : 31; short : 0; struct { short a5 : 4; char b5; }; unsigned m6; };
union __attribute__((packed)) T134 { short : 0; unsigned : 22; char m2; };
struct T135 { unsigned char m0 : 4; unsigned m1; _Alignas(16) unsigned char m2; unsigned m3 : 3; unsigned long long m4; int m5; _Bool : 1; };
struct T136 { _Bool : 0; struct { int a1 : 6; char b1; }; long long : 0; unsigned short m3 : 16; long m4; };
#pragma pack(1)
struct T137 { union { int a0 : 5; char b0; }; unsigned long long : 46; short : 1; char m3; };
#pragma pack()
#pragma pack(push, 16)
struct T138 { unsigned long long : 0; unsigned long m1; };
#pragma pack(pop)
union T139 { int : 0; unsigned long m1 : 7 __attribute__((packed)); signed char m2[3]; unsigned char : 0; unsigned : 4; };
struct T140 { long : 19; unsigned long long m1 : 29; enum E0 m2 : 7; signed char m3 : 1; };
struct T141 { unsigned char m0 __attribute__((packed)); unsigned m1; int m2 : 29 __attribute__((packed)); unsigned short m3 : 1; char fam[]; };
#pragma pack(push, 1)
struct __attribute__((aligned(16))) T142 { struct T91 m0; long long m1 : 16 __attribute__((packed)); long long m2 __attribute__((packed)); unsigned char : 0; _Bool m4 : 1; enum E0 m5 : 4; int m6[1]; char fam[]; };
#pragma pack(pop)
struct __attribute__((aligned(8))) T143 { char m0; int m1 : 23 __attribute__((packed)); unsigned char m2 : 8; unsigned long m3 : 3; };
union __attribute__((packed)) T144 { unsigned long long m0 : 40 __attribute__((packed)); };
struct T145 { short m0 __attribute__((packed)); };
#pragma pack(4)
struct T146 { enum E0 m0 : 4; } __attribute__((packed));
#pragma pack()
struct T147 { unsigned m0 : 8; unsigned : 0; char m2; char : 0; unsigned long long : 37; long m5[2]; signed char m6; };
struct T148 { long long m0 : 51; };
#pragma pack(push, 8)
struct T149 { unsigned long long m0 __attribute__((packed)); };
#pragma pack(pop)
struct T150 { unsigned : 0; char m1 : 2; int m2 : 7; int m3[2]; signed char : 7; unsigned m5; unsigned char m6 : 6 __attribute__((packed)); };
struct T151 { signed char : 1; unsigned long long m1; unsigned short m2 : 7; unsigned char m3 __attribute__((packed)); unsigned long long m4 : 32; long long m5 : 20 __attribute__((packed)); int : 0; long long : 10; };
struct T152 { _Alignas(16) unsigned short m0; unsigned long long m1; unsigned short m2; unsigned long m3[2]; _Bool : 1; long long m5 : 44; };
struct T153 { int m0; _Bool m1 : 1 __attribute__((packed)); unsigned m2; };
struct T154 { char m0 : 7; long m1 __attribute__((packed)); signed char m2 : 6; struct T81 m3; unsigned m4 : 17; char fam[]; } __attribute__((packed));
struct T155 { _Alignas(8) char m0; _Alignas(8) unsigned short m1; struct T117 m2; struct T98 m3; _Alignas(16) long m4; unsigned : 14; struct T87 m6; _Alignas(8) short m7; };
#pragma pack(push, 1)
struct __attribute__((packed)) T156 { _Bool m0; unsigned long m1 : 12; long long m2 : 8 __attribute__((packed)); unsigned char m3 : 2 __attribute__((packed)); };
#pragma pack(pop)
#pragma pack(push, 16)
struct T157 { short : 7; char m1; } __attribute__((packed));
#pragma pack(pop)
struct T158 { short m0; unsigned m1 __attribute__((packed)); unsigned long m2 : 15; signed char : 5; } __attribute__((packed));
struct T159 { int m0; unsigned m1; union T71 m2; unsigned long long m3; struct { int a4 : 2; char b4; }; struct T141 m5; };
struct T160 { struct T148 m0; struct T73 m1; signed char : 1; long : 0; long : 19; short : 8; struct T74 m6; short m7 __attribute__((packed)); };
struct __attribute__((packed)) T161 { unsigned long : 0; struct T95 m1; unsigned long long m2 : 43; _Bool m3 : 1; };
struct T162 { unsigned : 25; _Alignas(8) unsigned short m1; char fam[]; };
union T163 { unsigned char m0 __attribute__((packed)); unsigned long long : 48; } __attribute__((packed));
#pragma pack(1)
struct T164 { _Bool m0 : 1; unsigned short m1 : 9; unsigned short m2 __attribute__((packed)); long m3 : 9; unsigned short m4 : 7; unsigned long m5 : 3; _Bool : 0; union { char a7 : 5; char b7; }; };
#pragma pack()
struct T165 { long m0 : 7; short m1 : 4; enum E1 m2 : 2; int m3 : 6; int : 12; };
#pragma pack(1)
struct T166 { unsigned char m0 : 5 __attribute__((packed)); struct { int a1 : 7; char b1; }; long long m2; char m3 : 3; unsigned long long : 8; };
#pragma pack()
#pragma pack(push, 2)
struct __attribute__((packed)) T167 { signed char m0 : 7; long m1 : 7; char m2 : 4; char m3 : 8; long m4 : 4 __attribute__((packed)); int : 0; long : 8; char : 7; };
#pragma pack(pop)
struct T168 { long m0 : 15; signed char m1 : 5 __attribute__((packed)); long : 23; unsigned short : 9; } __attribute__((packed));
struct T169 { char m0 : 3; signed char m1 __attribute__((packed)); long long m2[1]; unsigned m3 : 5; };
struct __attribute__((packed)) T170 { long long m0 : 39; long m1 : 26 __attribute__((packed)); unsigned long m2 : 23; enum E2 m3 : 3; };
struct T171 { long : 20; char m1; };
#pragma pack(4)
struct T172 { long m0[2]; };
#pragma pack()
struct __attribute__((aligned(1))) T173 { struct { char a0 : 8; char b0; }; signed char m1 : 7; unsigned m2; };
struct T174 { char m0; union { short a1 : 6; char b1; }; long long m2; struct { short a3 : 2; char b3; }; unsigned short m4[2]; unsigned long m5[3]; unsigned m6 : 18; unsigned m7 : 25; };
#pragma pack(8)
struct __attribute__((aligned(1))) T175 { unsigned char : 3; enum E0 m1 : 3; unsigned m2 : 17; long m3 : 6; signed char : 0; long long m5; int m6 : 15; int m7; };
#pragma pack()
union T176 { _Bool m0 : 1; signed char m1; unsigned m2 : 22; };
struct T177 { int m0 : 7; enum E0 m1 : 7; struct T156 m2; long long m3 : 12; enum E0 m4 : 7; };
#pragma pack(push, 4)
struct T178 { long long m0 : 19; struct T80 m1; };
#pragma pack(pop)
#pragma pack(push, 2)
struct T179 { long : 12; unsigned m1 : 5; long m2; unsigned m3 : 4 __attribute__((packed)); long long m4 __attribute__((packed)); signed char m5 : 2; long long : 11; };
#pragma pack(pop)
#pragma pack(push, 2)
union T180 { unsigned : 29; long m1 : 19; unsigned char m2[3]; char : 8; char m4 : 8; long : 8; struct T164 m6; };
#pragma pack(pop)
struct __attribute__((packed)) T181 { int m0 : 3; unsigned char m1 : 8; struct T72 m2; unsigned long long : 0; signed char m4 : 1 __attribute__((packed)); long long m5 : 2; };
struct __attribute__((aligned(16))) __attribute__((packed)) T182 { struct { char a0 : 6; char b0; }; int m1; signed char m2; short m3; long m4 : 13; short m5 : 9; long m6 : 3; signed char m7 : 4 __attribute__((packed)); };
struct T183 { long m0 : 9 __attribute__((packed)); _Alignas(8) unsigned short m1; unsigned m2; unsigned long m3 __attribute__((packed)); long long m4 : 37; short m5 : 12; unsigned long m6; unsigned short m7 : 8; };
union T184 { short m0; union { char a1 : 1; char b1; }; unsigned char m2 : 3; };
struct T185 { signed char m0 : 3; _Alignas(16) unsigned short m1; short : 0; _Bool m3 : 1; long m4 : 26 __attribute__((packed)); unsigned long long m5 : 28; };
struct __attribute__((packed)) T186 { signed char : 0; unsigned short m1 : 4; unsigned char m2; };
struct T187 { long long m0 : 13; union T60 m1; unsigned m2 : 5; short : 0; struct T157 m4; unsigned long m5; unsigned char m6 : 3 __attribute__((packed)); struct T156 m7; };
#pragma pack(push, 1)
struct T188 { struct T70 m0; char m1 : 2; unsigned long long m2; char m3 : 2; char fam[]; };
#pragma pack(pop)
struct __attribute__((aligned(8))) T189 { struct T87 m0; char m1 : 7; char : 7; unsigned short m3[1]; unsigned long long m4 : 35; };
union T190 { _Bool m0; unsigned short m1 __attribute__((packed)); unsigned short m2[2]; long m3; char m4 __attribute__((packed)); };
#pragma pack(push, 8)
struct __attribute__((packed)) T191 { unsigned m0; unsigned long m1 : 7; unsigned long long m2 : 49; long long m3; unsigned long long m4; _Alignas(8) short m5; unsigned : 0; struct T137 m7; };
#pragma pack(pop)
struct __attribute__((aligned(2))) T192 { struct T167 m0; };
union T193 { long m0 : 29; unsigned long long m1 : 35; long m2 : 29; unsigned short m3; };
struct T194 { signed char m0[1]; };
union T195 { _Bool m0; char m1 : 4; unsigned long m2; unsigned m3[1]; char m4 : 7; enum E0 m5 : 2; unsigned m6 : 17; } __attribute__((packed));
#pragma pack(push, 16)
struct T196 { long long m0[2]; struct T174 m1; } __attribute__((packed));
#pragma pack(pop)
struct T197 { unsigned m0 : 18; };
struct T198 { int m0; enum E1 m1 : 6; } __attribute__((packed));
struct T199 { unsigned long long m0[2]; signed char : 0; char m2 : 2; unsigned short m3 : 12; struct { int a4 : 8; char b4; }; short : 1; unsigned long : 11; char m7 : 2; };
#pragma pack(1)
union __attribute__((packed)) T200 { signed char m0 : 6; unsigned long long : 0; long m2[3]; int : 0; unsigned long m4; unsigned char m5 : 7; unsigned short m6 : 4; enum E2 m7 : 5; };
#pragma pack()
struct T201 { short m0 __attribute__((packed)); };
struct T202 { unsigned long long m0 : 53 __attribute__((packed)); enum E2 m1 : 5; unsigned short : 0; unsigned long m3 : 3; _Bool m4; long long : 54; int m6 __attribute__((packed)); char fam[]; };
union T203 { struct T56 m0; unsigned short : 9; };
#pragma pack(push, 1)
struct __attribute__((aligned(1))) T204 { char : 0; unsigned short m1 : 16; };
#pragma pack(pop)
#pragma pack(4)
struct __attribute__((packed)) T205 { unsigned long m0; unsigned m1 __attribute__((packed)); unsigned long long m2 : 41; short m3; };
#pragma pack()
struct T206 { unsigned long long : 5; unsigned char m1 __attribute__((packed)); char fam[]; };
#pragma pack(push, 1)
union T207 { unsigned long long m0 : 52; unsigned char m1; long long m2 : 22 __attribute__((packed)); short m3 __attribute__((packed)); unsigned char m4 : 3; signed char m5 : 6 __attribute__((packed)); unsigned long m6; };
#pragma pack(pop)
#pragma pack(16)
struct T208 { unsigned char m0 : 7; unsigned short m1 : 1; };
#pragma pack()
struct T209 { char m0 : 8; short m1; unsigned : 5; };
union T210 { unsigned long m0 : 24; long m1 __attribute__((packed)); int m2 : 12; union { short a3 : 2; char b3; }; unsigned : 0; long long m5 : 9; _Bool : 1; enum E0 m7 : 7; };
#pragma pack(2)
struct T211 { unsigned char m0 __attribute__((packed)); struct { short a1 : 3; char b1; }; };
#pragma pack()
union __attribute__((packed)) T212 { unsigned char m0 : 8; short : 7; };
struct T213 { unsigned long long m0 : 38; struct T201 m1; unsigned char m2; struct T69 m3; long m4 : 16; };
struct T214 { int m0[2]; unsigned char m1 : 3; int m2; long long m3 : 9; enum E1 m4 : 3; unsigned char m5 : 4; };
union T215 { long m0; char m1 : 4; union { int a2 : 7; char b2; }; };
struct __attribute__((aligned(8))) T216 { enum E0 m0 : 4; unsigned m1 : 13 __attribute__((packed)); char m2 : 3; signed char m3 : 6; } __attribute__((packed));
struct T217 { long long m0; unsigned char m1; _Alignas(8) unsigned short m2; unsigned long long : 37; int m4; };
#pragma pack(1)
struct T218 { union T163 m0; char fam[]; } __attribute__((packed));
#pragma pack()
struct T219 { unsigned m0 : 9; union T193 m1; char m2; unsigned long : 23; enum E2 m4 : 6; struct T162 m5; unsigned short m6[1]; };
struct T220 { char m0 : 7; unsigned long long m1[3]; long long m2; _Alignas(16) unsigned long m3; short m4 : 4; long m5; };
struct __attribute__((packed)) T221 { enum E0 m0 : 6; unsigned long : 0; unsigned m2 : 19; };
#pragma pack(push, 16)
struct T222 { unsigned char : 5; char m1; };
#pragma pack(pop)
struct T223 { long long m0 : 25; };
#pragma pack(8)
struct T224 { long : 0; unsigned long : 0; long long m2 : 16; unsigned long m3 : 15; int m4 : 6; long m5; _Bool : 0; signed char m7 : 5 __attribute__((packed)); };
#pragma pack()
struct T225 { _Bool m0 : 1 __attribute__((packed)); char m1 : 4 __attribute__((packed)); int m2 __attribute__((packed)); int : 5; };
struct T226 { struct T70 m0; long long m1 __attribute__((packed)); long m2 : 23; struct T93 m3; unsigned short m4 : 1 __attribute__((packed)); enum E0 m5 : 5; char m6; char fam[]; } __attribute__((packed));
union T227 { unsigned short m0[1]; short m1 : 2; int m2 : 26; };
union __attribute__((packed)) T228 { unsigned long long m0 : 26 __attribute__((packed)); char m1 : 5 __attribute__((packed)); signed char m2 __attribute__((packed)); short m3 : 12; signed char m4 : 1; int : 8; unsigned long m6 : 7; };
struct T229 { char m0 : 1; short m1 : 16; unsigned short : 0; long m3 : 1; };
struct T230 { unsigned m0; long m1 : 13; unsigned char m2; };
union T231 { _Bool : 0; short m1 : 10; unsigned long long m2 __attribute__((packed)); };
struct __attribute__((packed)) T232 { _Bool m0 : 1; unsigned long long m1 : 30; _Bool m2 : 1; int m3[2]; _Bool m4; union { char a5 : 1; char b5; }; };
struct T233 { long m0; _Bool m1 __attribute__((packed)); unsigned long m2 : 31; long long : 3; _Bool m4 : 1 __attribute__((packed)); unsigned long m5 : 31; };
#pragma pack(push, 4)
struct T234 { int m0 : 9; _Bool m1 __attribute__((packed)); unsigned long m2; struct T148 m3; enum E1 m4 : 7; char m5 __attribute__((packed)); int m6[1]; _Bool : 1; };
#pragma pack(pop)
struct T235 { long m0; unsigned char m1 : 2; };
struct T236 { short : 12; _Alignas(16) signed char m1; signed char m2; struct T146 m3; int m4[2]; signed char m5 : 1; int : 0; enum E2 m7 : 3; };
struct T237 { signed char m0 : 2 __attribute__((packed)); unsigned long long m1 : 18; signed char m2[2]; } __attribute__((packed));
struct T238 { union T207 m0; unsigned char m1; unsigned long long m2 : 7; };
struct T239 { short : 0; long m1 : 24; _Bool m2 : 1 __attribute__((packed)); long long m3 : 54; long long : 2; union { short a5 : 4; char b5; }; short m6 : 16; };
#pragma pack(push, 2)
struct __attribute__((packed)) T240 { _Bool m0 : 1; struct T87 m1; };
#pragma pack(pop)
#pragma pack(4)
union T241 { struct T113 m0; _Bool m1; _Alignas(16) short m2; struct T118 m3; };
#pragma pack()
union T242 { unsigned short m0; int m1; signed char m2 : 7; char m3 : 7; struct T181 m4; } __attribute__((packed));
struct T243 { struct T214 m0; unsigned short m1 __attribute__((packed)); long m2; short m3 : 8; unsigned long long m4; short : 3; short m6 : 10; };
struct __attribute__((packed)) T244 { struct { short a0 : 3; char b0; }; unsigned char m1 __attribute__((packed)); unsigned m2 : 30; int : 0; struct T208 m4; _Alignas(16) unsigned short m5; _Alignas(8) _Bool m6; unsigned long m7 : 11 __attribute__((packed)); };
#pragma pack(push, 4)
struct T245 { enum E2 m0 : 5; enum E2 m1 : 3; _Alignas(8) long long m2; unsigned char m3; signed char m4; long long m5; short : 0; };
#pragma pack(pop)
struct T246 { unsigned long m0 : 29 __attribute__((packed)); unsigned long long m1 : 13 __attribute__((packed)); struct T99 m2; union T227 m3; unsigned m4; short m5 : 5; };
struct T247 { struct T154 m0; unsigned long long : 0; unsigned m2 : 22; unsigned char m3 : 2; unsigned long long m4 : 55; enum E2 m5 : 4; char : 6; } __attribute__((packed));
#pragma pack(push, 8)
struct T248 { union T215 m0; unsigned m1 : 23; } __attribute__((packed));
#pragma pack(pop)
struct __attribute__((aligned(2))) __attribute__((packed)) T249 { unsigned long long m0 : 16; unsigned long m1; unsigned char m2 : 4; long m3; unsigned m4; unsigned char m5 : 1; };
struct T250 { long long m0; unsigned long m1 : 22; long long m2 : 55; long long m3 : 32; long long m4 : 47; signed char m5; char m6 : 2; unsigned long : 8; } __attribute__((packed));
struct T251 { int m0 : 3; char m1 : 8; char m2 __attribute__((packed)); int m3; };
struct __attribute__((packed)) T252 { signed char : 6; long : 10; unsigned long : 0; long m3 : 11; unsigned long long m4 __attribute__((packed)); struct T84 m5; };
struct T253 { long m0 : 21; char m1 : 1; unsigned long : 11; signed char m3; } __attribute__((packed));
#pragma pack(2)
struct T254 { struct T91 m0; enum E2 m1 : 4; unsigned long m2 : 13; unsigned long long m3 __attribute__((packed)); };
#pragma pack()
struct T255 { long long m0 : 22; _Bool m1 : 1; signed char m2 : 7; int m3; unsigned long long m4 : 37; };
struct T256 { short : 5; signed char m1 __attribute__((packed)); } __attribute__((packed));
#pragma pack(push, 8)
struct __attribute__((packed)) T257 { _Alignas(8) short m0; signed char m1; long long m2 : 39; };
#pragma pack(pop)
#pragma pack(push, 16)
struct T258 { unsigned short m0; struct T250 m1; unsigned m2; signed char m3 : 3; long : 6; short : 0; long m6 : 18; };
#pragma pack(pop)
union __attribute__((packed)) T259 { unsigned char m0 : 8; short : 16; signed char m2; signed char m3; };
#pragma pack(1)
struct T260 { unsigned short : 3; unsigned m1 : 20; unsigned long m2 : 18; char : 0; enum E1 m4 : 4; unsigned char m5 : 3; };
#pragma pack()
#pragma pack(2)
struct __attribute__((packed)) T261 { int m0 __attribute__((packed)); };
#pragma pack()
struct T262 { _Bool m0 : 1; unsigned long m1 __attribute__((packed)); unsigned long m2 : 12; int m3; unsigned char m4; short m5 : 3; char fam[]; };
#pragma pack(push, 16)
struct __attribute__((packed)) T263 { _Bool m0; unsigned char m1 : 7; unsigned char m2 : 3 __attribute__((packed)); _Bool m3; };
#pragma pack(pop)
#pragma pack(push, 1)
struct T264 { unsigned char m0 : 5; unsigned long m1 : 11; _Alignas(16) unsigned char m2; short m3 : 14; };
#pragma pack(pop)
struct T265 { long long : 0; _Bool m1 : 1; long long : 1; unsigned long : 2; unsigned char m4 : 2; unsigned char m5 : 1; short m6 : 14; _Bool m7 : 1 __attribute__((packed)); };
struct __attribute__((packed)) T266 { short m0 __attribute__((packed)); _Bool m1 : 1; unsigned char m2 : 1; unsigned long long m3 : 6; _Bool : 0; long m5 : 32; long : 32; unsigned long m7 __attribute__((packed)); };
struct T267 { unsigned short m0 : 2; short m1 : 8; unsigned long long m2 __attribute__((packed)); _Bool m3 : 1; int : 0; int m5; int m6 : 21; };
union __attribute__((packed)) T268 { long m0 : 16; unsigned char : 4; unsigned char m2 : 6; int : 17; int : 0; unsigned long long m5 : 4 __attribute__((packed)); };
#pragma pack(push, 8)
struct T269 { signed char : 1; unsigned m1; unsigned char : 3; unsigned m3 : 16; union T128 m4; unsigned long : 27; char : 8; };
#pragma pack(pop)
struct T270 { unsigned short m0; long m1 : 29 __attribute__((packed)); unsigned short m2 : 4; long m3 : 22; struct T150 m4; };
struct T271 { enum E2 m0 : 7; _Bool : 1; unsigned char m2 __attribute__((packed)); signed char : 0; int : 27; long long m5 : 5; long m6; _Alignas(16) char m7; };
#pragma pack(push, 1)
struct T272 { unsigned m0; int : 8; struct T78 m2; unsigned long long m3; int m4; unsigned m5 __attribute__((packed)); };
#pragma pack(pop)
struct T273 { union { char a0 : 3; char b0; }; char m1; char fam[]; };
struct T274 { long m0; unsigned long : 22; long : 29; int : 0; unsigned m4 : 11; };
struct T275 { long m0; signed char m1 : 7; _Alignas(16) unsigned long long m2; union { short a3 : 5; char b3; }; unsigned long m4 : 22; };
struct T276 { long m0 __attribute__((packed)); unsigned long m1; unsigned long long m2 : 38; unsigned char : 0; };
struct __attribute__((packed)) T277 { char m0 : 4; };
struct T278 { char m0 : 3; } __attribute__((packed));
#pragma pack(1)
struct T279 { signed char m0 : 5; short m1[2]; unsigned m2 : 10; };
#pragma pack()
#pragma pack(16)
struct T280 { long long m0[3]; unsigned char m1 : 6; unsigned long long m2; unsigned long long m3; unsigned long long m4; } __attribute__((packed));
#pragma pack()
union T281 { short m0 : 14; } __attribute__((packed));
struct T282 { struct T258 m0; };
struct __attribute__((packed)) T283 { char m0[2]; unsigned char m1 __attribute__((packed)); };
struct T284 { _Bool : 0; unsigned short m1 __attribute__((packed)); unsigned long m2; char fam[]; };
struct T285 { _Bool m0 : 1; _Bool m1 : 1 __attribute__((packed)); } __attribute__((packed));
struct T286 { union { char a0 : 7; char b0; }; int m1 __attribute__((packed)); unsigned long long m2 : 7; signed char m3; enum E2 m4 : 7; unsigned m5 __attribute__((packed)); unsigned short m6[3]; };
struct T287 { unsigned long long m0 : 29; unsigned long m1 : 1 __attribute__((packed)); long long m2; _Bool m3 : 1; enum E0 m4 : 6; };
struct T288 { signed char m0; unsigned char : 1; unsigned long m2; long m3 : 20; };
struct T289 { unsigned char m0 __attribute__((packed)); enum E2 m1 : 3; int m2 : 13; _Alignas(8) signed char m3; };
#pragma pack(push, 1)
struct T290 { char : 0; short : 0; char m2; };
#pragma pack(pop)
struct T291 { long long m0 __attribute__((packed)); unsigned m1 __attribute__((packed)); struct T143 m2; short : 5; unsigned long m4 : 9; };
struct T292 { unsigned char m0 : 2 __attribute__((packed)); _Bool m1 : 1; };
union T293 { unsigned long long m0; };
struct T294 { int : 4; long long : 0; unsigned long m2 : 3; } __attribute__((packed));
struct T295 { char m0 : 5; _Bool m1 : 1; };
struct T296 { unsigned long long m0 : 16; unsigned long long m1 : 27; unsigned m2; _Bool m3 : 1 __attribute__((packed)); };
struct T297 { unsigned long m0 : 28; unsigned char m1 : 2; unsigned long long : 38; long long : 42; long long m4 : 20; };
struct T298 { unsigned long long m0; };
struct T299 { int m0 : 22; unsigned char m1 __attribute__((packed)); unsigned long : 0; char fam[]; };
struct T300 { int m0 : 13; unsigned m1; unsigned long : 0; };
struct T301 { long long : 5; _Bool m1 : 1 __attribute__((packed)); signed char m2 __attribute__((packed)); unsigned long m3[1]; _Bool : 1; char m5; } __attribute__((packed));
struct T302 { unsigned short m0 : 9; char : 0; unsigned char : 4; _Bool m3; unsigned m4; int m5; unsigned long long m6 : 16; signed char : 0; };
struct T303 { int m0; int m1 : 9; signed char m2; _Bool : 0; long m4 : 23; struct T103 m5; enum E1 m6 : 2; };
#pragma pack(push, 8)
struct T304 { signed char m0[1]; union { int a1 : 3; char b1; }; };
#pragma pack(pop)
struct T305 { unsigned char m0[1]; _Bool m1 : 1; unsigned long long m2 : 40; unsigned char m3 : 1; enum E1 m4 : 1; };
struct __attribute__((packed)) T306 { char m0 : 1; long long m1 __attribute__((packed)); };
struct T307 { enum E1 m0 : 2; short m1 : 2 __attribute__((packed)); long m2 : 13 __attribute__((packed)); };
union T308 { unsigned long long m0 : 13; char m1 : 3; _Alignas(16) signed char m2; signed char m3; long long m4 : 9; unsigned long m5 : 32; struct T101 m6; unsigned char m7; };
struct T309 { unsigned long m0; unsigned long : 17; short m2; unsigned long m3 : 18; long long m4[2]; struct { char a5 : 8; char b5; }; unsigned short m6 : 11; struct { char a7 : 6; char b7; }; };
#pragma pack(push, 16)
struct T310 { signed char m0 : 8; unsigned long : 27; enum E2 m2 : 3; _Bool m3; };
#pragma pack(pop)
struct T311 { unsigned long m0; long long m1 : 26; unsigned short m2; _Bool m3 __attribute__((packed)); int m4 : 9; };
struct __attribute__((packed)) T312 { unsigned long m0 __attribute__((packed)); struct T74 m1; unsigned long long : 17; long : 0; signed char m4; enum E2 m5 : 7; unsigned long m6; unsigned long long m7 : 48; char fam[]; };
struct T313 { unsigned short : 16; union { char a1 : 4; char b1; }; signed char m2 : 1 __attribute__((packed)); _Alignas(16) signed char m3; struct { char a4 : 1; char b4; }; char m5 : 2; signed char m6 : 4 __attribute__((packed)); long : 0; };
struct T314 { unsigned short m0 : 11; signed char m1; unsigned m2 : 5; char m3[2]; unsigned long long m4 __attribute__((packed)); };
struct T315 { unsigned long long m0; short m1 __attribute__((packed)); int m2 __attribute__((packed)); unsigned long m3 : 25; int m4 : 16; struct T182 m5; short : 13; short : 1; };
#pragma pack(8)
struct T316 { struct T106 m0; unsigned char : 3; long m2 : 16; char m3 __attribute__((packed)); };
#pragma pack()
struct T317 { unsigned long long m0 : 33 __attribute__((packed)); unsigned m1 : 32; unsigned long m2 : 32; signed char m3; char m4 : 2; struct T265 m5; unsigned char : 0; };
struct T318 { unsigned m0 : 7; long : 6; _Alignas(16) int m2; };
#pragma pack(push, 8)
struct __attribute__((packed)) T319 { unsigned char : 4; short m1 : 1; unsigned long long : 0; };
#pragma pack(pop)
struct T320 { struct { char a0 : 2; char b0; }; _Bool m1; unsigned : 7; _Bool m3 : 1; char m4; } __attribute__((packed));
struct T321 { int : 30; unsigned short m1 : 1 __attribute__((packed)); long m2 : 23; unsigned short m3; _Alignas(16) unsigned m4; unsigned long long m5[2]; unsigned short m6; };
#pragma pack(push, 1)
struct T322 { _Bool m0 : 1 __attribute__((packed)); struct T55 m1; _Bool m2; signed char m3 __attribute__((packed)); unsigned char m4; char m5 : 3 __attribute__((packed)); long : 0; };
#pragma pack(pop)
struct T323 { char m0; unsigned char m1; long m2 : 1; unsigned long m3 : 19; };
struct T324 { long : 0; int m1 : 14 __attribute__((packed)); unsigned long long : 0; };
union T325 { unsigned long long : 36; char m1; };
#pragma pack(2)
struct T326 { long long m0 : 12; int : 29; } __attribute__((packed));
#pragma pack()
union __attribute__((aligned(16))) T327 { unsigned short m0 : 2 __attribute__((packed)); unsigned char m1; };
#pragma pack(push, 16)
struct T328 { unsigned long long m0 : 53; struct T119 m1; unsigned m2 : 12; long m3 : 15; char fam[]; };
#pragma pack(pop)
union T329 { enum E1 m0 : 4; unsigned short m1 : 16 __attribute__((packed)); unsigned short m2 : 11; _Bool m3 : 1; unsigned char m4; } __attribute__((packed));
struct T330 { struct { char a0 : 2; char b0; }; int m1[2]; _Bool : 1; unsigned char m3 : 1 __attribute__((packed)); long m4 __attribute__((packed)); long long : 47; signed char m6 : 7; int m7 : 28 __attribute__((packed)); };
struct __attribute__((packed)) T331 { long : 5; long long : 13; char m2; };
union __attribute__((packed)) T332 { unsigned long long : 0; char m1; };
struct T333 { long m0; };
struct T334 { unsigned short : 13; short : 13; long m2 : 32; _Bool m3; unsigned : 0; union { int a5 : 2; char b5; }; enum E1 m6 : 6; unsigned short m7 : 7; };
union __attribute__((packed)) T335 { long long : 13; signed char m1 __attribute__((packed)); unsigned long long m2 : 53; int m3; struct T288 m4; unsigned long long m5 : 45; signed char m6 : 1; char m7 : 1; };
#pragma pack(push, 16)
struct T336 { int m0 : 6; char : 0; int m2 : 5; _Bool m3; } __attribute__((packed));
#pragma pack(pop)
union T337 { unsigned char m0 : 1; _Bool m1; int m2; };
struct T338 { short m0 : 6 __attribute__((packed)); signed char m1 : 1; struct T126 m2; };
struct T339 { signed char m0; signed char m1 : 2; unsigned short m2; short m3 : 7; int m4; unsigned long long m5; };
union T340 { unsigned long long m0 : 24; unsigned m1 : 25; long : 22; char m3 : 6; short m4 __attribute__((packed)); unsigned : 0; unsigned : 26; };
struct __attribute__((packed)) T341 { unsigned char m0 : 1; short m1 __attribute__((packed)); _Bool : 0; unsigned char m3 : 2; struct T142 m4; short : 7; enum E1 m6 : 6; long m7; };
#pragma pack(push, 8)
struct __attribute__((packed)) T342 { enum E1 m0 : 5; unsigned m1; _Alignas(16) unsigned long m2; };
#pragma pack(pop)
struct __attribute__((packed)) T343 { long : 0; union { int a1 : 4; char b1; }; char m2; unsigned char m3 : 5; struct T83 m4; unsigned long long m5 : 28; };
struct T344 { unsigned short : 15; union { char a1 : 8; char b1; }; char m2 : 1 __attribute__((packed)); unsigned long long m3 : 1; unsigned short : 0; unsigned long : 0; unsigned long m6; };
struct T345 { int m0[1]; unsigned m1 : 15; unsigned long long m2 : 2; _Bool m3; enum E2 m4 : 1; unsigned short m5; unsigned long long : 0; } __attribute__((packed));
struct __attribute__((packed)) T346 { short : 0; unsigned short m1 : 4; short m2; _Bool m3 : 1; struct { char a4 : 2; char b4; }; signed char : 0; };
struct T347 { signed char m0 : 3; };
#pragma pack(push, 8)
struct __attribute__((packed)) T348 { unsigned char m0 : 6; };
#pragma pack(pop)
struct T349 { unsigned long long m0; long long m1 : 49 __attribute__((packed)); signed char m2 : 3; _Bool m3; long long m4; unsigned char m5; int m6 : 1 __attribute__((packed)); int m7 __attribute__((packed)); };
union T350 { signed char m0 __attribute__((packed)); long : 29; unsigned short : 7; unsigned m3 : 26; unsigned m4; unsigned long : 0; };
struct T351 { unsigned long : 0; long : 0; unsigned long long m2; signed char m3 : 8 __attribute__((packed)); unsigned long m4 __attribute__((packed)); long : 27; struct T341 m6; };
struct T352 { unsigned short m0 : 14 __attribute__((packed)); enum E1 m1 : 6; unsigned long long m2 : 53 __attribute__((packed)); };
struct T353 { _Bool m0 : 1; struct T221 m1; char m2; };
struct T354 { struct T183 m0; unsigned long long : 0; unsigned long long m2; struct T147 m3; unsigned long long m4 : 50; unsigned long long : 0; unsigned short m6; int m7 : 3; } __attribute__((packed));
struct T355 { struct T188 m0; union T215 m1; struct T145 m2; _Bool : 0; unsigned long long : 0; unsigned short m5 : 2; };
#pragma pack(4)
struct T356 { unsigned long m0 : 4; short m1 : 14; };
#pragma pack()
struct T357 { char m0 : 1; unsigned char m1 : 3; _Bool m2 : 1; long long : 21; unsigned long long m4 : 43 __attribute__((packed)); long long m5; };
struct __attribute__((packed)) T358 { unsigned long : 0; long long : 48; struct T171 m2; _Bool m3 : 1; short m4 : 11; _Bool m5 : 1; };
struct T359 { unsigned char m0; long long m1 : 44; unsigned m2 : 11; unsigned char : 5; _Bool m4; unsigned long long : 24; unsigned char m6; unsigned short m7[3]; } __attribute__((packed));
struct T360 { long long m0 : 18; unsigned short : 6; unsigned long m2 : 13; struct T320 m3; unsigned char : 0; long long : 20; unsigned : 0; } __attribute__((packed));
#pragma pack(push, 1)
struct T361 { short m0 : 10; long long m1 __attribute__((packed)); int m2; struct T123 m3; signed char m4 : 5; };
#pragma pack(pop)
struct T362 { _Bool : 1; char m1; };
union __attribute__((packed)) T363 { char m0; struct T155 m1; unsigned char : 0; };
#pragma pack(4)
struct T364 { unsigned m0 : 8; signed char m1 : 5; long m2 : 23 __attribute__((packed)); };
#pragma pack()
#pragma pack(push, 2)
struct T365 { unsigned long m0; long : 0; int : 16; unsigned long long : 0; struct { short a4 : 7; char b4; }; long long m5 : 43 __attribute__((packed)); unsigned long m6[1]; };
#pragma pack(pop)
#pragma pack(2)
union T366 { unsigned char m0 : 4; long long m1 : 35 __attribute__((packed)); unsigned short m2 : 9; _Bool : 1; int m4; long m5 : 30 __attribute__((packed)); unsigned char m6 : 7; } __attribute__((packed));
#pragma pack()
struct __attribute__((aligned(1))) T367 { signed char m0[2]; char m1 : 5; enum E2 m2 : 2; char m3 : 2; long long m4; struct T126 m5; };
struct T368 { union { char a0 : 4; char b0; }; unsigned long : 0; signed char m2 : 5; unsigned long long m3 : 47; } __attribute__((packed));
struct T369 { unsigned long long m0[2]; short m1; long m2 : 21; };
struct T370 { long long m0; _Bool m1; long : 3; } __attribute__((packed));
struct T371 { long : 0; union { char a1 : 5; char b1; }; char m2 __attribute__((packed)); unsigned : 12; unsigned long long : 52; };
struct T372 { unsigned short m0[3]; long long m1 : 29 __attribute__((packed)); signed char m2; enum E2 m3 : 5; int m4 : 29; };
union __attribute__((packed)) T373 { char m0 : 2; unsigned char m1 : 7 __attribute__((packed)); unsigned char m2 : 5; struct T331 m3; unsigned short : 0; unsigned short m5 : 11 __attribute__((packed)); unsigned char m6 : 8 __attribute__((packed)); long long : 0; };
struct __attribute__((packed)) T374 { short m0 : 13; unsigned short m1; };
struct T375 { char : 0; signed char : 0; unsigned long : 29; long long m3; struct T266 m4; long m5; struct T158 m6; };
struct T376 { struct { short a0 : 5; char b0; }; unsigned short m1; unsigned : 0; unsigned long long m3 __attribute__((packed)); unsigned long long m4; };
struct T377 { unsigned char m0 __attribute__((packed)); struct T246 m1; struct { char a2 : 7; char b2; }; };
struct T378 { char m0 : 2; };
#pragma pack(16)
union __attribute__((aligned(4))) T379 { char m0 : 6; struct T278 m1; _Alignas(16) unsigned m2; struct { short a3 : 7; char b3; }; unsigned long : 0; long long m5[1]; unsigned long long : 0; unsigned short : 3; };
#pragma pack()
#pragma pack(16)
struct __attribute__((packed)) T380 { unsigned char : 8; _Alignas(8) unsigned short m1; short : 2; unsigned char m3 : 1; long m4 : 21; };
#pragma pack()
union __attribute__((packed)) T381 { long long m0 : 37; unsigned char : 6; long long : 54; };
union T382 { unsigned char m0 : 3; unsigned long long m1[2]; unsigned short m2 : 2; unsigned long m3 : 25; unsigned long long m4 : 40; } __attribute__((packed));
struct T383 { unsigned long m0 : 18; _Bool m1 : 1; };
struct T384 { unsigned long long : 1; unsigned char m1 : 3; _Bool m2 __attribute__((packed)); _Bool m3 : 1; long m4; unsigned char m5 : 5; unsigned long m6 : 29; signed char : 6; } __attribute__((packed));
struct T385 { int m0; struct T313 m1; int : 13; _Bool m3; } __attribute__((packed));
#pragma pack(2)
union T386 { enum E2 m0 : 4; unsigned : 0; unsigned long long m2 : 47 __attribute__((packed)); };
#pragma pack()
struct T387 { char m0 : 4; union { int a1 : 1; char b1; }; int m2; long m3 __attribute__((packed)); unsigned m4[1]; char : 1; };
struct T388 { unsigned long long m0 : 48; char m1; char m2 : 4; unsigned m3; struct T130 m4; unsigned short m5; unsigned long : 3; unsigned char m7 : 1 __attribute__((packed)); };
struct T389 { int : 0; char m1; };
#pragma pack(push, 4)
struct T390 { struct T285 m0; long long m1 : 1; int m2; long long m3; };
#pragma pack(pop)
struct T391 { long m0 : 32; struct T248 m1; struct T66 m2; unsigned long m3; signed char : 0; unsigned short m5; unsigned long m6; unsigned short m7; };
struct T392 { unsigned short m0 : 7; int : 0; unsigned short m2 : 3; int m3; _Bool m4; int m5; };
struct __attribute__((packed)) T393 { short m0 : 13; signed char m1; char m2 : 7 __attribute__((packed)); long long m3 : 36 __attribute__((packed)); long m4 : 12 __attribute__((packed)); int m5 : 2 __attribute__((packed)); };
struct T394 { struct T56 m0; long m1; };
union __attribute__((packed)) T395 { _Alignas(16) long m0; unsigned short : 1; int m2 : 4; _Alignas(16) _Bool m3; int m4[2]; };
struct T396 { long m0; };
struct T397 { short m0; enum E1 m1 : 3; unsigned short m2; unsigned short m3[3]; long : 0; long m5 : 12; long long m6[2]; };
struct __attribute__((packed)) T398 { unsigned char m0 : 1; };
#pragma pack(4)
struct T399 { struct T233 m0; enum E0 m1 : 4; };
#pragma pack()
