/* A C syntax error on line 3. */
struct ok { int a; };
struct broken { int a b; };
int after(void);
