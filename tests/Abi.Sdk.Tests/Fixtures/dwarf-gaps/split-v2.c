/* New side of the split DWARF pair (see split-v1.c): member c inserted in the middle of S. */
struct S { int a; int c; int b; };
int f_s(struct S *s) { return s->a; }
int f_same(int x) { return x; }
struct S gs;
