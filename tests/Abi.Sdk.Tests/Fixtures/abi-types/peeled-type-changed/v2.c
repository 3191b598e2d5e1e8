/* v1.c with restrict and the typedef dropped, and member b added at the end of S and of T. */
struct S { int a; int b; };
struct T { int a; int b; };
int f(struct S *s) { return s->a; }
int g(struct T *t) { return t->a; }
