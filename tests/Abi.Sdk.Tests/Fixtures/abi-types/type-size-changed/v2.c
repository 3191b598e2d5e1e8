struct S { int a; int b; } __attribute__((aligned(16)));
int f(struct S *s) { return s->b; }
