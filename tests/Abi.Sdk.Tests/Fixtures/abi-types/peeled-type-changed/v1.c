/* Changes under harmless ones (harmless-changes): each parameter loses its restrict or its typedef name, and the
   struct it points to grows; each growth is reported, at the struct. */
struct S { int a; };
struct T { int a; };
typedef struct T T_t;
int f(struct S *restrict s) { return s->a; }
int g(T_t *t) { return t->a; }
