struct S { int a; int b __attribute__((aligned(8))); };
int f(struct S *s) { return s->b; }
int g(int x) { return x; }
