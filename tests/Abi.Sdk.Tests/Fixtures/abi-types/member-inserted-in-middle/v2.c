struct S { int a; int z; int b; };
int f(struct S *s) { return s->a; }
