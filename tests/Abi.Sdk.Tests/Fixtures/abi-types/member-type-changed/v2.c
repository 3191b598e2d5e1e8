struct S { int a; unsigned int b; };
int f(struct S *s) { return s->a; }
