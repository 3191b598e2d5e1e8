/* The split DWARF pair (-gsplit-dwarf): built as split-v1.so with its .dwo, then moved by the tests, which find
   the .dwo with abi diff --dwo-dir. split-v2.c changes struct S. */
struct S { int a; int b; };
int f_s(struct S *s) { return s->a; }
int f_same(int x) { return x; }
struct S gs;
