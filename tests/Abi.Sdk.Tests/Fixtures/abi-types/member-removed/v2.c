struct S { int a; int c; };
int f(struct S *s) { return s->a; }
